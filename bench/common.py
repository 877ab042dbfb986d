"""What every benchmark shares: the one JSON line it ends with, and honest timing and memory figures.

Measured work runs in a child process (`run_measured`) so its peak RSS is its own: the parent's generator, imports
and earlier runs do not count, and a benchmark comparing two ways of doing a job gives each a clean process.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = REPO_ROOT / "bench" / "out"
GIB = 1024**3


def emit(
    benchmark: str,
    figure: float,
    unit: str,
    baseline: float | None,
    ratio: float | None,
    target: str,
    passed: bool,
    **extras: Any,
) -> dict[str, Any]:
    """Print the benchmark's result as ONE JSON line (the last line of its output) and return it."""
    line = {
        "benchmark": benchmark,
        "figure": figure,
        "unit": unit,
        "baseline": baseline,
        "ratio": ratio,
        "target": target,
        "pass": passed,
        **extras,
    }
    print(json.dumps(line, default=str), flush=True)
    return line


def peak_rss_bytes() -> int:
    """Peak resident set size of this process so far (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def run_measured(module: str, *args: str, timeout: float = 1800) -> dict[str, Any]:
    """Run `python -m module args...` from the repo root; its last stdout line is its JSON result."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if not lines:
        raise RuntimeError(f"{module} {' '.join(args)} printed nothing")
    return json.loads(lines[-1])


def machine() -> dict[str, Any]:
    """Enough about the machine to compare figures later."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GIB
    except (ValueError, OSError):
        memory = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory, 1) if memory else None,
        "python": platform.python_version(),
    }
