"""Trim what PyInstaller's PySide6 hook collects down to what Cambio uses (imported by the spec).

The hook takes every Qt plugin and translation of the modules we import; most are for
hardware, image formats and languages we never touch, and they drag in system libraries
(GTK, cairo, Kerberos...). We drop them here, then drop every shared library that nothing
kept still links to.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable
from pathlib import PurePosixPath

# A TOC entry: (path inside the bundle, source path, typecode).
Entry = tuple[str, str, str]

QT_PREFIX = "PySide6/Qt/"
# Plugin folders Cambio needs, and per folder the files to keep (None: all of them).
KEEP_PLUGINS: dict[str, set[str] | None] = {
    # desktop X11 and Wayland; offscreen for --self-test and CI; minimal for headless tools
    "platforms": {
        "libqxcb.so",
        "libqwayland.so",
        "libqoffscreen.so",
        "libqminimal.so",
        "qwindows.dll",
        "qminimal.dll",
        "qoffscreen.dll",
        "libqcocoa.dylib",
        "libqoffscreen.dylib",
        "libqminimal.dylib",
    },
    "platformthemes": {"libqxdgdesktopportal.so"},  # GTK3 theme pulls in GTK, cairo, pango
    "platforminputcontexts": None,  # ibus/fcitx/compose: needed to type Chinese
    "imageformats": {"libqsvg.so", "qsvg.dll", "libqsvg.dylib"},  # PNG is built into QtGui
    "iconengines": None,  # the SVG icon engine draws cambio.svg
    "wayland-shell-integration": {"libxdg-shell.so"},
    "wayland-decoration-client": None,
    "styles": None,  # macOS native style
}
# Qt's own translations: only the languages the app offers (en needs none).
QT_TRANSLATION = re.compile(r"^qtbase_(zh_CN)\.qm$")
# Loaded with dlopen() by Qt, so no ELF dependency points at them.
DLOPENED = {"libdbus-1.so.3", "libxcb-cursor.so.0"}


def _qt_relative(dest: str) -> PurePosixPath | None:
    dest = dest.replace(os.sep, "/")
    return PurePosixPath(dest[len(QT_PREFIX) :]) if dest.startswith(QT_PREFIX) else None


def keep_qt_file(dest: str) -> bool:
    """Whether a file the PySide6 hook collected belongs in the bundle."""
    rel = _qt_relative(dest)
    if rel is None or len(rel.parts) < 2:
        return True
    top = rel.parts[0]
    if top == "translations":
        return bool(QT_TRANSLATION.match(rel.name))
    if top == "plugins":
        folder = rel.parts[1]
        if folder not in KEEP_PLUGINS:
            return False
        wanted = KEEP_PLUGINS[folder]
        return wanted is None or rel.name in wanted
    return True


def _is_plain_library(entry: Entry) -> bool:
    """A shared library kept only because something links to it (not a module or plugin)."""
    dest, _src, typecode = entry
    if typecode != "BINARY" or "/plugins/" in dest.replace(os.sep, "/"):
        return False
    name = PurePosixPath(dest.replace(os.sep, "/")).name
    return name.startswith("lib") and not name.startswith("libpython")


def _names(entry: Entry) -> set[str]:
    dest, src = entry[0], entry[1]
    return {
        PurePosixPath(dest.replace(os.sep, "/")).name,
        os.path.basename(src),
        os.path.basename(os.path.realpath(src)),
    }


def linked_closure(roots: Iterable[str]) -> set[str]:
    """Base names of every library the `roots` files link to, transitively."""
    from PyInstaller.depend.bindepend import get_imports

    seen: set[str] = set()
    todo = list(roots)
    done: set[str] = set()
    while todo:
        path = todo.pop()
        if path in done:
            continue
        done.add(path)
        for name, resolved in get_imports(path):
            seen.add(os.path.basename(name))
            if resolved:
                seen.add(os.path.basename(resolved))
                seen.add(os.path.basename(os.path.realpath(resolved)))
                todo.append(resolved)
    return seen


def trim_binaries(binaries: list[Entry]) -> list[Entry]:
    kept = [entry for entry in binaries if keep_qt_file(entry[0])]
    roots = [entry[1] for entry in kept if not _is_plain_library(entry)]
    needed = linked_closure(roots) | DLOPENED
    return [entry for entry in kept if not _is_plain_library(entry) or _names(entry) & needed]


def _symlink_target(entry: Entry) -> str:
    dest, target = entry[0].replace(os.sep, "/"), entry[1].replace(os.sep, "/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(dest), target))


def trim_datas(datas: list[Entry], binaries: list[Entry]) -> list[Entry]:
    """Drop Qt data files we do not use, the .ts sources, and symlinks to dropped libraries."""
    files = {
        entry[0].replace(os.sep, "/") for entry in [*binaries, *datas] if entry[2] != "SYMLINK"
    }
    return [
        entry
        for entry in datas
        if keep_qt_file(entry[0])
        and not entry[0].endswith(".ts")
        and (entry[2] != "SYMLINK" or _symlink_target(entry) in files)
    ]


def report(label: str, before: list[Entry], after: list[Entry]) -> None:
    dropped = sorted({entry[0] for entry in before} - {entry[0] for entry in after})
    print(f"cambio.spec: {label}: kept {len(after)}, dropped {len(dropped)}")
    if os.environ.get("CAMBIO_SPEC_VERBOSE"):
        for dest in dropped:
            print(f"  - {dest}")
