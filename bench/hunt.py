"""Times the BITS hunt end to end in kql and its peers, side by side, on the same files.

Each measurement is one fresh process (load, query, count the result rows), so its wall time
and peak resident memory (from wait4's rusage) are those of a cold run. Prints one table per
size and format with the median time of --runs runs, the peak memory, the result rows (which
must agree) and each peer's time as a multiple of kql's. See bench/README.md.
"""

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
QUERY = ROOT / "queries" / "bits" / "bits_jobs.kql"
NOW = "2026-11-27T12:00:00Z"


def run_once(command, output=None):
    """Runs `command`; returns (seconds, peak RSS in MB, stdout)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr = process.stderr.read().decode(errors="replace")
        out.seek(0)
        stdout = out.read().decode(errors="replace")
    if process.returncode != 0:
        sys.exit(f"failed ({process.returncode}): {' '.join(map(str, command))}\n{stderr}")
    return seconds, usage.ru_maxrss / 1024, stdout


def kql_rows(path):
    with open(path, newline="", encoding="utf-8") as file:
        return sum(1 for _ in csv.reader(file)) - 1


def measure(engine, fmt, folder, args):
    """Median seconds, max peak MB and the row count of `args.runs` runs."""
    times, peaks, rows = [], [], set()
    for _ in range(args.runs):
        if engine.startswith("kql"):
            with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as result:
                path = result.name
            command = [args.kql, "run", QUERY, "--data", folder, "--now", NOW,
                       "--allow-missing-columns", "--format", "csv", "-o", path, "-q"]
            threads = engine.removeprefix("kql").strip("-")  # `kql-1`: one thread
            if threads:
                command += ["--threads", threads]
            seconds, peak, _ = run_once(command)
            rows.add(kql_rows(path))
            os.unlink(path)
        elif engine.startswith("baseline"):
            # The minimal Rust program (crates/kql-datagen/src/bin/hunt-baseline.rs).
            threads = engine.removeprefix("baseline").strip("-") or str(os.cpu_count())
            binary = Path(args.kql).with_name("hunt-baseline")
            seconds, peak, stdout = run_once([binary, folder, fmt, "--threads", threads])
            rows.add(int(stdout.strip()))
        else:
            command = [sys.executable, HERE / "peers.py", engine, fmt, folder, NOW]
            seconds, peak, stdout = run_once(command)
            rows.add(int(stdout.strip()))
        times.append(seconds)
        peaks.append(peak)
    return statistics.median(times), max(peaks), rows


def load_average():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=str(HERE / "data"))
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--formats", default="parquet,csv")
    parser.add_argument(
        "--engines", default="kql,kql-1,baseline,baseline-1,duckdb,polars,datafusion")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kql", default=str(ROOT / "target" / "release" / "kql"))
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    results = []
    print(f"load average before: {load_average()}; cores: {os.cpu_count()}")
    for size in args.sizes.split(","):
        for fmt in args.formats.split(","):
            folder = Path(args.data) / size / fmt
            if not folder.is_dir():
                print(f"skipping {folder}: not generated")
                continue
            figures = {}
            for engine in args.engines.split(","):
                seconds, peak, rows = measure(engine, fmt, str(folder), args)
                figures[engine] = (seconds, peak, rows)
                results.append({"size": int(size), "format": fmt, "engine": engine,
                                "seconds": seconds, "peak_mb": peak, "rows": sorted(rows)})
                print(f"  {size} {fmt} {engine}: {seconds:.2f} s, {peak:.0f} MB, rows {rows}",
                      flush=True)
            print_table(size, fmt, figures)
    print(f"load average after: {load_average()}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


def print_table(size, fmt, figures):
    base = figures.get("kql")
    all_rows = set().union(*(rows for _, _, rows in figures.values()))
    agree = "yes" if len(all_rows) == 1 else f"NO: {sorted(all_rows)}"
    print(f"\n{int(size):,} rows per table, {fmt}; same result rows: {agree}")
    print("| engine | median s | peak MB | rows | time / kql |")
    print("|---|---|---|---|---|")
    for engine, (seconds, peak, rows) in figures.items():
        ratio = f"{seconds / base[0]:.2f}x" if base else "-"
        print(f"| {engine} | {seconds:.2f} | {peak:.0f} | {','.join(map(str, rows))} | {ratio} |")
    print(flush=True)


if __name__ == "__main__":
    main()
