"""Speed check (not a test): ``fit`` samples/s in 1 process versus N data-parallel processes.

    python bench/distributed.py [--procs 1,2] [--threads 1] [--samples 8192] [--features 256]
                                [--width 512] [--batch 256] [--epochs 3] [--device cpu]

Every configuration trains the same MLP (features -> width -> width -> 10, Adam) on the same
synthetic arrays at the same *global* batch size (kerastorch's ``batch_size`` is global: each of N
processes computes batch/N samples per step). N processes are launched the way torchrun launches
them (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT; gloo on CPU, NCCL on CUDA) with ``--threads``
intra-op threads each; the first epoch is warm-up, the figure is samples per second over the
remaining epochs, timed on rank 0 between ``on_epoch_begin`` and ``on_epoch_end`` (it includes
the gradient all-reduce, the per-epoch metric all-reduce and the barriers). Also printed: one
process with ``procs * threads`` threads, the fair single-process baseline on the same cores.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def worker(args) -> None:
    import numpy as np
    import torch

    torch.set_num_threads(args.threads)
    import kerastorch as keras

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(args.samples, args.features)).astype("float32")
    y = rng.integers(0, 10, size=(args.samples,)).astype("int64")
    model = keras.Sequential([keras.Input((args.features,)), keras.layers.Dense(args.width, activation="relu"),
                              keras.layers.Dense(args.width, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    times: list[float] = []

    class Clock(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            self.t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            times.append(time.perf_counter() - self.t0)
    model.fit(x, y, batch_size=args.batch, epochs=args.epochs, shuffle=True, verbose=0, callbacks=[Clock()])
    if int(os.environ.get("RANK", "0")) == 0:
        measured = sum(times[1:])
        print(json.dumps({"samples_per_s": args.samples * (len(times) - 1) / measured, "epoch_s": times}))


def launch(args, procs: int, threads: int) -> float:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK")}
    base["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p)
    base["OMP_NUM_THREADS"] = str(threads)
    if args.device == "cpu":
        base["KERASTORCH_DEVICE"] = "cpu"
        base["CUDA_VISIBLE_DEVICES"] = ""
    command = [sys.executable, os.path.abspath(__file__), "--worker", "--threads", str(threads)] + \
        [f"--{k}={getattr(args, k)}" for k in ("samples", "features", "width", "batch", "epochs", "device")]
    children = []
    for rank in range(procs):
        env = dict(base)
        if procs > 1:
            env.update(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(procs), MASTER_ADDR="127.0.0.1",
                       MASTER_PORT=str(port))
        children.append(subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True))
    outputs = [c.communicate(timeout=1800)[0] for c in children]
    for c in children:
        if c.returncode != 0:
            raise SystemExit(f"a worker exited with {c.returncode}")
    return json.loads(outputs[0].strip().splitlines()[-1])["samples_per_s"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--procs", default="1,2")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--samples", type=int, default=8192)
    parser.add_argument("--features", type=int, default=256)
    parser.add_argument("--width", type=int, default=512)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    counts = [int(p) for p in args.procs.split(",")]
    print(f"MLP {args.features}-{args.width}-{args.width}-10, {args.samples} samples, global batch {args.batch}, "
          f"{args.device}, {args.threads} thread(s) per process")
    print(f"{'processes':>9} {'threads':>7} {'samples/s':>10} {'vs 1 process':>12}")
    base = None
    for procs in counts:
        rate = launch(args, procs, args.threads)
        base = base or rate
        print(f"{procs:>9} {args.threads:>7} {rate:>10.0f} {rate / base:>11.2f}x")
        if procs > 1:
            single = launch(args, 1, procs * args.threads)
            print(f"{1:>9} {procs * args.threads:>7} {single:>10.0f}"
                  f" {single / base:>11.2f}x  (one process, same cores)")


if __name__ == "__main__":
    main()
