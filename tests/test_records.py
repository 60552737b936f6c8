"""smassist.records: value classes that behave as ``@dataclass(frozen=True, slots=True)`` ones,
checked against the real dataclass of the same shape, and kept off ``smassist ask``'s start-up."""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from smassist.records import field, field_names, record


@record
class Item:
    """A record with every kind of field smassist uses."""

    name: str
    count: int = 0
    tags: dict[str, str] = field(default_factory=dict)
    made: str = field(default_factory=lambda: os.urandom(4).hex())

    @property
    def twice(self) -> int:
        return 2 * self.count


@dataclasses.dataclass(frozen=True, slots=True)
class Same:
    name: str
    count: int = 0
    tags: dict[str, str] = dataclasses.field(default_factory=dict)
    made: str = dataclasses.field(default_factory=lambda: os.urandom(4).hex())


@record(frozen=False)
class State:
    entry: str | None = None
    shown: tuple[str, ...] = ()


@dataclasses.dataclass(slots=True)
class SameState:
    entry: str | None = None
    shown: tuple[str, ...] = ()


def test_construction_repr_equality_and_hash_match_the_dataclass() -> None:
    for args, kwargs in (((), {"name": "a"}), (("a", 3), {}), (("a",), {"tags": {"k": "v"}, "made": "x"})):
        ours, theirs = Item(*args, **kwargs), Same(*args, **kwargs)
        made = {"made": ours.made}
        assert repr(ours) == repr(dataclasses.replace(theirs, **made)).replace("Same(", "Item(")
        assert ours == Item(**{**dataclasses.asdict(ours)})
        assert ours != Same(**dataclasses.asdict(ours))  # another class: never equal, as dataclasses
    assert hash(Item("a", tags=(), made="x")) == hash(Same("a", tags=(), made="x"))  # hashed by its fields
    assert Item("a").tags is not Item("a").tags  # a factory runs per instance
    assert Item("a").made != Item("a").made
    assert Item("a", 2).twice == 4
    assert Item.__match_args__ == Same.__match_args__
    assert not hasattr(Item("a"), "__dict__") and Item.__slots__ == ("name", "count", "tags", "made")


def test_frozen_as_a_dataclass_is() -> None:
    item = Item("a")
    for change in (lambda: setattr(item, "name", "b"), lambda: delattr(item, "name"),
                   lambda: setattr(item, "other", 1)):
        with pytest.raises(dataclasses.FrozenInstanceError):
            change()


def test_mutable_record_matches_a_mutable_dataclass() -> None:
    ours, theirs = State(), SameState()
    ours.entry, theirs.entry = "e", "e"
    assert repr(ours) == repr(theirs).replace("SameState(", "State(")
    assert ours == State("e") and ours != State("f")
    with pytest.raises(TypeError):
        hash(ours)
    with pytest.raises(TypeError):
        hash(theirs)


def test_pickle_copy_and_the_dataclasses_functions_work() -> None:
    item = Item("a", 1, {"k": "v"})
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(item, protocol=protocol)) == item
    assert copy.copy(item) == item and copy.deepcopy(item) == item
    assert dataclasses.is_dataclass(item) and dataclasses.is_dataclass(Item)
    assert [f.name for f in dataclasses.fields(item)] == [f.name for f in dataclasses.fields(Same)]
    assert field_names(Item) == tuple(Same.__dataclass_fields__) == tuple(Item.__dataclass_fields__)
    assert dataclasses.asdict(item) == {"name": "a", "count": 1, "tags": {"k": "v"}, "made": item.made}
    changed = dataclasses.replace(item, count=5)
    assert changed == Item("a", 5, {"k": "v"}, item.made) and changed.tags is item.tags
    assert dataclasses.replace(State("e"), shown=("answer",)) == State("e", ("answer",))


def test_a_default_before_a_required_field_is_refused_as_by_dataclasses() -> None:
    with pytest.raises(TypeError):

        @record
        class Wrong:
            first: int = 0
            second: int


@pytest.mark.parametrize("log", ["off", "sqlite"])
def test_a_warm_ask_imports_neither_dataclasses_nor_inspect(tmp_path: Path, log: str) -> None:
    """Building dataclasses at import time cost a fifth of a warm ``smassist ask`` (issue 13),
    with the question log off and with it on (the default, a SQLite file)."""
    code = ("from smassist.cli import main; main(['ask', 'ROI ?']); import sys; "
            "print(json.dumps(sorted(m for m in ('dataclasses', 'inspect') if m in sys.modules)), file=sys.stderr)")
    env = {**os.environ, "SMASSIST_DB": "off" if log == "off" else str(tmp_path / "log.sqlite3"),
           "SMASSIST_CACHE_DIR": str(tmp_path / "cache")}
    subprocess.run([sys.executable, "-c", "import json; " + code], check=True, capture_output=True, env=env)
    warm = subprocess.run([sys.executable, "-c", "import json; " + code], check=True, capture_output=True,
                          text=True, env=env)
    assert json.loads(warm.stderr.strip().splitlines()[-1]) == []
