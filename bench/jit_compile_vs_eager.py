"""``compile(jit_compile=True)`` against the eager step and the hand-written torch loop.

Uses the shared workloads of ``../shared/bench/workloads.py``: the same Keras-style models,
compiled once as the harness does (eager) and once more with ``jit_compile=True``. Each epoch is
one ``fit(epochs=1)`` call (its set-up, well under 1% of an epoch, is included), timed in process
CPU time, with the three runners interleaved epoch by epoch.

    python bench/jit_compile_vs_eager.py                       # overhead, mlp, cnn, transformer
    python bench/jit_compile_vs_eager.py --workloads overhead --epochs 5

The first epoch of the jit model includes compilation; its wall time is printed separately.
``lstm`` is accepted but trains eagerly under jit_compile (recurrent layers are not compiled).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

SHARED_BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workloads", default="overhead,mlp,cnn,transformer")
    ap.add_argument("--epochs", type=int, default=3, help="measured epochs per runner (after one warm-up)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--bench-dir", default=str(SHARED_BENCH))
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    sys.path.insert(0, args.bench_dir)
    import torch
    torch.set_num_threads(args.threads)
    import workloads as W  # noqa: N812 - the shared harness's module

    import kerastorch as keras

    print(f"torch {torch.__version__}, {args.threads} thread(s); CPU-time ratios to the torch loop "
          f"(median of {args.epochs} epochs; >1 = faster than torch)")
    print(f"{'workload':<12} {'eager':>7} {'jit':>7} {'jit/eager':>10} {'compile s':>10}")
    for name in args.workloads.split(","):
        w = W.WORKLOADS[name]
        x, y = w.make_data()
        xt, yt = W.to_torch(name, x, y)
        torch.manual_seed(0)
        setup = w.build_torch()
        keras.utils.set_random_seed(0)
        eager = getattr(W, f"keras_{name}")(keras)
        keras.utils.set_random_seed(0)
        jit = getattr(W, f"keras_{name}")(keras)
        jit.compile(**{**jit.get_compile_config(), "jit_compile": True})  # the harness's arguments
        runners = {"torch": _torch_epochs(W, setup, xt, yt, w.batch_size),
                   "eager": _keras_epochs(eager, x, y, w.batch_size),
                   "jit": _keras_epochs(jit, x, y, w.batch_size)}
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for runner in runners.values():  # warm-up epochs (the jit one compiles)
                next(runner)
            compile_s = time.perf_counter() - t0
            cpu = {k: [] for k in runners}
            for _ in range(args.epochs):
                for k, runner in runners.items():
                    cpu[k].append(next(runner))
        ratio = {k: statistics.median(t / c for t, c in zip(cpu["torch"], cpu[k])) for k in ("eager", "jit")}
        print(f"{name:<12} {ratio['eager']:>7.2f} {ratio['jit']:>7.2f} {ratio['jit'] / ratio['eager']:>10.2f} "
              f"{compile_s:>10.1f}", flush=True)
    return 0


def _torch_epochs(W, setup, xt, yt, batch_size):  # noqa: N803
    while True:
        start = time.process_time()
        W.torch_train_epoch(setup, xt, yt, batch_size)
        yield time.process_time() - start


def _keras_epochs(model, x, y, batch_size):
    while True:
        start = time.process_time()
        model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
        yield time.process_time() - start


if __name__ == "__main__":
    raise SystemExit(main())
