"""Frozen, slotted value classes, as ``@dataclass(frozen=True, slots=True)`` makes them,
without its start-up cost.

Every ``smassist ask`` imports some thirty value classes (the compiled knowledge base,
replies, settings). ``dataclasses`` builds each one at import time by compiling
five or six generated methods and re-creating the class for its slots (about
0.6 ms a class here), after importing ``inspect`` (about 6 ms): a fifth of a warm
``smassist ask``. :func:`record` makes the same class with one generated method
(``__init__``, so that building an instance costs what it costs with dataclasses);
equality, hashing, ``repr``, immutability and pickling are shared functions.

What a record does, as the dataclass it replaces did:

- ``__init__(field, ..., default=..., factory=<made>)`` in field order, defaults
  and ``field(default_factory=...)``;
- ``==`` compares the fields when both are of the same class (else
  ``NotImplemented``); frozen records hash their fields; ``repr`` is
  ``Name(field=value, ...)``;
- frozen: assigning or deleting an attribute raises
  :class:`dataclasses.FrozenInstanceError`; ``@record(frozen=False)``: mutable and
  unhashable;
- ``pickle`` and ``copy`` work (and read back through ``__init__``);
- ``dataclasses.fields``, ``replace``, ``asdict`` and ``is_dataclass`` work: the
  ``dataclasses.Field`` objects are made on first use, by ``dataclasses`` itself.

Only what smassist uses is supported: no inheritance between records, no
``ClassVar`` or ``InitVar`` fields, no ``field()`` options but ``default_factory``.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

__all__ = ["field", "field_names", "record"]

_set = object.__setattr__


class _Factory:
    """What ``field(default_factory=...)`` leaves in the class body."""

    __slots__ = ("make",)

    def __init__(self, make: Any) -> None:
        self.make = make


def field(*, default_factory: Any) -> Any:
    """A field whose default is made per instance (``dataclasses.field(default_factory=...)``)."""
    return _Factory(default_factory)


class _HasFactory:
    """The default of a factory field in ``__init__``'s signature (as dataclasses does)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<factory>"


_HAS_FACTORY = _HasFactory()


def field_names(cls: type) -> tuple[str, ...]:
    """A record's field names, in order (``tuple(cls.__dataclass_fields__)`` without importing
    ``dataclasses``)."""
    return cls.__dict__["__record_fields__"]


def record(cls: type | None = None, /, *, frozen: bool = True) -> Any:
    """``@record`` (frozen) or ``@record(frozen=False)`` on a class of annotated fields."""

    def wrap(cls: type) -> type:
        return _make(cls, frozen)

    return wrap if cls is None else wrap(cls)


def _make(cls: type, frozen: bool) -> type:
    annotations = cls.__dict__.get("__annotations__", {})  # noqa: RUF063 - inspect costs start-up
    names = tuple(annotations)
    for name, kind in annotations.items():
        if str(kind).startswith(("ClassVar", "InitVar", "typing.ClassVar", "dataclasses.InitVar")):
            raise TypeError(f"{cls.__qualname__}.{name}: ClassVar and InitVar fields are not supported")
    if any(isinstance(base, type) and "__record_fields__" in base.__dict__ for base in cls.__mro__[1:]):
        raise TypeError(f"{cls.__qualname__}: records cannot inherit from records")
    defaults = {name: cls.__dict__[name] for name in names if name in cls.__dict__}
    namespace = {key: value for key, value in cls.__dict__.items()
                 if key not in defaults and key not in ("__dict__", "__weakref__")}
    namespace["__slots__"] = names

    # The one generated method: dataclasses' own __init__, compiled in one go.
    globals_: dict[str, Any] = {"_set": _set, "_HAS_FACTORY": _HAS_FACTORY}
    params, body = [], []
    seen_default = False
    for name in names:
        if name in defaults:
            default = defaults[name]
            seen_default = True
            if isinstance(default, _Factory):
                globals_[f"_factory_{name}"] = default.make
                params.append(f"{name}=_HAS_FACTORY")
                value = f"_factory_{name}() if {name} is _HAS_FACTORY else {name}"
            else:
                globals_[f"_default_{name}"] = default
                params.append(f"{name}=_default_{name}")
                value = name
        else:
            if seen_default:
                raise TypeError(f"non-default argument {name!r} follows default argument")
            params.append(name)
            value = name
        body.append(f"    _set(self, {name!r}, {value})" if frozen else f"    self.{name} = {value}")
    source = f"def __init__(self, {', '.join(params)}):\n" + ("\n".join(body) or "    pass") + "\n"
    exec(source, globals_)  # our own source, made from the class's annotations above
    init = globals_["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    namespace["__init__"] = init

    if len(names) == 1:
        one = attrgetter(names[0])
        values: Any = lambda obj: (one(obj),)  # noqa: E731
    elif names:
        values = attrgetter(*names)
    else:
        values = lambda obj: ()  # noqa: E731
    namespace.update(
        __record_fields__=names, __record_values__=staticmethod(values),
        __record_defaults__=defaults, __record_frozen__=frozen, __match_args__=names,
        __repr__=_repr, __eq__=_eq, __reduce__=_reduce, __dataclass_fields__=_FIELDS,
    )
    if frozen:
        namespace.update(__hash__=_hash, __setattr__=_setattr, __delattr__=_delattr)
    else:
        namespace["__hash__"] = None
    made = type(cls)(cls.__name__, cls.__bases__, namespace)
    made.__qualname__ = cls.__qualname__
    return made


def _repr(self: Any) -> str:
    return f"{self.__class__.__qualname__}(" + ", ".join(
        f"{name}={getattr(self, name)!r}" for name in self.__record_fields__) + ")"


def _eq(self: Any, other: object) -> Any:
    if other.__class__ is self.__class__:
        return self.__record_values__(self) == self.__record_values__(other)
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(self.__record_values__(self))


def _setattr(self: Any, name: str, value: object) -> None:
    from dataclasses import FrozenInstanceError

    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _delattr(self: Any, name: str) -> None:
    from dataclasses import FrozenInstanceError

    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _reduce(self: Any) -> tuple[type, tuple]:
    return self.__class__, self.__record_values__(self)


class _DataclassFields:
    """``__dataclass_fields__`` of a record: what ``dataclasses.fields``/``replace``/``asdict`` read.

    Made on first use by applying ``dataclasses.dataclass`` to a copy of the record's
    fields (annotations and defaults), so that ``dataclasses`` is imported only then.
    """

    def __get__(self, obj: object, owner: type) -> dict[str, Any]:
        found = owner.__dict__.get("__record_dataclass_fields__")
        if found is None:
            import dataclasses

            namespace: dict[str, Any] = {"__annotations__": dict(owner.__annotations__),
                                         "__module__": owner.__module__, "__qualname__": owner.__qualname__}
            for name, default in owner.__record_defaults__.items():
                namespace[name] = (dataclasses.field(default_factory=default.make)
                                   if isinstance(default, _Factory) else default)
            shadow = dataclasses.dataclass(frozen=owner.__record_frozen__)(type(owner.__name__, (), namespace))
            found = shadow.__dataclass_fields__
            type.__setattr__(owner, "__record_dataclass_fields__", found)
        return found


_FIELDS = _DataclassFields()
