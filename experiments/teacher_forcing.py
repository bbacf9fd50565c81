"""Full teacher forcing versus dynamic teacher forcing (scheduled sampling) on the toy date task.

The same attention ``Seq2Seq`` (same data, same initial weights for a given seed, same number
of updates) is trained with

* ``full``: the ground-truth previous token at every decoder step (``teacher_forcing = 1``);
* ``linear``: ``p`` decays linearly per training step from 1 to ``--floor`` over the run;
* ``inverse_sigmoid``: Bengio et al.'s ``p_i = k / (k + exp(i / k))`` per training step, with ``k``
  chosen so that ``p`` crosses 1/2 at 60% of the run (floored at ``--floor``);

and evaluated free-running: greedy decoding of the held-out pairs, exact-match accuracy.
The budget is deliberately small (accuracy is not saturated), so that differences show.

    python experiments/teacher_forcing.py            # the table in docs/seq2seq.md
    python experiments/teacher_forcing.py --quick    # a smoke run
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import kerastorch as keras  # noqa: E402
from kerastorch.seq2seq import InverseSigmoidDecay, LinearDecay, Seq2Seq, TeacherForcingScheduler, datasets  # noqa: E402


def inverse_sigmoid_k(half_step: float) -> float:
    """The k >= 1 with k ln k = half_step (where k / (k + exp(i / k)) = 1/2)."""
    lo, hi = 1.0, max(2.0, half_step)
    for _ in range(100):
        mid = (lo + hi) / 2
        if mid * math.log(mid) < half_step:
            lo = mid
        else:
            hi = mid
    return lo


def run(schedule: str, seed: int, args, data) -> tuple[float, float, float]:
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model = Seq2Seq(data.src_vocab.size, data.tgt_vocab.size, embedding_dim=args.embedding_dim, units=args.units,
                    attention=args.attention, max_output_length=data.max_target_length)
    model.compile(optimizer=keras.optimizers.Adam(args.learning_rate), metrics=["accuracy"])
    steps = args.epochs * math.ceil(len(data.src_train) / args.batch_size)
    callbacks = []
    if schedule == "linear":
        callbacks.append(TeacherForcingScheduler(LinearDecay(decay_steps=steps, minimum=args.floor), unit="step"))
    elif schedule == "inverse_sigmoid":
        k = inverse_sigmoid_k(0.6 * steps)
        callbacks.append(TeacherForcingScheduler(InverseSigmoidDecay(k=k, minimum=args.floor), unit="step"))
    elif schedule != "full":
        raise ValueError(schedule)
    start = time.perf_counter()
    history = model.fit(data.src_train, data.tgt_train, batch_size=args.batch_size, epochs=args.epochs,
                        callbacks=callbacks, verbose=0, shuffle=True)
    seconds = time.perf_counter() - start
    accuracy = model.sequence_accuracy(data.src_test, data.tgt_test)
    final_p = history.history["teacher_forcing"][-1]
    return accuracy, seconds, final_p


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", type=int, default=6000)
    parser.add_argument("--test", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--embedding-dim", type=int, default=32)
    parser.add_argument("--attention", default="dot")
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument("--floor", type=float, default=0.25)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--schedules", nargs="+", default=["full", "linear", "inverse_sigmoid"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="tiny run (smoke test)")
    args = parser.parse_args(argv)
    if args.quick or os.environ.get("KERASTORCH_QUICK") == "1":
        args.train, args.test, args.epochs, args.seeds = 600, 100, 1, args.seeds[:1]
    torch.set_num_threads(args.threads)

    print(f"dates task: {args.train} training pairs, {args.test} held-out pairs; Seq2Seq(attention={args.attention!r}, "
          f"units={args.units}, embedding_dim={args.embedding_dim}), Adam({args.learning_rate}), "
          f"{args.epochs} epochs of batch {args.batch_size}; free-running greedy exact-match accuracy")
    results: dict[str, list] = {}
    for seed in args.seeds:
        data = datasets.dates(args.train, args.test, seed=seed)
        for schedule in args.schedules:
            acc, seconds, final_p = run(schedule, seed, args, data)
            results.setdefault(schedule, []).append((acc, seconds, final_p))
            print(f"  seed {seed}  {schedule:16s} accuracy {acc:.4f}  final p {final_p:.2f}  {seconds:.1f} s",
                  flush=True)

    seeds = " | ".join(f"seed {s}" for s in args.seeds)
    header = f"| teacher forcing | {seeds} | mean ± std | final p | train s |"
    print()
    print(header)
    print("|" + "---|" * (len(args.seeds) + 4))
    labels = {"full": "full (p = 1)", "linear": f"linear 1 → {args.floor} (per step)",
              "inverse_sigmoid": f"inverse sigmoid (per step, floor {args.floor})"}
    for schedule, rows in results.items():
        accs = np.array([r[0] for r in rows])
        cells = " | ".join(f"{100 * a:.1f}%" for a in accs)
        print(f"| {labels[schedule]} | {cells} | {100 * accs.mean():.1f} ± {100 * accs.std():.1f}% | "
              f"{rows[-1][2]:.2f} | {np.mean([r[1] for r in rows]):.0f} |")


if __name__ == "__main__":
    main()
