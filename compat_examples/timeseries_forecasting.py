"""Time-series forecasting with an LSTM (in the spirit of keras.io "Timeseries forecasting for
weather prediction"), fed by a `keras.utils.PyDataset` that cuts windows on the fly.

The series is synthetic: a daily and a weekly cycle, a slow trend and noise, sampled hourly.
The model reads the past 48 hours (value, hour-of-day features) and predicts the value 6 hours ahead.
Runs unchanged on Keras 3: replace the first import with `import keras`.
"""
import kerastorch as keras

import math
import os

import numpy as np

QUICK = os.environ.get("KERASTORCH_QUICK") == "1"
keras.utils.set_random_seed(2)

past = 48  # hours of history the model sees
future = 6  # how far ahead to forecast
batch_size = 64

hours = 24 * (120 if QUICK else 400)
t = np.arange(hours, dtype="float32")
rng = np.random.default_rng(0)
series = (
    np.sin(2 * math.pi * t / 24)
    + 0.5 * np.sin(2 * math.pi * t / (24 * 7))
    + t / hours
    + 0.2 * rng.normal(size=hours)
).astype("float32")
features = np.stack([series, np.sin(2 * math.pi * t / 24), np.cos(2 * math.pi * t / 24)], axis=-1).astype("float32")

# Normalize with the training split's statistics.
train_split = int(0.8 * hours)
mean = features[:train_split].mean(axis=0)
std = features[:train_split].std(axis=0)
features = (features - mean) / std
target = features[:, 0]


class WindowDataset(keras.utils.PyDataset):
    """Batches of (past window, value `future` steps after it) from one stretch of the series."""

    def __init__(self, data, targets, start, end, batch_size, shuffle=False, **kwargs):
        super().__init__(**kwargs)
        self.data, self.targets = data, targets
        self.starts = np.arange(start, end - past - future + 1)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.rng = np.random.default_rng(0)

    def __len__(self):
        return math.ceil(len(self.starts) / self.batch_size)

    def __getitem__(self, idx):
        starts = self.starts[idx * self.batch_size:(idx + 1) * self.batch_size]
        x = np.stack([self.data[s:s + past] for s in starts])
        y = self.targets[starts + past + future - 1][:, None]
        return x, y

    def on_epoch_end(self):
        if self.shuffle:
            self.rng.shuffle(self.starts)


train_ds = WindowDataset(features, target, 0, train_split, batch_size, shuffle=True)
val_ds = WindowDataset(features, target, train_split, hours, batch_size)
x_batch, y_batch = train_ds[0]
print("Input shape:", x_batch.shape, "Target shape:", y_batch.shape, "batches:", len(train_ds))

inputs = keras.layers.Input(shape=(past, features.shape[-1]))
lstm_out = keras.layers.LSTM(32)(inputs)
outputs = keras.layers.Dense(1)(lstm_out)

model = keras.Model(inputs=inputs, outputs=outputs)
model.compile(optimizer=keras.optimizers.Adam(learning_rate=3e-3), loss="mse", metrics=["mae"])
model.summary()

history = model.fit(
    train_ds,
    epochs=5 if QUICK else 20,
    validation_data=val_ds,
    callbacks=[keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)],
    verbose=2,
)

val_mse, val_mae = model.evaluate(val_ds, verbose=0)
# Baselines: "same as the last observed value" and "same as 24 hours before the target".
starts = val_ds.starts
truth = target[starts + past + future - 1]
last_value_mae = float(np.mean(np.abs(truth - target[starts + past - 1])))
seasonal_mae = float(np.mean(np.abs(truth - target[starts + past + future - 1 - 24])))
print(f"validation MAE: {val_mae:.4f}  last-value baseline: {last_value_mae:.4f}  "
      f"same-hour-yesterday baseline: {seasonal_mae:.4f}")
predictions = model.predict(val_ds, verbose=0)
assert predictions.shape == (len(starts), 1)
assert val_mae < (0.8 if QUICK else 0.6) * min(last_value_mae, seasonal_mae), val_mae
