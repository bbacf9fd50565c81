"""Data-parallel training with keras.distribution (the keras.io "distributed training with JAX" recipe,
data-parallel part) on scikit-learn's 8x8 digits.

One process, or several: `torchrun --nproc_per_node=2 data_parallel_mnist_style.py`. Each process
trains its share of every global batch of 64 and every process ends with the same weights; only
process 0 prints the progress bar.
Runs unchanged on Keras 3: replace the first import with `import keras` (on JAX, where one process
drives every local device).
"""
import kerastorch as keras

import os

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

QUICK = os.environ.get("KERASTORCH_QUICK") == "1"
keras.utils.set_random_seed(7)

# The distribution: data parallel over every device of the run (one per process here).
devices = keras.distribution.list_devices()
data_parallel = keras.distribution.DataParallel(devices=devices)
keras.distribution.set_distribution(data_parallel)
print("replicas:", data_parallel.num_model_replicas, "devices:", devices)

digits = load_digits()
x = (digits.images.reshape(-1, 64) / 16.0).astype("float32")
y = digits.target.astype("int64")
x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)

model = keras.Sequential(
    [
        keras.Input(shape=(64,)),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(10, activation="softmax"),
    ]
)
model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])

epochs = 2 if QUICK else 15
# Every process passes the same arrays; the distribution gives each its share of every batch.
verbose = 2 if QUICK else 1
history = model.fit(x_train, y_train, batch_size=64, epochs=epochs, validation_split=0.1, verbose=verbose)
loss, accuracy = model.evaluate(x_test, y_test, batch_size=64, verbose=0)
print(f"test loss {loss:.4f} - test accuracy {accuracy:.4f}")
if not QUICK:
    assert accuracy > 0.9, accuracy
