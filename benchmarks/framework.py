"""A small benchmark runner: discovers ``benchmarks/bench_*.py``, runs them, compares baselines.

Each ``bench_<name>.py`` module exposes ``run() -> list[Result]``. Results are printed as a table
next to the stored baseline (``baselines.json``: result name -> value) and written to
``results.json``. The ratio column is oriented so that > 1 always means "better than baseline".
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import pkgutil
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASELINES = HERE / "baselines.json"
RESULTS = HERE / "results.json"
PREFIX = "bench_"


@dataclass(frozen=True)
class Result:
    name: str
    value: float
    unit: str
    higher_is_better: bool = True


def discover() -> list[str]:
    """Names of the benchmark modules (without the ``bench_`` prefix), sorted."""
    return sorted(
        info.name[len(PREFIX) :]
        for info in pkgutil.iter_modules([str(HERE)])
        if info.name.startswith(PREFIX)
    )


def load_baselines(path: Path = BASELINES) -> dict[str, float]:
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected an object of name -> value")
    return {str(k): float(v) for k, v in data.items()}


def ratio(result: Result, baseline: float | None) -> float | None:
    """value/baseline, inverted when lower is better; None without a usable baseline."""
    if baseline is None or baseline <= 0 or result.value <= 0:
        return None
    r = result.value / baseline
    return r if result.higher_is_better else 1 / r


def _rounded(value: float) -> float:
    """Four significant digits: more would be noise, and it keeps the JSON readable."""
    return float(f"{value:.4g}") if value else 0.0


def _fmt(value: float | None, digits: int = 0) -> str:
    if value is None or math.isnan(value):
        return "-"
    return f"{value:,.{digits}f}"


def table(results: Sequence[Result], baselines: dict[str, float]) -> str:
    rows = [("name", "value", "unit", "baseline", "ratio")]
    for r in results:
        base = baselines.get(r.name)
        digits = 0 if abs(r.value) >= 100 else 3
        rows.append(
            (r.name, _fmt(r.value, digits), r.unit, _fmt(base, digits), _fmt(ratio(r, base), 2))
        )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = []
    for n, row in enumerate(rows):
        # name and unit left-aligned, numbers right-aligned
        cells = [
            c.ljust(w) if i in (0, 2) else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def run_modules(
    names: Sequence[str], log: Callable[[str], None] = print
) -> tuple[list[Result], list[str]]:
    results: list[Result] = []
    failed: list[str] = []
    for name in names:
        module = importlib.import_module(f"benchmarks.{PREFIX}{name}")
        started = time.perf_counter()
        try:
            got = module.run()
        except Exception as exc:  # one broken benchmark must not hide the others' numbers
            log(f"[{name}] FAILED: {type(exc).__name__}: {exc}")
            failed.append(name)
            continue
        if not isinstance(got, list) or not all(isinstance(r, Result) for r in got):
            log(f"[{name}] FAILED: run() must return list[Result]")
            failed.append(name)
            continue
        log(f"[{name}] {len(got)} result(s) in {time.perf_counter() - started:.1f} s")
        results.extend(got)
    return results, failed


def write_results(results: Sequence[Result], baselines: dict[str, float], path: Path) -> None:
    payload = {
        "time": int(time.time() * 1000),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "results": [
            {**asdict(r), "baseline": (b := baselines.get(r.name)), "ratio": ratio(r, b)}
            for r in results
        ],
    }
    path.write_text(json.dumps(payload, indent=2) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="run only bench_NAME (repeatable; a substring of the module name also selects)",
    )
    parser.add_argument(
        "--update-baselines", action="store_true", help="store these results as the baselines"
    )
    parser.add_argument(
        "--fail-below",
        type=float,
        metavar="RATIO",
        help="exit 1 if any result's ratio to its baseline is below RATIO (e.g. 0.8)",
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)

    names = discover()
    if args.list:
        print("\n".join(names))
        return 0
    if args.only:
        names = [n for n in names if any(n == o or o in n for o in args.only)]
        if not names:
            print(f"no benchmark matches {args.only}; have: {', '.join(discover())}")
            return 2
    results, failed = run_modules(names)
    baselines = load_baselines()
    print()
    print(table(results, baselines))
    write_results(results, baselines, RESULTS)
    if args.update_baselines and results:
        merged = {**baselines, **{r.name: _rounded(r.value) for r in results}}
        BASELINES.write_text(json.dumps(dict(sorted(merged.items())), indent=2) + "\n")
        print(f"\nbaselines updated: {BASELINES}")
    status = 1 if failed else 0
    if args.fail_below is not None:
        slow = [
            r.name
            for r in results
            if (x := ratio(r, baselines.get(r.name))) is not None and x < args.fail_below
        ]
        if slow:
            print(f"\nbelow {args.fail_below} x baseline: {', '.join(slow)}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
