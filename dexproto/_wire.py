"""Strict JSON field kinds for the message dataclasses of dexproto/messages.py.

A message is a frozen, kw-only dataclass deriving from `WireModel`; each field is declared as
`name: Annotated[type, kind]` (optional ones `Annotated[type | None, Opt(kind)] = None`), where
the kind parses one JSON value (raising ProtocolError -32602 with the field's
path) and dumps it back. Integers must be real ints (bool and float rejected), hex is lower
case with an exact length, enums are checked, unknown and missing fields are errors.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Protocol, Self, TypeAlias

from dexproto.codec import ADDRESS_PATTERN, TICKER_PATTERN
from dexproto.errors import ErrorCode, ProtocolError

Json: TypeAlias = "bool | int | str | list[Json] | dict[str, Json] | None"


@dataclass(frozen=True)
class JsonFloat:
    """Stands where a frame had a non-integer number, so any amount field can reject it."""

    text: str


def invalid(path: str, message: str) -> ProtocolError:
    return ProtocolError(ErrorCode.INVALID_PARAMS, f"{path}: {message}")


def describe(value: object) -> str:
    """Name a JSON value's type for error messages (bool before int: bool is an int)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, float | JsonFloat):
        return "a float"
    names = {int: "an integer", str: "a string", list: "an array", dict: "an object"}
    return names.get(type(value), type(value).__name__)


class Kind(Protocol):
    def parse(self, value: object, path: str) -> Any: ...
    def dump(self, value: Any) -> Json: ...


@dataclass(frozen=True)
class UInt:
    bits: int = 64
    min: int = 0

    def parse(self, value: object, path: str) -> int:
        if type(value) is not int:
            raise invalid(path, f"expected an integer, got {describe(value)}")
        if not self.min <= value < 1 << self.bits:
            raise invalid(path, f"{value} out of range [{self.min}, 2^{self.bits})")
        return value

    def dump(self, value: Any) -> Json:
        return int(value)


class Bool:
    def parse(self, value: object, path: str) -> bool:
        if not isinstance(value, bool):
            raise invalid(path, f"expected a boolean, got {describe(value)}")
        return value

    def dump(self, value: Any) -> Json:
        return bool(value)


_HEX = re.compile(r"(?:[0-9a-f]{2})*")


@dataclass(frozen=True)
class Hex:
    """Lower-case hex; `size` is the exact byte length, or None for 1..max_size bytes."""

    size: int | None
    max_size: int = 10_000

    def parse(self, value: object, path: str) -> bytes:
        if not isinstance(value, str):
            raise invalid(path, f"expected a hex string, got {describe(value)}")
        if not _HEX.fullmatch(value):
            raise invalid(path, "expected lower-case hex with an even number of digits")
        n = len(value) // 2
        if self.size is not None and n != self.size:
            raise invalid(path, f"expected {self.size} bytes, got {n}")
        if self.size is None and not 1 <= n <= self.max_size:
            raise invalid(path, f"expected 1..{self.max_size} bytes, got {n}")
        return bytes.fromhex(value)

    def dump(self, value: Any) -> Json:
        return bytes(value).hex()


@dataclass(frozen=True)
class Text:
    pattern: str
    what: str

    def parse(self, value: object, path: str) -> str:
        if not isinstance(value, str):
            raise invalid(path, f"expected {self.what}, got {describe(value)}")
        if not re.fullmatch(self.pattern, value):
            raise invalid(path, f"expected {self.what}, got {value[:40]!r}")
        return value

    def dump(self, value: Any) -> Json:
        return str(value)


@dataclass(frozen=True)
class Choice:
    enum: type[StrEnum]

    def parse(self, value: object, path: str) -> StrEnum:
        allowed = [m.value for m in self.enum]
        if not isinstance(value, str) or value not in allowed:
            shown = repr(value)[:40] if isinstance(value, str) else describe(value)
            raise invalid(path, f"expected one of {allowed}, got {shown}")
        return self.enum(value)

    def dump(self, value: Any) -> Json:
        return str(value.value)


@dataclass(frozen=True)
class Obj:
    model: type[WireModel]

    def parse(self, value: object, path: str) -> WireModel:
        return self.model.from_json(value, path)

    def dump(self, value: Any) -> Json:
        out: dict[str, Json] = value.to_json()
        return out


@dataclass(frozen=True)
class ListOf:
    item: Kind
    min_items: int = 0
    max_items: int = 1_000_000

    def parse(self, value: object, path: str) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise invalid(path, f"expected an array, got {describe(value)}")
        if not self.min_items <= len(value) <= self.max_items:
            raise invalid(path, f"expected {self.min_items}..{self.max_items} items")
        return tuple(self.item.parse(v, f"{path}[{i}]") for i, v in enumerate(value))

    def dump(self, value: Any) -> Json:
        return [self.item.dump(v) for v in value]


@dataclass(frozen=True)
class Opt:
    """An optional field: absent or null parses to None; None is left out when dumping."""

    inner: Kind

    def parse(self, value: object, path: str) -> Any:
        return None if value is None else self.inner.parse(value, path)

    def dump(self, value: Any) -> Json:
        return self.inner.dump(value)


_SPECS: dict[type, dict[str, Kind]] = {}


def _specs(cls: type) -> dict[str, Kind]:
    """Field name -> kind, read once per class from its `Annotated[type, kind]` hints."""
    specs = _SPECS.get(cls)
    if specs is None:
        hints = typing.get_type_hints(cls, include_extras=True)
        specs = {fl.name: hints[fl.name].__metadata__[0] for fl in dataclasses.fields(cls)}
        _SPECS[cls] = specs
    return specs


class WireModel:
    """Base of the message dataclasses: strict `from_json`, `to_json`, a `check` hook."""

    METHOD: ClassVar[str] = ""

    @classmethod
    def from_json(cls, obj: object, path: str = "") -> Self:
        path = path or cls.METHOD or cls.__name__
        if not isinstance(obj, dict):
            raise invalid(path, f"expected an object, got {describe(obj)}")
        specs = _specs(cls)
        unknown = sorted(str(k) for k in obj if k not in specs)
        if unknown:
            raise invalid(path, f"unknown field(s): {', '.join(unknown)[:200]}")
        values: dict[str, Any] = {}
        for name, kind in specs.items():
            if name in obj:
                values[name] = kind.parse(obj[name], f"{path}.{name}")
            elif isinstance(kind, Opt):
                values[name] = None
            else:
                raise invalid(path, f"missing field {name!r}")
        factory: Any = cls
        result: Self = factory(**values)
        result.check(path)
        return result

    def check(self, path: str) -> None:
        """Cross-field rules; subclasses raise `invalid(path, ...)`."""

    def to_json(self) -> dict[str, Json]:
        out: dict[str, Json] = {}
        for name, kind in _specs(type(self)).items():
            value = getattr(self, name)
            if value is not None or not isinstance(kind, Opt):
                out[name] = kind.dump(value)
        return out


# Field kinds shared by the message modules.
H32, SIG, PUB33 = Hex(32), Hex(64), Hex(33)
U16, U32, U64, POS = UInt(16), UInt(32), UInt(64), UInt(64, min=1)
TICKER = Text(TICKER_PATTERN, "a lower-case ticker")
ADDRESS = Text(ADDRESS_PATTERN, "an alphanumeric address")
CONTRACT = Hex(None, max_size=10_000)
