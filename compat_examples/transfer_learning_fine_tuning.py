"""Transfer learning and fine-tuning (the keras.io guide's recipe): freeze a pretrained base,
train a new head, then unfreeze and fine-tune everything with a small learning rate.

The "pretrained" base is a small convnet trained here on scikit-learn digits 0-4; the new task
is telling digits 5-9 apart from only 40 labelled images per class. The base contains
BatchNormalization, so it is called with `training=False` to keep it in inference mode.
Runs unchanged on Keras 3: replace the first import with `import keras`.
"""
import kerastorch as keras

import os

import numpy as np
from sklearn.datasets import load_digits

layers = keras.layers
QUICK = os.environ.get("KERASTORCH_QUICK") == "1"
keras.utils.set_random_seed(4)

digits = load_digits()
images = (digits.images / 16.0).astype("float32")[..., None]
labels = digits.target
rng = np.random.default_rng(0)
order = rng.permutation(len(labels))
images, labels = images[order], labels[order]

# Task A (pretraining): digits 0-4, all of them.
is_a = labels < 5
x_a, y_a = images[is_a], labels[is_a]
# Task B (new task): digits 5-9, 40 labelled images per class; the rest is the test set.
x_b, y_b = images[~is_a], labels[~is_a] - 5
few = np.concatenate([np.flatnonzero(y_b == c)[:40] for c in range(5)])
rest = np.setdiff1d(np.arange(len(y_b)), few)
x_b_train, y_b_train, x_b_test, y_b_test = x_b[few], y_b[few], x_b[rest], y_b[rest]

# 1. Pretrain a base model (feature extractor) with a classification head on task A.
base_model = keras.Sequential(
    [
        keras.Input(shape=(8, 8, 1)),
        layers.Conv2D(32, 3, padding="same", use_bias=False),
        layers.BatchNormalization(),
        layers.Activation("relu"),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
    ],
    name="base",
)
pretrain = keras.Sequential([base_model, layers.GlobalAveragePooling2D(), layers.Dense(5, activation="softmax")])
pretrain.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
pretrain.fit(x_a, y_a, epochs=4 if QUICK else 10, batch_size=32, verbose=2)

# 2. Freeze the base and put a new head on top.
base_model.trainable = False
inputs = keras.Input(shape=(8, 8, 1))
# The base model runs in inference mode (BatchNormalization uses its moving statistics),
# also when the head is trained and later when the base is unfrozen for fine-tuning.
x = base_model(inputs, training=False)
x = layers.GlobalAveragePooling2D()(x)
x = layers.Dropout(0.2)(x)
outputs = layers.Dense(5)(x)
model = keras.Model(inputs, outputs)
model.summary(show_trainable=True)
print("trainable weights:", len(model.trainable_weights), "non-trainable weights:", len(model.non_trainable_weights))
assert len(model.trainable_weights) == 2  # only the new Dense head

frozen_before = [w.copy() for w in base_model.get_weights()]
model.compile(
    optimizer=keras.optimizers.Adam(1e-2),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=[keras.metrics.SparseCategoricalAccuracy()],
)
model.fit(x_b_train, y_b_train, epochs=15 if QUICK else 40, batch_size=16, verbose=0)
_, head_accuracy = model.evaluate(x_b_test, y_b_test, verbose=0)
print(f"new head on the frozen base: test accuracy {head_accuracy:.4f}")
for before, after in zip(frozen_before, base_model.get_weights()):
    np.testing.assert_array_equal(before, after)  # frozen: weights and BatchNormalization statistics

# 3. Fine-tune: unfreeze the base and train end to end with a small learning rate.
base_model.trainable = True
model.compile(
    optimizer=keras.optimizers.Adam(1e-4),  # Low learning rate
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=[keras.metrics.SparseCategoricalAccuracy()],
)
print("trainable weights after unfreezing:", len(model.trainable_weights))
model.fit(x_b_train, y_b_train, epochs=5 if QUICK else 10, batch_size=16, verbose=0)
_, tuned_accuracy = model.evaluate(x_b_test, y_b_test, verbose=0)
print(f"after fine-tuning: test accuracy {tuned_accuracy:.4f}")
assert any(not np.array_equal(b, a) for b, a in zip(frozen_before, base_model.get_weights()))
assert head_accuracy >= (0.55 if QUICK else 0.75), head_accuracy
assert tuned_accuracy >= (0.6 if QUICK else 0.85), tuned_accuracy
assert tuned_accuracy >= head_accuracy - 0.03, (head_accuracy, tuned_accuracy)
