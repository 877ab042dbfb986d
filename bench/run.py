"""Run every benchmark, or the one named, each in its own process, and print their JSON result lines.

    .venv/bin/python -m bench.run                        # all of them (from the repository root)
    .venv/bin/python -m bench.run order_report_ingest    # one (extra arguments go to it, e.g. --rows 100000)

A benchmark is a module in bench/ (other than common and run) whose output ends with one JSON line. Progress goes
to stderr; stdout carries only the result lines, so `-m bench.run > results.jsonl` collects them. The exit status
is 0 when every benchmark ran and passed its target, 1 when one missed, 2 when one failed to run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
NOT_BENCHMARKS = {"__init__", "common", "run"}


def benchmarks() -> list[str]:
    return sorted(p.stem for p in BENCH_DIR.glob("*.py") if p.stem not in NOT_BENCHMARKS)


def run(name: str, args: list[str]) -> dict | None:
    print(f"== {name}", file=sys.stderr, flush=True)
    done = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", *args],
        cwd=BENCH_DIR.parent,
        stdout=subprocess.PIPE,
        text=True,
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or not lines:
        print(f"{name} failed (exit {done.returncode})", file=sys.stderr)
        return None
    try:
        result = json.loads(lines[-1])
    except json.JSONDecodeError:
        print(f"{name} did not end with a JSON line: {lines[-1][:200]}", file=sys.stderr)
        return None
    print(json.dumps(result), flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    known = benchmarks()
    if argv and not argv[0].startswith("-"):
        name, args = argv[0], argv[1:]
        if name not in known:
            print(f"no benchmark {name!r}; known: {', '.join(known)}", file=sys.stderr)
            return 2
        selected = [name]
    else:
        selected, args = known, argv
    results = [run(name, args) for name in selected]
    if any(r is None for r in results):
        return 2
    return 0 if all(r.get("pass") for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
