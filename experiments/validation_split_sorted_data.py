"""validation_split on data sorted by class: Keras's last-fraction split vs kerastorch's default.

    python experiments/validation_split_sorted_data.py [--split 0.1] [--epochs 10]

scikit-learn digits sorted by label (as data often is on disk: one folder or file per
class). `fit(validation_split=0.1)` with
  * keras.config.set_default("validation_split", "last") -- Keras's rule: the last 10%
    of the arrays, taken before any shuffling;
  * kerastorch's default -- a seeded random split, stratified by class.
Prints, for each, the classes in the validation and training sets and the final
validation accuracy of a small MLP. Runs in about 10 seconds.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from sklearn.datasets import load_digits

import kerastorch as keras
from kerastorch.trainer.data.splitting import split_validation

torch.set_num_threads(2)


def counts(y, classes=10):
    return " ".join(str(c) for c in np.bincount(y, minlength=classes))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", type=float, default=0.1)
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    start = time.time()
    d = load_digits()
    order = np.argsort(d.target, kind="stable")
    x = (d.data[order] / 16.0).astype("float32")
    y = d.target[order].astype("int64")
    rows = []
    for setting in ("last", "stratified"):
        keras.config.set_default("validation_split", setting)
        (_, ytr, _), (_, yva, _) = split_validation(x, y, None, args.split, verbose=False)
        keras.backend.clear_session()
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(64, activation="relu"),
                                  keras.layers.Dense(10, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        h = model.fit(x, y, validation_split=args.split, epochs=args.epochs, batch_size=32, verbose=0)
        rows.append((setting, yva, ytr, h.history["accuracy"][-1], h.history["val_accuracy"][-1]))
    keras.config.use_keras_defaults(False)
    print(f"scikit-learn digits sorted by class ({len(y)} images), fit(validation_split={args.split}), "
          f"MLP 64-64-10, {args.epochs} epochs\n")
    print("| validation_split rule | validation images per class 0..9 | training images per class 0..9 | "
          "train acc | val acc |")
    print("|---|---|---|---|---|")
    names = {"last": 'Keras: last fraction (`set_default("validation_split", "last")`)',
             "stratified": "kerastorch default: seeded, stratified"}
    for setting, yva, ytr, acc, vacc in rows:
        print(f"| {names[setting]} | {counts(yva)} | {counts(ytr)} | {acc:.3f} | {vacc:.3f} |")
    print(f"\n({time.time() - start:.0f} s)")


if __name__ == "__main__":
    main()
