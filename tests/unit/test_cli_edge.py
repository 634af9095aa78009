"""The command line's one error handler (app/cli/edge.py): an expected error is one line,
`error: <user message>`, and a nonzero exit, never a traceback and never the internal detail
(that goes to the log); a bug keeps its traceback; Ctrl-C exits 130."""

from __future__ import annotations

import argparse
import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import run_cli
from app.cli.edge import EXIT_FAILED, EXIT_INTERRUPTED, run_command
from app.dex.errors import ServerRejected
from app.errors import CambioError
from app.swap.errors import RefundTooEarly
from app.wallet.errors import NodeUnreachableError, WrongPasswordError
from simnet.errors import NodeError, SimnetBusy

ROOT = Path(__file__).resolve().parents[2]
ARGS = argparse.Namespace()


def _raising(exc: BaseException) -> tuple[int, str]:
    def command(args: argparse.Namespace) -> int:
        raise exc

    err = io.StringIO()
    return run_command(command, ARGS, err), err.getvalue()


@pytest.mark.parametrize(
    ("exc", "line"),
    [
        (WrongPasswordError(), "error: Wrong password."),
        (
            NodeUnreachableError("http://127.0.0.1:1", "ClientConnectorError(errno 111)"),
            "error: Cannot reach the node at http://127.0.0.1:1.",
        ),
        (
            ServerRejected(7, "need 5000, have 12"),
            "error: The DEX server refused: insufficient funding.",
        ),
        (
            RefundTooEarly("The lock time has not passed yet.", 10, 5),
            "error: The lock time has not passed yet.",
        ),
        (
            FileNotFoundError(2, "No such file or directory"),
            "error: [Errno 2] No such file or directory",
        ),
        (  # the simnet's own errors (simnet/errors.py) too: `simnet up` on a running one
            SimnetBusy("another process runs the simnet in /tmp/s"),
            "error: another process runs the simnet in /tmp/s",
        ),
        (NodeError("generatetoaddress: HTTP 500"), "error: generatetoaddress: HTTP 500"),
    ],
)
def test_an_expected_error_is_its_user_message_on_one_line(exc: BaseException, line: str) -> None:
    status, stderr = _raising(exc)
    assert status == EXIT_FAILED
    assert stderr == line + "\n"
    assert "Traceback" not in stderr


def test_the_detail_goes_to_the_log_not_to_the_user(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="cambio.cli")
    status, stderr = _raising(CambioError("Could not do it.", "sqlite: disk I/O error"))
    assert (status, stderr) == (EXIT_FAILED, "error: Could not do it.\n")
    assert "sqlite: disk I/O error" in caplog.text


def test_a_message_with_newlines_stays_one_line() -> None:
    status, stderr = _raising(CambioError("The node said:\n  no such\tmethod"))
    assert (status, stderr) == (EXIT_FAILED, "error: The node said: no such method\n")


def test_a_bug_keeps_its_traceback_and_ctrl_c_exits_130() -> None:
    with pytest.raises(KeyError):
        _raising(KeyError("bug"))
    assert _raising(KeyboardInterrupt()) == (EXIT_INTERRUPTED, "")


def test_a_command_that_succeeds_returns_its_status() -> None:
    assert run_command(lambda args: 0, ARGS, io.StringIO()) == 0


def test_run_cli_goes_through_the_handler(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No wallet in the data directory: the keystore's error, as the handler prints it."""
    monkeypatch.setenv("CAMBIO_PASSWORD", "anything")
    status = run_cli(["wallet", "address", "--datadir", str(tmp_path), "--asset", "ltc"])
    out = capsys.readouterr()
    assert status == EXIT_FAILED and out.out == ""
    assert out.err == f"error: No wallet file at {tmp_path / 'wallet.json'}.\n"


def test_main_prints_no_traceback_for_an_expected_error(tmp_path: Path) -> None:
    """As a user runs it, a separate process: a damaged wallet file."""
    (tmp_path / "wallet.json").write_text("{not json")
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "wallet",
            "address",
            "--datadir",
            str(tmp_path),
            "--asset",
            "ltc",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "CAMBIO_PASSWORD": "x"},
        timeout=60,
        check=False,
    )
    assert result.returncode == EXIT_FAILED
    assert result.stderr.startswith("error: The wallet file ") and "damaged" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
