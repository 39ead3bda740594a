"""Shared helpers of the benchmark scripts: machine record, versions, timing, result files.

Every script writes ``<output>/<name>.json`` (machine, versions, settings, every figure) and
``<output>/<name>.md`` (the same figures as a markdown table); ``<output>`` defaults to
``benchmarks/results``.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent


def parser(description: str) -> argparse.ArgumentParser:
    """An argument parser with the common ``--quick`` and ``--output`` options."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true", help="toy size: a smoke test in seconds")
    p.add_argument(
        "--output", type=Path, default=RESULTS, help=f"folder of the result files ({RESULTS})"
    )
    return p


def _lscpu() -> dict[str, str]:
    try:
        text = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    fields = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields


def _cpu_mhz() -> float | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("cpu mhz"):
                return float(line.split(":", 1)[1])
    except (OSError, ValueError):
        return None
    return None


def machine() -> dict[str, Any]:
    """CPU model, cores, clock, SIMD flags and the estimated float32 peak (GFLOP/s).

    The peak is ``cores x GHz x FLOPs/cycle`` with two fused multiply-add pipes per core
    (Intel since Haswell, AMD since Zen 2): AVX-512 + FMA gives 2 x 16 lanes x 2 = 64 float32
    FLOPs per cycle, AVX2 + FMA 32, AVX 16, SSE 8. ``GHz`` is ``lscpu``'s maximum clock when it
    reports one, else the current clock of ``/proc/cpuinfo``. It is an upper bound that no
    recurrent network of this size reaches; it puts the achieved rates in proportion.
    """
    info = _lscpu()
    flags = set(info.get("Flags", "").split())
    cores = os.cpu_count() or 1
    mhz = float(info["CPU max MHz"]) if info.get("CPU max MHz") else _cpu_mhz()
    if {"avx512f", "fma"} <= flags:
        per_cycle, simd = 64, "AVX-512 + FMA"
    elif {"avx2", "fma"} <= flags:
        per_cycle, simd = 32, "AVX2 + FMA"
    elif "avx" in flags:
        per_cycle, simd = 16, "AVX"
    else:
        per_cycle, simd = 8, "SSE"
    peak = cores * (mhz or 0.0) / 1000.0 * per_cycle
    return {
        "cpu_model": info.get("Model name") or platform.processor() or "unknown",
        "cores": cores,
        "mhz": mhz,
        "simd": simd,
        "float32_flops_per_cycle_per_core": per_cycle,
        "peak_gflops_float32": round(peak, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def versions(packages: Iterable[str]) -> dict[str, str]:
    """Installed versions of ``packages`` ("not installed" when missing)."""
    out = {}
    for name in packages:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def timed(func: Callable[[], Any]) -> tuple[Any, float, float]:
    """Run ``func``; return its result, wall seconds and CPU seconds of this process."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = func()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def summary(values: Sequence[float]) -> dict[str, float]:
    """Median, minimum and maximum of repeated measurements."""
    return {
        "median": float(statistics.median(values)),
        "min": float(min(values)),
        "max": float(max(values)),
    }


def run_json_subprocess(args: Sequence[str], timeout: float = 600) -> dict[str, Any]:
    """Run ``python <args>`` in a fresh interpreter and parse the JSON of its last stdout line.

    Each alternative gets its own process so that one's global state (thread pools, compiled
    graphs, allocator) cannot help or hurt another's numbers.
    """
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "src"), str(ROOT / "benchmarks"), env.get("PYTHONPATH", "")]
    )
    completed = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, timeout=timeout
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if completed.returncode != 0 or not lines:
        tail = (completed.stderr or completed.stdout)[-2000:]
        raise RuntimeError(f"benchmark worker {' '.join(args)} failed:\n{tail}")
    return json.loads(lines[-1])


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A GitHub markdown table; floats get 4 significant digits."""

    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.4g}"
        return str(value)

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def write_results(
    output: Path, name: str, record: dict[str, Any], table: str, notes: Sequence[str] = ()
) -> tuple[Path, Path]:
    """Write ``<name>.json`` and ``<name>.md`` into ``output``; print where they went."""
    output.mkdir(parents=True, exist_ok=True)
    json_path, md_path = output / f"{name}.json", output / f"{name}.md"
    json_path.write_text(json.dumps(record, indent=2) + "\n")
    m = record["machine"]
    header = (
        f"# {name}\n\n{record.get('description', '')}\n\n"
        f"Machine: {m['cpu_model']}, {m['cores']} cores, {m['simd']}, "
        f"estimated float32 peak {m['peak_gflops_float32']} GFLOP/s. "
        f"Size: {'quick' if record.get('quick') else 'full'}. "
        f"Load average at start: {m.get('load_average_at_start')}.\n\n"
    )
    body = table + "\n"
    if notes:
        body += "\n" + "\n".join(f"- {n}" for n in notes) + "\n"
    md_path.write_text(header + body)
    print(f"results written to {json_path} and {md_path}")
    return json_path, md_path
