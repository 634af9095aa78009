"""The CLI as a user runs it: `main.py` in its own process from the repository root."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cambio(
    *args: str, env: dict[str, str] | None = None, words: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the CLI; `words` go to its standard input (never on the command line)."""
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
        input=None if words is None else words + "\n",
    )
