"""kerastorch against a hand-written torch loop on the shared Keras-style workloads.

Runs ../shared/bench/compare.py with this interpreter for both the torch floor and
kerastorch, interleaved over rounds, and prints throughput ratios (kerastorch / torch).

    python bench/compare_to_torch.py                           # all workloads, 2 rounds
    python bench/compare_to_torch.py --workloads overhead,mlp --rounds 1
    python bench/compare_to_torch.py --keras3 /path/to/venv/bin/python   # add Keras 3 (torch backend)

Extra arguments after ``--`` go to compare.py unchanged.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

SHARED_BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workloads", default=None, help="comma-separated subset (mlp,cnn,lstm,overhead,transformer)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--out-dir", default="out/bench")
    ap.add_argument("--keras3", default=None, help="python of a venv with Keras 3, to add it as a third runner")
    ap.add_argument("--bench-dir", default=str(SHARED_BENCH))
    args, rest = ap.parse_known_args()
    compare = Path(args.bench_dir) / "compare.py"
    if not compare.exists():
        print(f"compare.py not found in {args.bench_dir}; pass --bench-dir", file=sys.stderr)
        return 2
    cmd = [sys.executable, str(compare), "--run", "torch", "torch", sys.executable,
           "--run", "kerastorch", "kerastorch", sys.executable]
    if args.keras3:
        cmd += ["--run", "keras3-torch", "keras3", args.keras3, "KERAS_BACKEND=torch"]
    cmd += ["--floor", "torch", "--rounds", str(args.rounds), "--out-dir", args.out_dir]
    if args.workloads:
        cmd += ["--workloads", args.workloads]
    cmd += [a for a in rest if a != "--"]
    print(" ".join(cmd), flush=True)
    return subprocess.call(cmd)


if __name__ == "__main__":
    raise SystemExit(main())
