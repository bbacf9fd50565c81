"""``fit`` with a ``torch.optim.AdamW`` against ``fit`` with kerastorch's ``AdamW`` (issue 18's speed bar).

The shared bench's ``mlp`` workload (``../shared/bench/workloads.py``: 784-512-512-10, batch 128,
sparse CE + accuracy) is compiled three times with the same hyper-parameters (lr 1e-3, weight
decay 0.004) and trained interleaved, epoch by epoch, in one process:

* ``kerastorch``: ``keras.optimizers.AdamW`` (one fused torch kernel per step on CPU);
* ``torch``: ``torch.optim.AdamW(model.parameters())`` as a user writes it, passed to
  ``compile`` (the adapter runs torch's fused kernel on CPU, see ``TorchOptimizer``'s ``fused``);
* ``torch loop``: the same wrapped with ``TorchOptimizer(..., fused=False)``: torch's own default
  on CPU, the per-tensor loop, to show what the kernel choice is worth.

Each epoch is one ``fit(epochs=1)`` call, timed in process CPU time (wall time too); the
ratio is the median over epochs of kerastorch's time / the other's (>1: the other is slower).

    python bench/torch_optimizer_speed.py                 # mlp, 5 measured epochs
    python bench/torch_optimizer_speed.py --epochs 3 --samples 8000
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

SHARED_BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workload", default="mlp")
    ap.add_argument("--epochs", type=int, default=5, help="measured epochs per runner (after one warm-up)")
    ap.add_argument("--samples", type=int, default=0, help="train on the first N samples (0: all)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--bench-dir", default=str(SHARED_BENCH))
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    sys.path.insert(0, args.bench_dir)
    import torch
    torch.set_num_threads(args.threads)
    import workloads as W  # noqa: N812 - the shared harness's module

    import kerastorch as keras

    w = W.WORKLOADS[args.workload]
    x, y = w.make_data()
    if args.samples:
        x, y = x[:args.samples], y[:args.samples]
    config = None
    runners = {}
    for label in ("kerastorch", "torch", "torch loop"):
        keras.utils.set_random_seed(0)
        model = getattr(W, f"keras_{args.workload}")(keras)
        config = config or model.get_compile_config()
        if label == "kerastorch":
            optimizer = keras.optimizers.AdamW(learning_rate=1e-3, weight_decay=0.004)
        else:
            optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.004)
            if label == "torch loop":
                optimizer = keras.optimizers.TorchOptimizer(optimizer, fused=False)
        model.compile(optimizer=optimizer, loss=config["loss"], metrics=config["metrics"])
        runners[label] = _epochs(model, x, y, w.batch_size)

    for runner in runners.values():  # warm-up epoch each
        next(runner)
    cpu = {k: [] for k in runners}
    wall = {k: [] for k in runners}
    for _ in range(args.epochs):
        for label, runner in runners.items():
            c, t = next(runner)
            cpu[label].append(c)
            wall[label].append(t)

    print(f"torch {torch.__version__}, {args.threads} thread(s), workload {args.workload}, {len(x)} samples, "
          f"median of {args.epochs} epochs")
    print(f"{'optimizer':<12} {'cpu s/epoch':>12} {'wall s/epoch':>13} {'samples/s':>10} {'kerastorch/this':>16}")
    for label in runners:
        ratio = statistics.median(k / o for k, o in zip(cpu["kerastorch"], cpu[label]))
        med_cpu, med_wall = statistics.median(cpu[label]), statistics.median(wall[label])
        print(f"{label:<12} {med_cpu:>12.3f} {med_wall:>13.3f} {len(x) / med_cpu:>10.0f} {ratio:>16.3f}")
    return 0


def _epochs(model, x, y, batch_size):
    while True:
        c0, t0 = time.process_time(), time.perf_counter()
        model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
        yield time.process_time() - c0, time.perf_counter() - t0


if __name__ == "__main__":
    raise SystemExit(main())
