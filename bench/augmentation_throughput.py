"""Augmentation cost inside ``fit``: a small CNN on 224x224 images with a
RandomFlip + RandomRotation + RandomZoom pipeline as its first layers, against the same CNN fed
tensors augmented beforehand. Prints seconds per epoch (median over rounds) and the ratio.

    python bench/augmentation_throughput.py --images 256 --batch 32 --rounds 3
    python bench/augmentation_throughput.py --device cuda
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

import kerastorch as keras
from kerastorch._core.config import get_device, set_device


def cnn(augment: bool) -> keras.Model:
    layers = [keras.Input((224, 224, 3))]
    if augment:
        layers += [keras.layers.RandomFlip("horizontal"), keras.layers.RandomRotation(0.1),
                   keras.layers.RandomZoom(0.1)]
    layers += [keras.layers.Rescaling(1.0 / 255), keras.layers.Conv2D(16, 3, strides=2, activation="relu"),
               keras.layers.Conv2D(32, 3, strides=2, activation="relu"), keras.layers.MaxPooling2D(),
               keras.layers.Conv2D(64, 3, activation="relu"), keras.layers.GlobalAveragePooling2D(),
               keras.layers.Dense(10, activation="softmax")]
    model = keras.Sequential(layers)
    model.compile("adam", "sparse_categorical_crossentropy")
    return model


def epoch_seconds(model: keras.Model, x: np.ndarray, y: np.ndarray, batch: int) -> float:
    start = time.perf_counter()
    model.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=False)
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=256)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--device", default=None, help="e.g. cuda; default: kerastorch's default device")
    args = parser.parse_args()
    if args.device:
        set_device(args.device)
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, size=(args.images, 224, 224, 3)).astype("float32")
    y = rng.integers(0, 10, size=args.images)
    augmentation = keras.Sequential([keras.layers.RandomFlip("horizontal"), keras.layers.RandomRotation(0.1),
                                     keras.layers.RandomZoom(0.1)])
    pre_augmented = np.asarray(augmentation(x, training=True))  # augmented once, outside fit
    augmented_model, plain_model = cnn(True), cnn(False)
    epoch_seconds(augmented_model, x[: args.batch], y[: args.batch], args.batch)  # warm-up
    epoch_seconds(plain_model, pre_augmented[: args.batch], y[: args.batch], args.batch)
    with_aug, without = [], []
    for _ in range(args.rounds):  # interleaved, so load changes hit both
        with_aug.append(epoch_seconds(augmented_model, x, y, args.batch))
        without.append(epoch_seconds(plain_model, pre_augmented, y, args.batch))
    a, b = statistics.median(with_aug), statistics.median(without)
    print(f"device={get_device()} "
          f"images={args.images} batch={args.batch} threads={torch.get_num_threads()}")
    print(f"augmentation in the model: {a:.3f} s/epoch  {[round(t, 3) for t in with_aug]}")
    print(f"pre-augmented tensors:     {b:.3f} s/epoch  {[round(t, 3) for t in without]}")
    print(f"ratio (in-model / pre-augmented): {a / b:.3f}  (target <= 1.2)")


if __name__ == "__main__":
    main()
