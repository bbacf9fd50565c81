"""Frozen BatchNormalization when fine-tuning: Keras 2's behaviour vs Keras 3's (kerastorch's).

    python experiments/frozen_bn_finetuning.py [--seeds 0 1 2]

A small conv net with BatchNormalization is pretrained on scikit-learn digits 0-4
(8x8 images). Its base is then frozen (`base.trainable = False`) and a new head is
trained on digits 5-9, with and without a distribution shift (the new images have
their contrast halved and a brightness offset: x * 0.5 + 0.4, as from another
scanner). Validation accuracy on digits 5-9 for:

  * kerastorch / Keras 3 (and tf.keras >= 2.0): a frozen BatchNormalization layer runs in
    inference mode -- it normalizes with its moving statistics in training too;
  * Keras 2 style (multi-backend Keras 2.x, tf.keras under TF 1.x): the frozen layer still
    normalizes with the batch statistics in training (its moving statistics are not updated and are used at
    inference). Emulated here by setting only the flag BatchNormalization.call reads
    (`_trainable`), so that it uses batch statistics, while the weights stay frozen and the
    moving-statistics update is disabled;
  * `model.freeze(train_bn=True)` (fastai's choice): BatchNormalization stays trainable
    in the frozen base (batch statistics, moving statistics and affine weights adapt).

Runs in a few minutes on 2 CPU cores (about 4 on a busy one).
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


def digits():
    d = load_digits()
    x = (d.images / 16.0).astype("float32")[..., None]  # NHWC, values in [0, 1]
    return x, d.target.astype("int64")


def make_base():
    return keras.Sequential([
        keras.Input(shape=(8, 8, 1)),
        keras.layers.Conv2D(16, 3, padding="same", use_bias=False),
        keras.layers.BatchNormalization(),
        keras.layers.Activation("relu"),
        keras.layers.Conv2D(32, 3, padding="same", use_bias=False),
        keras.layers.BatchNormalization(),
        keras.layers.Activation("relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
    ], name="base")


def batch_norms(model):
    return [l for l in model._flatten_layers() if isinstance(l, keras.layers.BatchNormalization)]


def keras2_frozen_bn(base):
    """Emulate Keras 2: frozen BN layers normalize with batch statistics when training, without
    updating their moving statistics; their weights stay frozen (requires_grad stays False)."""
    for bn in batch_norms(base):
        bn._trainable = True  # only the flag BatchNormalization.call reads; the weights stay frozen
        bn._update_moving = lambda mean, var: None


def pretrain(seed: int, x, y, epochs: int) -> list:
    """Weights of a conv base pretrained on digits 0-4."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    a = y < 5
    base = make_base()
    pre = keras.Sequential([keras.Input(shape=(8, 8, 1)), base, keras.layers.Dense(5, activation="softmax")])
    pre.compile(keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy")
    pre.fit(x[a], y[a], batch_size=32, epochs=epochs, verbose=0)
    return base.get_weights()


def transfer(seed: int, base_weights: list, shift: bool, mode: str, x, y, epochs: int):
    """Freeze the pretrained base, train a new head on digits 5-9; (train acc, val acc)."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    xb, yb = x[y >= 5], y[y >= 5] - 5
    if shift:
        xb = xb * 0.5 + 0.4
    xtr, xva, ytr, yva = train_test_split(xb, yb, test_size=0.3, stratify=yb, random_state=seed)
    base = make_base()
    base.set_weights(base_weights)
    model = keras.Sequential([keras.Input(shape=(8, 8, 1)), base, keras.layers.Dense(5, activation="softmax")])
    model.compile(keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy", metrics=["accuracy"])
    if mode == "train_bn":
        model.freeze(train_bn=True)
    else:
        base.trainable = False
        if mode == "keras2":
            keras2_frozen_bn(base)
    h = model.fit(xtr, ytr, validation_data=(xva, yva), batch_size=32, epochs=epochs, verbose=0)
    return h.history["accuracy"][-1], h.history["val_accuracy"][-1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--pretrain-epochs", type=int, default=10)
    parser.add_argument("--head-epochs", type=int, default=10)
    args = parser.parse_args()
    start = time.time()
    x, y = digits()
    modes = [("keras3", "kerastorch default = Keras 3: frozen BN in inference mode"),
             ("keras2", "Keras 2 style: frozen BN uses batch statistics in training"),
             ("train_bn", "`model.freeze(train_bn=True)` (fastai): BN kept trainable")]
    results = {key: [] for key in ((shift, mode) for shift in (False, True) for mode, _ in modes)}
    for seed in args.seeds:
        weights = pretrain(seed, x, y, args.pretrain_epochs)
        for shift, mode in results:
            results[shift, mode].append(transfer(seed, weights, shift, mode, x, y, args.head_epochs))
    print(f"Pretrain on digits 0-4 ({args.pretrain_epochs} epochs), freeze the conv base, train a new head on "
          f"digits 5-9 ({args.head_epochs} epochs); validation accuracy on digits 5-9 (30%), "
          f"seeds {args.seeds}\n")
    print("| new-task data | frozen BatchNormalization | val acc per seed | mean val acc | mean train acc |")
    print("|---|---|---|---|---|")
    for shift in (False, True):
        for mode, name in modes:
            r = results[shift, mode]
            print(f"| {'shifted (x*0.5+0.4)' if shift else 'same distribution'} | {name} | "
                  f"{' / '.join(f'{v:.3f}' for _, v in r)} | {np.mean([v for _, v in r]):.3f} | "
                  f"{np.mean([t for t, _ in r]):.3f} |")
    for shift in (False, True):
        gap = np.mean([v for _, v in results[shift, "keras3"]]) - np.mean([v for _, v in results[shift, "keras2"]])
        print(f"\nGap (Keras 3 rule - Keras 2 style), {'shifted' if shift else 'same distribution'}: "
              f"{gap * 100:+.1f} points of validation accuracy")
    print(f"\n({time.time() - start:.0f} s)")


if __name__ == "__main__":
    main()
