"""Overriding `train_step` / `test_step` the way Keras 3 documents it for its PyTorch backend
(keras.io "Customizing what happens in fit() with PyTorch"): `self.zero_grad()`,
`self.compute_loss(...)`, `loss.backward()`, `self.optimizer.apply(grads, weights)`, and
metric trackers listed by a `metrics` property.

Runs unchanged on Keras 3 with the torch backend: replace the kerastorch import with `import keras`.
"""
import os

os.environ["KERAS_BACKEND"] = "torch"

import kerastorch as keras

import numpy as np
import torch

QUICK = os.environ.get("KERASTORCH_QUICK") == "1"
keras.utils.set_random_seed(0)


class CustomModel(keras.Model):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")

    def train_step(self, data):
        x, y = data

        # Clear the leftover gradients, run the forward pass, compute the loss.
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)

        # Backpropagate, then let the optimizer update the weights.
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)

        # Update our own metrics.
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}

    @property
    def metrics(self):
        # Listed here so that `reset_state()` is called on them at the start of each epoch
        # and of `evaluate()`.
        return [self.loss_tracker, self.mae_metric]


# A regression problem: y = x @ w + noise.
num_samples = 1000 if QUICK else 4000
rng = np.random.default_rng(0)
x = rng.normal(size=(num_samples, 32)).astype("float32")
w = rng.normal(size=(32, 1)).astype("float32")
y = (x @ w + 0.1 * rng.normal(size=(num_samples, 1))).astype("float32")
x_train, y_train, x_test, y_test = x[:-200], y[:-200], x[-200:], y[-200:]

# 1. A subclass of Model built from inputs and outputs (the functional API).
inputs = keras.Input(shape=(32,))
hidden = keras.layers.Dense(32, activation="relu")(inputs)
outputs = keras.layers.Dense(1)(hidden)
model = CustomModel(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam(learning_rate=3e-3), loss="mse")
history = model.fit(x_train, y_train, epochs=5 if QUICK else 20, batch_size=32, verbose=2)
assert set(history.history) == {"loss", "mae"}, history.history.keys()
results = model.evaluate(x_test, y_test, verbose=0, return_dict=True)
print("functional CustomModel:", results)


# 2. A fully subclassed model (layers created in __init__, forward pass in call) with the same
# train_step. It derives from keras.Model, not from CustomModel: Keras 3 turns a Model subclass
# that was called with (inputs, outputs) into a functional class, which a subclass without
# inputs could not be built from.
class MLP(keras.Model):
    train_step = CustomModel.train_step
    test_step = CustomModel.test_step
    metrics = CustomModel.metrics

    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
        self.hidden = keras.layers.Dense(units, activation="relu")
        self.out = keras.layers.Dense(1)

    def call(self, inputs):
        return self.out(self.hidden(inputs))


mlp = MLP()
mlp.compile(optimizer=keras.optimizers.Adam(learning_rate=3e-3), loss="mse")
mlp.fit(x_train, y_train, epochs=5 if QUICK else 20, batch_size=32, validation_split=0.1, verbose=2)
mlp_results = mlp.evaluate(x_test, y_test, verbose=0, return_dict=True)
print("subclassed MLP:", mlp_results)

baseline_mae = float(np.mean(np.abs(y_test - y_train.mean())))
print(f"predict-the-mean MAE: {baseline_mae:.4f}")
threshold = 0.5 if QUICK else 0.25
assert results["mae"] < threshold * baseline_mae, results
assert mlp_results["mae"] < threshold * baseline_mae, mlp_results
