"""Speed and scale, measured: the console against a bare Textual app, 10,000 calls against a
million, ``db/`` against its own SQL, on the machine at hand.

    .venv/bin/python scripts/bench.py                  # everything (10-20 minutes)
    .venv/bin/python scripts/bench.py --quick          # 10,000 calls only, few repeats
    .venv/bin/python scripts/bench.py --only queries,keys --json out.json

Every figure is a ratio or a difference taken in one run, with the runs it compares interleaved
and summarised by medians, so it holds on a small, busy machine: start-up against a bare app
(bench_start), key latency under Pilot (bench_keys), the queries behind each screen against the
same SQL on the DBAPI cursor (bench_queries), bytes on the wire under a pseudo-terminal
(bench_wire) and PostgreSQL claims from 1, 4 and 16 processes (bench_claims). The demo databases
are built once and cached (bench_data). One Markdown table is printed, with the goal beside each
figure, and the whole result is written as JSON; docs/performance.md holds the latest table.
"""

import argparse
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from bench_common import (
    BIG,
    SMALL,
    Figure,
    figures_json,
    log,
    machine,
    table,
    write_json,
)
from bench_data import cache_dir, ensure_demo, scratch_copy

PARTS = ("start", "keys", "queries", "wire", "claims")


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 calls only, few repeats")
    parser.add_argument(
        "--only", default=",".join(PARTS), help=f"comma-separated parts: {','.join(PARTS)}"
    )
    parser.add_argument(
        "--json", type=Path, default=None, help="where to write the result (default: the cache)"
    )
    args = parser.parse_args(argv)
    args.parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(args.parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    began = time.perf_counter()
    sizes = [SMALL] if args.quick else [SMALL, BIG]
    repeats = {
        "start": 2 if args.quick else 5,
        "keys": 2 if args.quick else 8,
        "queries": 5 if args.quick else 15,
        "wire": 1 if args.quick else 2,
        "claims": 500 if args.quick else 2000,
    }
    result: dict = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "arguments": {"quick": args.quick, "parts": args.parts, "repeats": repeats},
        "machine": machine(),
    }
    log(f"machine: {result['machine']}")
    figures: list[Figure] = []
    demos = []
    if set(args.parts) - {"claims"}:
        demos = [ensure_demo(calls) for calls in sizes]
        result["demos"] = {
            d.label: {"path": str(d.path), "now": d.now.isoformat(), "rows": d.counts}
            for d in demos
        }
    scratch_dir = Path(tempfile.mkdtemp(prefix="abfa-bench-", dir=cache_dir()))
    try:
        scratch = [scratch_copy(d, scratch_dir) for d in demos] if demos else []
        for part in PARTS:
            if part not in args.parts:
                continue
            log(f"{part}: measuring")
            t = time.perf_counter()
            if part == "start":
                import bench_start

                found, raw = bench_start.measure(scratch, repeats["start"])
            elif part == "keys":
                import bench_keys

                found, raw = bench_keys.measure(scratch, repeats["keys"])
            elif part == "queries":
                import bench_queries

                found, raw = bench_queries.measure(demos, repeats["queries"])
                try:
                    pg_found, pg_raw = bench_queries.measure_pg(demos[0], repeats["queries"])
                except Exception as exc:  # no server: the SQLite figures stand alone
                    log(f"queries: PostgreSQL skipped ({type(exc).__name__}: {exc})")
                else:
                    found += pg_found
                    raw = raw | {"postgresql": pg_raw}
            elif part == "wire":
                import bench_wire

                # Bytes do not depend on the data's size (the first full run showed the same
                # figures at both): the full run plays the wire on the big demo only.
                idle = 10.0 if args.quick else 60.0
                found, raw = bench_wire.measure(scratch[-1:], repeats["wire"], idle)
            else:
                import bench_claims

                found, raw = bench_claims.measure(repeats["claims"])
            figures += found
            result[part] = raw | {"seconds": time.perf_counter() - t}
            print(f"\n{table(found)}\n", flush=True)
    finally:
        shutil.rmtree(scratch_dir, ignore_errors=True)
    result["seconds"] = time.perf_counter() - began
    result["figures"] = figures_json(figures)
    text = table(figures)
    result["table"] = text
    path = args.json or cache_dir() / "latest.json"
    write_json(path, result)
    print("\n" + text)
    met = [f.met for f in figures if f.met is not None]
    print(
        f"\n{sum(met)} of {len(met)} goals met; {result['seconds'] / 60:.1f} minutes on "
        f"{result['machine']['cores']} cores (load {result['machine']['load_average']}). "
        f"JSON: {path}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
