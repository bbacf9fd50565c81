"""Custom layers written the Keras way: `build` + `add_weight`, `get_config`, `add_loss`, and a
saved/reloaded model that contains them.

A small MLP made of the custom `Linear` layer classifies scikit-learn's 8x8 digits.
Runs unchanged on Keras 3: replace the first import with `import keras`.
"""
import kerastorch as keras

import os
import tempfile

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

ops = keras.ops
QUICK = os.environ.get("KERASTORCH_QUICK") == "1"
keras.utils.set_random_seed(3)


@keras.saving.register_keras_serializable(package="compat_examples")
class Linear(keras.layers.Layer):
    """y = activation(x @ w + b), with weights created lazily from the input shape."""

    def __init__(self, units=32, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        self.w = self.add_weight(
            shape=(input_shape[-1], self.units),
            initializer="glorot_uniform",
            trainable=True,
            name="w",
        )
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True, name="b")

    def call(self, inputs):
        return self.activation(ops.matmul(inputs, self.w) + self.b)

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "activation": keras.activations.serialize(self.activation)})
        return config


@keras.saving.register_keras_serializable(package="compat_examples")
class ActivityL2(keras.layers.Layer):
    """Identity layer that adds `rate * mean(x ** 2)` to the model's losses."""

    def __init__(self, rate=1e-3, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate

    def call(self, inputs):
        self.add_loss(self.rate * ops.mean(ops.square(inputs)))
        return inputs

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate})
        return config


# Config round trip.
layer = Linear(16, activation="relu", name="hidden")
clone = Linear.from_config(layer.get_config())
assert clone.units == 16 and clone.name == "hidden"

# A model built from the custom layers.
digits = load_digits()
features = (digits.data / 16.0).astype("float32")
x_train, x_test, y_train, y_test = train_test_split(features, digits.target, test_size=0.25, random_state=0)

inputs = keras.Input(shape=(64,))
h = Linear(64, activation="relu")(inputs)
h = ActivityL2(1e-3)(h)
outputs = Linear(10, activation="softmax")(h)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=32, epochs=8 if QUICK else 30, validation_split=0.1, verbose=2)
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"Test accuracy: {accuracy:.4f}")
print("trainable weights:", [tuple(w.shape) for w in model.trainable_weights])
assert len(model.trainable_weights) == 4

# Save and reload: the registered custom layers are rebuilt from their configs.
path = os.path.join(tempfile.mkdtemp(), "custom_layers.keras")
model.save(path)
reloaded = keras.models.load_model(path)
np.testing.assert_allclose(reloaded.predict(x_test, verbose=0), model.predict(x_test, verbose=0), rtol=1e-5, atol=1e-6)
assert type(reloaded.layers[1]).__name__ == "Linear"
threshold = 0.85 if QUICK else 0.95
assert accuracy >= threshold, f"test accuracy {accuracy:.4f} < {threshold}"
