"""Node login (cookie, login file, user/password, the default cookie), the re-read of a cookie
after a node restart (HTTP 401), and the genesis check, against a loopback JSON-RPC stub."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web

from app.config import NodeConfig
from app.wallet.backends.base import NodeAuthError, WrongNetworkError
from app.wallet.backends.jsonrpc import JsonRpcClient
from app.wallet.backends.nodes import node_backend
from app.wallet.backends.rpcauth import (
    CredentialsFileError,
    FileAuth,
    PasswordAuth,
    auth_for,
    default_cookie,
    parse_credentials,
    with_default_port,
)
from app.wallet.errors import NodeUnreachableError
from dexproto.assets import Network, get_asset

LTC_MAIN = get_asset("ltc", Network.MAINNET)
LTC_TEST = get_asset("ltc", Network.TESTNET)
BTC_TEST = get_asset("btc", Network.TESTNET)
REGTEST_GENESIS = get_asset("ltc", Network.REGTEST).genesis_hash


def basic(login: str) -> str:
    return "Basic " + base64.b64encode(login.encode()).decode()


@dataclass
class Stub:
    """A node that accepts one login and answers getblockhash 0 and getblockcount."""

    login: str
    genesis: str = REGTEST_GENESIS
    url: str = ""
    seen: list[str] = field(default_factory=list)  # methods, in order
    refused: int = 0

    async def handle(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != basic(self.login):
            self.refused += 1
            return web.Response(status=401)
        body = json.loads(await request.read())
        self.seen.append(body["method"])
        result = self.genesis if body["method"] == "getblockhash" else 7
        return web.json_response({"result": result, "error": None, "id": body["id"]})


@pytest.fixture
async def stub() -> AsyncIterator[Stub]:
    node = Stub(login="__cookie__:aaaa")
    app = web.Application()
    app.router.add_post("/", node.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    node.url = f"http://127.0.0.1:{port}"
    yield node
    await runner.cleanup()


def test_parse_credentials_keeps_colons_in_the_password(tmp_path: Path) -> None:
    path = tmp_path / ".cookie"
    assert parse_credentials("__cookie__:ab:cd\n", path, "cookie") == ("__cookie__", "ab:cd")
    for bad in ("", "no-colon", ":password-only"):
        with pytest.raises(CredentialsFileError, match="does not hold user:password"):
            parse_credentials(bad, path, "cookie")


def test_missing_cookie_names_the_file_and_says_why(tmp_path: Path) -> None:
    auth = FileAuth(tmp_path / "gone" / ".cookie")
    with pytest.raises(CredentialsFileError, match=r"cookie file .*gone/\.cookie.*running"):
        auth.header()
    login = tmp_path / "login"
    login.write_text("alice:s3cret\n")
    assert FileAuth(login, "login").header() == basic("alice:s3cret")
    assert "s3cret" not in FileAuth(login, "login").hint


def test_default_cookie_paths_follow_chain_and_network(tmp_path: Path) -> None:
    expected = {
        ("btc", Network.MAINNET): ".bitcoin/.cookie",
        ("btc", Network.TESTNET): ".bitcoin/testnet4/.cookie",
        ("btc", Network.REGTEST): ".bitcoin/regtest/.cookie",
        ("ltc", Network.MAINNET): ".litecoin/.cookie",
        ("ltc", Network.TESTNET): ".litecoin/testnet4/.cookie",
        ("ltc", Network.REGTEST): ".litecoin/regtest/.cookie",
    }
    for (symbol, network), rel in expected.items():
        assert default_cookie(get_asset(symbol, network), tmp_path) == tmp_path / rel


def test_auto_detection_uses_the_default_cookie_under_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    cookie = tmp_path / ".litecoin" / "testnet4" / ".cookie"
    cookie.parent.mkdir(parents=True)
    cookie.write_text("__cookie__:1234")
    auth = auth_for(NodeConfig("http://127.0.0.1:19332"), LTC_TEST)
    assert isinstance(auth, FileAuth) and auth.path == cookie
    assert auth.header() == basic("__cookie__:1234")
    # No cookie there: an empty login (the node answers 401, naming the cookie looked for).
    lonely = auth_for(NodeConfig("http://127.0.0.1:8332"), get_asset("btc", Network.MAINNET))
    assert lonely.header() == basic(":")
    assert "no login is set and there is no cookie at" in lonely.hint
    assert ".bitcoin/.cookie" in lonely.hint
    # Given credentials win, the login file first.
    assert isinstance(auth_for(NodeConfig("u", "user", "pw"), LTC_TEST), PasswordAuth)
    chosen = auth_for(NodeConfig("u", cookie_file=str(tmp_path / "c"), auth_file="/x"), LTC_TEST)
    assert isinstance(chosen, FileAuth) and chosen.what == "login"


def test_default_port_is_the_networks() -> None:
    assert with_default_port("http://127.0.0.1", BTC_TEST) == "http://127.0.0.1:48332"
    assert with_default_port("http://node.lan/", LTC_TEST) == "http://node.lan:19332/"
    assert with_default_port("http://127.0.0.1:1234", LTC_TEST) == "http://127.0.0.1:1234"


async def test_cookie_is_read_again_after_a_401(stub: Stub, tmp_path: Path) -> None:
    cookie = tmp_path / ".cookie"
    cookie.write_text(stub.login)
    client = JsonRpcClient(stub.url, auth=FileAuth(cookie))
    try:
        assert await client.call("getblockcount") == 7
        # The node restarts: a new cookie on disk, the old one refused.
        stub.login = "__cookie__:bbbb"
        cookie.write_text(stub.login)
        assert await client.call("getblockcount") == 7
        assert stub.refused == 1  # one refusal, then the new cookie
        # The file on disk is the refused one: no retry, a clear error naming the cookie.
        stub.login = "__cookie__:cccc"
        with pytest.raises(NodeAuthError, match="right network"):
            await client.call("getblockcount")
        assert stub.refused == 2
    finally:
        await client.close()


async def test_calls_side_by_side_all_survive_a_restart(stub: Stub, tmp_path: Path) -> None:
    cookie = tmp_path / ".cookie"
    cookie.write_text(stub.login)
    client = JsonRpcClient(stub.url, auth=FileAuth(cookie))
    try:
        assert await client.call("getblockcount") == 7
        stub.login = "__cookie__:restarted"
        cookie.write_text(stub.login)
        results = await asyncio.gather(*(client.call("getblockcount") for _ in range(6)))
        assert results == [7] * 6 and stub.refused >= 1
    finally:
        await client.close()


async def test_cookie_is_read_again_after_the_connection_failed(tmp_path: Path) -> None:
    cookie = tmp_path / ".cookie"
    cookie.write_text("__cookie__:old")
    auth = FileAuth(cookie)
    client = JsonRpcClient("http://127.0.0.1:9", auth=auth, connect_timeout=1.0)
    try:
        with pytest.raises(NodeUnreachableError):
            await client.call("getblockcount")
    finally:
        await client.close()
    cookie.write_text("__cookie__:new")
    assert auth.header() == basic("__cookie__:new")


async def test_genesis_is_checked_once_and_another_network_refused(
    stub: Stub, tmp_path: Path
) -> None:
    cookie = tmp_path / ".cookie"
    cookie.write_text(stub.login)
    node = NodeConfig(stub.url, cookie_file=str(cookie))
    backend = node_backend(node, get_asset("ltc", Network.REGTEST))
    try:
        assert await backend.call("getblockcount") == 7
        assert await backend.call("getblockcount") == 7
        assert stub.seen == ["getblockhash", "getblockcount", "getblockcount"]
    finally:
        await backend.close()

    stub.seen.clear()
    mainnet = node_backend(node, LTC_MAIN)
    try:
        with pytest.raises(WrongNetworkError) as caught:
            await mainnet.call("getblockcount")
        text = str(caught.value)
        assert "not a Litecoin mainnet node" in text and "refuses" in text
        assert stub.seen == ["getblockhash"]  # nothing else was asked
        stub.genesis = LTC_MAIN.genesis_hash  # the same URL, now the right node
        assert await mainnet.call("getblockcount") == 7
    finally:
        await mainnet.close()
