"""lr_find + one-cycle vs Keras's default Adam(1e-3), same epoch budget, scikit-learn digits.

    python experiments/lr_find_one_cycle.py [--epochs 5] [--seeds 0 1 2]

For each seed the same MLP (same initial weights) is trained for the same number of
epochs with Adam:
  * Adam(1e-3) at a constant rate (Keras's default);
  * fit_one_cycle(max_lr=1e-3): the schedule alone;
  * Adam at lr_find's suggestion, constant: the learning rate alone;
  * fit_one_cycle with max_lr from lr_find under each suggestion rule ("valley", "steep",
    "minimum"; one range test per seed).
Validation: a fixed stratified 20% of digits. Prints validation loss / accuracy per seed
and the mean over seeds. About 1-2 minutes on 2 CPU cores.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import kerastorch as keras

torch.set_num_threads(2)


def data():
    d = load_digits()
    x = (d.data / 16.0).astype("float32")
    return train_test_split(x, d.target.astype("int64"), test_size=0.2, stratify=d.target, random_state=0)


def make_model(seed: int):
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input(shape=(64,)),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def run(args):
    xtr, xva, ytr, yva = data()
    rows = []
    for seed in args.seeds:
        model = make_model(seed)
        model.fit(xtr, ytr, batch_size=args.batch_size, epochs=args.epochs, verbose=0)
        loss, acc = model.evaluate(xva, yva, verbose=0)
        rows.append((seed, "Adam(1e-3), constant (Keras default)", None, loss, acc))
        # The schedule alone: one-cycle peaking at Keras's default rate.
        model = make_model(seed)
        model.fit_one_cycle(xtr, ytr, epochs=args.epochs, max_lr=1e-3, batch_size=args.batch_size, verbose=0)
        loss, acc = model.evaluate(xva, yva, verbose=0)
        rows.append((seed, "fit_one_cycle(max_lr=1e-3)", 1e-3, loss, acc))
        found = make_model(seed).lr_find(xtr, ytr, batch_size=args.batch_size)  # one range test, three rules
        # The learning rate alone: lr_find's default suggestion at a constant rate.
        model = make_model(seed)
        model.optimizer.learning_rate = found.suggestion
        model.fit(xtr, ytr, batch_size=args.batch_size, epochs=args.epochs, verbose=0)
        loss, acc = model.evaluate(xva, yva, verbose=0)
        rows.append((seed, "Adam(lr_find minimum), constant", found.suggestion, loss, acc))
        for rule in ("valley", "steep", "minimum"):
            model = make_model(seed)
            lr = found.suggestions[rule]
            model.fit_one_cycle(xtr, ytr, epochs=args.epochs, max_lr=lr, batch_size=args.batch_size, verbose=0)
            loss, acc = model.evaluate(xva, yva, verbose=0)
            rows.append((seed, f"lr_find ({rule}) + fit_one_cycle", lr, loss, acc))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    start = time.time()
    rows = run(args)
    print(f"scikit-learn digits, MLP 64-128-64-10, {args.epochs} epochs, batch {args.batch_size}, "
          f"validation = stratified 20% (360 images)\n")
    print("| seed | training | max_lr | val_loss | val_accuracy |")
    print("|---|---|---|---|---|")
    for seed, name, lr, loss, acc in rows:
        print(f"| {seed} | {name} | {'-' if lr is None else f'{lr:.2g}'} | {loss:.4f} | {acc:.4f} |")
    print("\nMean over seeds:\n")
    print("| training | max_lr (mean) | val_loss | val_accuracy |")
    print("|---|---|---|---|")
    for name in dict.fromkeys(r[1] for r in rows):
        sel = [r for r in rows if r[1] == name]
        lrs = [r[2] for r in sel if r[2] is not None]
        print(f"| {name} | {'-' if not lrs else f'{np.mean(lrs):.2g}'} | {np.mean([r[3] for r in sel]):.4f} | "
              f"{np.mean([r[4] for r in sel]):.4f} |")
    print(f"\n({time.time() - start:.0f} s)")


if __name__ == "__main__":
    main()
