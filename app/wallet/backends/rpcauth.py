"""How Cambio logs in to a Bitcoin Core / Litecoin Core node: user and password, the node's
`.cookie` file, or a file holding `user:password`.

Core writes `<datadir>/<network>/.cookie` (`__cookie__:<hex>`) at every start and deletes it
at shutdown, so a cookie is read when a connection is first made, again after the connection
failed (the node may have restarted), and once more after an HTTP 401 (it has restarted: the
old cookie is dead). A NodeConfig with no login at all uses the node's default cookie for the
wallet's network when that file exists (`~/.litecoin/testnet4/.cookie`, ...).

Nothing here logs or puts a password or cookie into an error message.
"""

from __future__ import annotations

import abc
import base64
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from app.config import NodeConfig
from app.wallet.errors import BackendError
from dexproto.assets import AssetParams


class CredentialsFileError(BackendError):
    """The cookie or login file cannot be read or holds no `user:password`."""

    def __init__(self, path: Path, what: str, reason: str) -> None:
        self.path = path
        hint = " Is the node running?" if what == "cookie" else ""
        super().__init__(f"Cannot read the node's {what} file {path}: {reason}.{hint}", reason)


def basic_auth(user: str, password: str) -> str:
    """The Authorization header value for HTTP Basic auth (RFC 7617, UTF-8)."""
    if ":" in user:
        raise ValueError('A ":" is not allowed in an RPC user name (RFC 7617)')
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def parse_credentials(text: str, path: Path, what: str) -> tuple[str, str]:
    """`user:password` from a cookie or login file's first line (the password may hold ':')."""
    line = text.strip().splitlines()[0].strip() if text.strip() else ""
    user, sep, password = line.partition(":")
    if not sep or not user:
        raise CredentialsFileError(path, what, "it does not hold user:password")
    return user, password


class RpcAuth(abc.ABC):
    """Where the Authorization header comes from."""

    @abc.abstractmethod
    def header(self) -> str:
        """The header value; may read a file (raises CredentialsFileError)."""

    def reload(self, sent: str) -> bool:
        """After an HTTP 401 to the request that carried `sent`: read the credentials again;
        True when they differ from `sent` (worth one more try). Against `sent`, not the last
        value read: requests running side by side all get their retry after one restart."""
        return False

    def forget(self) -> None:
        """After a failed connection: read the credentials again at the next request."""
        return None

    @property
    def hint(self) -> str:
        """What to check when the node refuses the login."""
        return "check the node's rpcuser/rpcpassword"


class PasswordAuth(RpcAuth):
    def __init__(self, user: str, password: str) -> None:
        self._header = basic_auth(user, password)

    def header(self) -> str:
        return self._header


class FileAuth(RpcAuth):
    """A cookie (`what="cookie"`) or a login file (`what="login"`), re-read as the module
    docstring says. `optional`: a missing file means "no login" (an auto-detected default
    cookie that is not there) instead of an error."""

    def __init__(self, path: Path, what: str = "cookie", *, optional: bool = False) -> None:
        self.path = Path(path)
        self.what = what
        self.optional = optional
        self._header: str | None = None

    def _read(self) -> str:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            if self.optional:
                return basic_auth("", "")  # the node answers 401, named with our hint
            raise CredentialsFileError(self.path, self.what, "no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "unreadable"
            raise CredentialsFileError(self.path, self.what, reason) from None
        return basic_auth(*parse_credentials(text, self.path, self.what))

    def header(self) -> str:
        if self._header is None:
            self._header = self._read()
        return self._header

    def reload(self, sent: str) -> bool:
        self._header = None
        try:
            return self.header() != sent
        except CredentialsFileError:
            return False

    def forget(self) -> None:
        self._header = None

    @property
    def hint(self) -> str:
        if self.optional and not self.path.exists():
            return (
                f"no login is set and there is no cookie at {self.path}: set the node's "
                "cookie file, a login file or a user and password"
            )
        if self.what == "cookie":
            return f"the cookie {self.path} is not this node's (is it the right network?)"
        return f"check the user:password in {self.path}"


def core_home(asset: AssetParams, home: Path | None = None) -> Path:
    """The Core node's default data directory on this system (`~/.litecoin` on Linux)."""
    home = Path(home) if home is not None else Path.home()
    name = asset.core_dir.lstrip(".").capitalize()  # "Bitcoin", "Litecoin"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / name
    if sys.platform == "win32":
        appdata = os.environ.get("APPDATA")
        return (Path(appdata) if appdata else home / "AppData" / "Roaming") / name
    return home / asset.core_dir


def default_cookie(asset: AssetParams, home: Path | None = None) -> Path:
    """Where the node writes its cookie for the asset's network."""
    base = core_home(asset, home)
    return (base / asset.net_dir if asset.net_dir else base) / ".cookie"


def default_url(asset: AssetParams) -> str:
    return f"http://127.0.0.1:{asset.rpc_port}"


def with_default_port(url: str, asset: AssetParams) -> str:
    """`url` with the network's default RPC port when it names none."""
    parts = urlsplit(url)
    if parts.port is not None or not parts.hostname:
        return url
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return urlunsplit((parts.scheme, f"{host}:{asset.rpc_port}", parts.path, "", ""))


def auth_for(node: NodeConfig, asset: AssetParams, home: Path | None = None) -> RpcAuth:
    """The login `node` asks for: a login file, a cookie, a user, else the default cookie."""
    if node.auth_file:
        return FileAuth(Path(node.auth_file).expanduser(), "login")
    if node.cookie_file:
        return FileAuth(Path(node.cookie_file).expanduser(), "cookie")
    if node.rpc_user or node.rpc_password:
        return PasswordAuth(node.rpc_user, node.rpc_password)
    return FileAuth(default_cookie(asset, home), "cookie", optional=True)
