"""Cambio entry point: the desktop app by default, CLI subcommands otherwise."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    if argv[:1] == ["--self-test"]:
        import app.cli  # noqa: F401  (the CLI half of the bundle imports too)
        from app.ui.selftest import run_self_test

        return run_self_test()
    if (argv and not argv[0].startswith("--")) or argv[:1] in (["--help"], ["-h"], ["--version"]):
        from app.cli import run_cli

        return run_cli(argv)
    from app.ui.launch import run_gui

    if "--simnet" in argv:  # the app itself never imports simnet (its import contract)
        from simnet.gui_session import start_gui_simnet

        return run_gui(argv, start_gui_simnet)
    return run_gui(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
