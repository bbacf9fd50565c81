"""The "auto" validation_split policy measured in both directions.

    python experiments/validation_split_policy.py [--trials 1000]

1. Data already in random order (a ported Keras script): how often does "auto" keep Keras's
   last-fraction split (it must, so the numbers stay Keras's), for several label layouts; and
   a fit on shuffled digits gives the same History as Keras's rule ("last").
2. Ordered data (the footgun): how often is a class-sorted / blocked / drifting label order
   caught, and what validation accuracy each rule reports on sorted digits.
3. A time-ordered regression: "auto" keeps the newest samples for validation (never shuffled);
   a random split would leak neighbouring time steps and report an optimistic loss.
Runs in about two and a half minutes on 2 CPU cores.
"""
from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import torch
from sklearn.datasets import load_digits

import kerastorch as keras
from kerastorch.trainer.data.splitting import choose_validation_indices

torch.set_num_threads(2)


def keeps_keras_split(y: np.ndarray, fraction: float) -> bool:
    n = len(y)
    n_train = int(np.floor(n * (1 - fraction)))
    idx, _, _ = choose_validation_indices(y, n, n_train, "auto", 1337)
    return bool(len(idx) == n - n_train and idx[0] == n_train and np.all(np.diff(idx) == 1))


def random_order_rates(trials: int) -> list[tuple[str, float]]:
    rng = np.random.default_rng(0)
    digits = load_digits().target
    layouts = {
        "digits, 10 balanced classes, n=1797, split 0.1": (lambda: rng.permutation(digits), 0.1),
        "binary 95/5, n=1000, split 0.2": (lambda: rng.permutation(np.repeat([0, 1], [950, 50])), 0.2),
        "100 classes, n=5000, split 0.1": (lambda: rng.integers(0, 100, size=5000), 0.1),
        "3 classes, n=60, split 0.25": (lambda: rng.integers(0, 3, size=60), 0.25),
        "20 classes Zipf-like, n=2000, split 0.15": (
            lambda: rng.choice(20, size=2000, p=(w := 1 / np.arange(1, 21)) / w.sum()), 0.15),
    }
    out = []
    for name, (draw, fraction) in layouts.items():
        kept = sum(keeps_keras_split(draw(), fraction) for _ in range(trials))
        out.append((name, kept / trials))
    return out


def ordered_catch_rates(trials: int) -> list[tuple[str, float]]:
    rng = np.random.default_rng(1)
    digits = np.sort(load_digits().target)
    layouts = {
        "digits sorted by class, split 0.1": (lambda: digits, 0.1),
        "blocks of 50 cycling 10 classes, n=2000, split 0.2": (
            lambda: np.tile(np.repeat(np.arange(10), 50), 4), 0.2),
        "blocks of 20 in random block order, 5 classes, n=1000, split 0.2": (
            lambda: np.repeat(rng.integers(0, 5, size=50), 20), 0.2),
        "drift: P(class 1) rises 0.2 -> 0.8 over time, n=1000, split 0.2": (
            lambda: (rng.uniform(size=1000) < np.linspace(0.2, 0.8, 1000)).astype(int), 0.2),
        "binary 90/10 with the positives stored last, n=1000, split 0.1": (
            lambda: np.repeat([0, 1], [900, 100]), 0.1),
    }
    out = []
    for name, (draw, fraction) in layouts.items():
        caught = sum(not keeps_keras_split(draw(), fraction) for _ in range(trials))
        out.append((name, caught / trials))
    return out


def fit_digits(x, y, setting: str, epochs: int = 8):
    keras.config.set_default("validation_split", setting)
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(x, y, validation_split=0.1, epochs=epochs, batch_size=32, verbose=0).history
    notices = [str(w.message) for w in caught if "validation_split" in str(w.message)]
    return history, notices


def time_series_losses():
    rng = np.random.default_rng(0)
    t = np.arange(1200, dtype="float32")
    series = (np.sin(t / 25.0) + 0.3 * np.sin(t / 7.0) + 0.1 * rng.normal(size=t.size)).astype("float32")
    window = 16
    x = np.stack([series[i:i + window] for i in range(len(series) - window)])
    y = series[window:, None] + 0.002 * t[window:, None]  # slow trend: the newest targets are out of range
    rows = []
    for setting in ("auto", "last", "random"):
        keras.config.set_default("validation_split", setting)
        keras.backend.clear_session()
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input(shape=(window,)), keras.layers.Dense(32, activation="relu"),
                                  keras.layers.Dense(1)])
        model.compile("adam", "mse")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            h = model.fit(x, y, validation_split=0.2, epochs=15, batch_size=32, verbose=0).history
        notice = any("look ordered" in str(w.message) for w in caught)
        rows.append((setting, h["val_loss"][-1], notice))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=1000)
    args = parser.parse_args()
    start = time.time()
    print(f"1a. Data in random order: share of {args.trials} random orders where 'auto' keeps Keras's split\n")
    print("| label layout | Keras's split kept |\n|---|---|")
    for name, rate in random_order_rates(args.trials):
        print(f"| {name} | {rate:.3f} |")

    d = load_digits()
    rng = np.random.default_rng(0)
    order = rng.permutation(len(d.target))
    x = (d.data[order] / 16.0).astype("float32")
    y = d.target[order].astype("int64")
    h_auto, notes_auto = fit_digits(x, y, "auto")
    h_last, _ = fit_digits(x, y, "last")
    diff = max(float(np.max(np.abs(np.subtract(h_auto[k], h_last[k])))) for k in h_auto)
    print(f"\n1b. Shuffled digits, 8 epochs: max |History('auto') - History('last')| = {diff:.1e} over "
          f"{sorted(h_auto)}; notices printed: {len(notes_auto)}; val acc {h_auto['val_accuracy'][-1]:.3f}")

    draws = max(args.trials // 10, 20)
    print(f"\n2a. Ordered labels: share of {draws} draws where 'auto' switches to the stratified split\n")
    print("| label layout | caught |\n|---|---|")
    for name, rate in ordered_catch_rates(draws):
        print(f"| {name} | {rate:.3f} |")

    order = np.argsort(d.target, kind="stable")
    xs = (d.data[order] / 16.0).astype("float32")
    ys = d.target[order].astype("int64")
    print("\n2b. Digits sorted by class, fit(validation_split=0.1), 8 epochs\n")
    print("| rule | train acc | val acc | notice |\n|---|---|---|---|")
    for setting in ("last", "auto"):
        h, notes = fit_digits(xs, ys, setting)
        print(f"| {setting} | {h['accuracy'][-1]:.3f} | {h['val_accuracy'][-1]:.3f} | "
              f"{notes[0] if notes else '-'} |")

    print("\n3. Time-ordered regression (sine mixture + trend, windows of 16), validation_split=0.2, 15 epochs\n")
    print("| rule | val MSE | 'ordered' notice |\n|---|---|---|")
    for setting, loss, notice in time_series_losses():
        print(f"| {setting} | {loss:.4f} | {'yes' if notice else 'no'} |")
    keras.config.use_keras_defaults(False)
    print(f"\n({time.time() - start:.0f} s)")


if __name__ == "__main__":
    main()
