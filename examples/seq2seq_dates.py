"""Translate human-written dates to ISO 8601 with an attention encoder-decoder.

    python examples/seq2seq_dates.py            # about 1-2 minutes on 2 CPU cores
    python examples/seq2seq_dates.py --quick    # a smoke run

Trains ``kerastorch.seq2seq.Seq2Seq`` (bidirectional LSTM encoder, LSTM decoder, Luong dot
attention) on the built-in synthetic date task with ``fit``, with dynamic teacher forcing
(the probability of feeding the ground-truth previous token decays linearly from 1 to 0.5),
then decodes held-out dates free-running (greedy and beam search) and prints the
exact-match accuracy. The held-out source strings never occur in the training set.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import torch  # noqa: E402

import kerastorch as keras  # noqa: E402
from kerastorch.seq2seq import LinearDecay, Seq2Seq, SequenceAccuracy, TeacherForcingScheduler, datasets  # noqa: E402


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", type=int, default=10000)
    parser.add_argument("--test", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--attention", default="dot", help="dot, general, additive or none")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick or os.environ.get("KERASTORCH_QUICK") == "1":
        args.train, args.test, args.epochs = 1000, 200, 1
    torch.set_num_threads(min(2, torch.get_num_threads()))

    keras.utils.set_random_seed(args.seed)
    data = datasets.dates(num_train=args.train, num_test=args.test, seed=args.seed)
    print(f"{len(data.src_train)} training pairs, {len(data.src_test)} held-out pairs; source vocabulary "
          f"{data.src_vocab.size}, target vocabulary {data.tgt_vocab.size}, source length {data.max_source_length}")
    for src, tgt in data.train_pairs[:5]:
        print(f"    {src!r:55} -> {tgt}")

    model = Seq2Seq(data.src_vocab.size, data.tgt_vocab.size, embedding_dim=32, units=args.units,
                    attention=None if args.attention == "none" else args.attention,
                    max_output_length=data.max_target_length)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), metrics=["accuracy"])

    steps = args.epochs * math.ceil(args.train / args.batch_size)
    callbacks = [
        TeacherForcingScheduler(LinearDecay(decay_steps=steps, initial=1.0, minimum=0.5), unit="step"),
        SequenceAccuracy(data.src_test[:300], data.tgt_test[:300], name="val_sequence_accuracy"),
    ]
    start = time.perf_counter()
    history = model.fit(data.src_train, data.tgt_train, batch_size=args.batch_size, epochs=args.epochs,
                        validation_data=(data.src_test, data.tgt_test), callbacks=callbacks, verbose=2)
    train_seconds = time.perf_counter() - start
    print("teacher forcing by epoch:", [round(p, 3) for p in history.history["teacher_forcing"]])

    start = time.perf_counter()
    greedy = model.sequence_accuracy(data.src_test, data.tgt_test)
    greedy_seconds = time.perf_counter() - start
    start = time.perf_counter()
    beam = model.sequence_accuracy(data.src_test, data.tgt_test, beam_width=4, length_penalty=0.6)
    beam_seconds = time.perf_counter() - start

    samples = ["Mar 23, 1994", "3/23/94", "twenty-third of march 1994", "the 1st of january, two thousand",
               "Friday, July 4, 2025", "04.07.1976"]
    predictions = model.decode(data.encode_sources(samples))
    print()
    for text, ids in zip(samples, predictions):
        print(f"    {text!r:40} -> {data.tgt_vocab.decode(ids)}")
    print()
    print(f"training: {train_seconds:.0f} s for {args.epochs} epochs")
    print(f"held-out exact-match accuracy, greedy: {greedy:.4f} ({greedy_seconds:.1f} s for {args.test} dates)")
    print(f"held-out exact-match accuracy, beam search (width 4): {beam:.4f} ({beam_seconds:.1f} s)")
    if not (args.quick or os.environ.get("KERASTORCH_QUICK") == "1"):
        assert greedy >= 0.98, f"greedy exact-match accuracy {greedy:.4f} < 0.98"
    return greedy


if __name__ == "__main__":
    main()
