"""JSON-RPC 2.0 envelope (spec §2): parse one frame, build frames. No sockets here.

`parse_frame` returns a Request, Notification or Response, or raises ProtocolError with
-32700 (not JSON: bad UTF-8, bad syntax, NaN, duplicate keys, over 1 MiB, nesting too deep)
or -32600 (JSON but not a valid envelope). Numbers with a fraction or exponent are parsed as
`JsonFloat` markers, never Python floats, so every integer field can reject them by type.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from dexproto._wire import Json, JsonFloat, describe
from dexproto.errors import ErrorCode, ProtocolError, RemoteError, SerializationError

MAX_FRAME = 1 << 20  # 1 MiB, per connection limit (§2)
MAX_METHOD = 64
_REQUEST_KEYS = frozenset({"jsonrpc", "method", "params", "id"})
_RESPONSE_KEYS = frozenset({"jsonrpc", "result", "error", "id"})
_ERROR_KEYS = frozenset({"code", "message", "data"})


@dataclass(frozen=True)
class Request:
    """A call that must be answered with the same id (either side sends these)."""

    method: str
    params: Json
    id: int


@dataclass(frozen=True)
class Notification:
    method: str
    params: Json


@dataclass(frozen=True)
class RpcError:
    code: int
    message: str
    data: Json = None


@dataclass(frozen=True)
class Response:
    """`id` is None only for an error answering a frame whose id could not be read."""

    id: int | None
    result: Json
    error: RpcError | None

    def unwrap(self) -> Json:
        """The result, or RemoteError if the server answered with an error."""
        if self.error is not None:
            raise RemoteError(self.error.code, self.error.message, self.error.data)
        return self.result


Message = Request | Notification | Response


class _DuplicateKey(ValueError):
    pass


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):  # ambiguous input: peers could read different values
        raise _DuplicateKey("duplicate key in object")
    return obj


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def loads(frame: bytes | str, max_size: int = MAX_FRAME) -> Json:
    """Strict JSON: UTF-8 only, no NaN/Infinity, no duplicate keys, floats as JsonFloat."""
    size = len(frame)  # a character is at least one byte: a cheap check first
    if isinstance(frame, str) and size <= max_size:
        size = len(frame.encode("utf-8", "surrogatepass"))
    if size > max_size:
        raise ProtocolError(ErrorCode.PARSE_ERROR, f"frame of {size} bytes over {max_size}")
    try:
        text = frame.decode("utf-8") if isinstance(frame, bytes) else frame
        value: Json = json.loads(
            text, parse_float=JsonFloat, parse_constant=_constant, object_pairs_hook=_object
        )
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeError are ValueErrors
        raise ProtocolError(ErrorCode.PARSE_ERROR, f"not valid JSON: {exc}") from None
    return value


def _bad(message: str, request_id: int | None = None) -> ProtocolError:
    return ProtocolError(ErrorCode.INVALID_REQUEST, message, request_id=request_id)


def _id(value: object) -> int:
    if type(value) is not int or not 0 <= value < 1 << 63:
        raise _bad(f"id must be a non-negative integer, got {describe(value)}")
    return value


def parse_frame(frame: bytes | str, max_size: int = MAX_FRAME) -> Message:
    """Parse one WebSocket frame into a typed envelope; ProtocolError otherwise.
    `max_size` is there for the caller to raise: an `orderbook` snapshot of a deep book
    (about 170 bytes per order) outgrows 1 MiB at some 6000 orders."""
    obj = loads(frame, max_size)
    if not isinstance(obj, dict):
        raise _bad(f"a frame must be a JSON object, got {describe(obj)}")
    if obj.get("jsonrpc") != "2.0":
        raise _bad('"jsonrpc" must be "2.0"')
    if "method" in obj:
        return _parse_call(obj)
    if "result" in obj or "error" in obj:
        return _parse_response(obj)
    raise _bad("neither a request (method) nor a response (result/error)")


def _parse_call(obj: dict[str, Json]) -> Request | Notification:
    request_id = _id(obj["id"]) if "id" in obj else None
    extra = set(obj) - _REQUEST_KEYS
    if extra:
        raise _bad(f"unknown envelope key(s): {sorted(extra)[:5]}", request_id)
    method = obj["method"]
    if not isinstance(method, str) or not 0 < len(method) <= MAX_METHOD:
        raise _bad(f"method must be a non-empty string, got {describe(method)}", request_id)
    params = obj.get("params")
    if params is not None and not isinstance(params, dict | list):
        raise _bad(f"params must be an object or an array, got {describe(params)}", request_id)
    if request_id is None:
        return Notification(method, params)
    return Request(method, params, request_id)


def _parse_response(obj: dict[str, Json]) -> Response:
    extra = set(obj) - _RESPONSE_KEYS
    if extra:
        raise _bad(f"unknown envelope key(s): {sorted(extra)[:5]}")
    if "id" not in obj:
        raise _bad("a response needs an id")
    raw_id = obj["id"]
    error = obj.get("error")
    if error is None:
        if raw_id is None:
            raise _bad("a successful response needs an integer id")
        return Response(_id(raw_id), obj.get("result"), None)
    response_id = None if raw_id is None else _id(raw_id)
    if obj.get("result") is not None:
        raise _bad("a response carries both a result and an error", response_id)
    return Response(response_id, None, _parse_error(error, response_id))


def _parse_error(error: Json, response_id: int | None) -> RpcError:
    if not isinstance(error, dict) or set(error) - _ERROR_KEYS:
        raise _bad("error must be an object {code, message, data?}", response_id)
    code, message = error.get("code"), error.get("message")
    if type(code) is not int or not isinstance(message, str):
        raise _bad("error needs an integer code and a string message", response_id)
    return RpcError(code, message, error.get("data"))


# --- building frames ----------------------------------------------------------------------
def dumps(obj: Json) -> str:
    """Compact JSON; refuses anything over the 1 MiB frame limit."""
    text = json.dumps(obj, separators=(",", ":"), allow_nan=False)
    if len(text) > MAX_FRAME:  # ensure_ascii: characters == bytes
        raise SerializationError(f"outgoing frame of {len(text)} bytes exceeds 1 MiB")
    return text


def request_frame(method: str, params: Json, request_id: int) -> str:
    return dumps({"jsonrpc": "2.0", "method": method, "params": params, "id": request_id})


def notification_frame(method: str, params: Json) -> str:
    return dumps({"jsonrpc": "2.0", "method": method, "params": params})


def response_frame(request_id: int, result: Json) -> str:
    """Success answer; both keys present with `error: null`, as the spec writes it."""
    return dumps({"jsonrpc": "2.0", "result": result, "error": None, "id": request_id})


def error_frame(request_id: int | None, code: int, message: str, data: Json = None) -> str:
    err: dict[str, Json] = {"code": int(code), "message": message}
    if data is not None:
        err["data"] = data
    return dumps({"jsonrpc": "2.0", "result": None, "error": err, "id": request_id})


def error_frame_for(exc: ProtocolError) -> str:
    """Answer to a frame we rejected: its id when it could be read, else null."""
    data = exc.data if isinstance(exc.data, str | int | bool | list | dict) else None
    return error_frame(exc.request_id, exc.code, exc.message, data)
