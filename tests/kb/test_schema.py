"""The JSON Schemas editors check knowledge files with are generated from the models, never edited."""

from __future__ import annotations

import json
from pathlib import Path

from smassist.kb import loader
from smassist.kb.schema import render, schemas, write_schemas
from tests.conftest import BUNDLED_KB


def test_committed_json_schemas_match_the_models() -> None:
    for kind, schema in schemas().items():
        path = BUNDLED_KB / "schema" / f"{kind}.schema.json"
        assert path.read_text(encoding="utf-8") == render(schema), (
            f"{path} is stale: run `smassist kb schema`"
        )
        json.loads(path.read_text(encoding="utf-8"))


def test_every_knowledge_file_points_editors_at_its_schema() -> None:
    for path in loader.knowledge_files(BUNDLED_KB):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("$schema=", 1)[1].strip()).resolve()
        assert target.is_file(), f"{path}: schema {target} not found"


def test_kb_schema_writes_one_schema_per_file_kind(tmp_path: Path) -> None:
    written = write_schemas(tmp_path / "schema")
    assert sorted(p.name for p in written) == sorted(f"{kind}.schema.json" for kind in schemas())
    for path in written:
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema["$schema"].endswith("2020-12/schema") and schema["title"].startswith("smassist ")
