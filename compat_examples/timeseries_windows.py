"""Weather-style forecasting with `keras.utils.timeseries_dataset_from_array` (the keras.io tutorial
"Timeseries forecasting for weather prediction"): normalise with training statistics, cut past/future
windows with the Keras helper, train an LSTM, evaluate on the later part of the series.

The data are synthetic hourly readings (temperature, pressure, humidity) with daily and weekly cycles.
Runs unchanged on Keras 3: replace the first import with `import keras` (Keras's helper then returns a
tf.data.Dataset, so TensorFlow must be installed there).
"""
import kerastorch as keras

import math
import os

import numpy as np

QUICK = os.environ.get("KERASTORCH_QUICK") == "1"
keras.utils.set_random_seed(3)

hours = 24 * (60 if QUICK else 365)
t = np.arange(hours, dtype="float32")
rng = np.random.default_rng(1)
temperature = 10 + 8 * np.sin(2 * math.pi * t / 24) + 3 * np.sin(2 * math.pi * t / (24 * 7))
pressure = 1000 + 5 * np.cos(2 * math.pi * t / (24 * 7)) + rng.normal(0, 0.5, hours)
humidity = 60 - 2 * (temperature - 10) + rng.normal(0, 2, hours)
features = np.stack([temperature, pressure, humidity], axis=1).astype("float32")

split = int(0.7 * hours)
mean, std = features[:split].mean(axis=0), features[:split].std(axis=0)
features = (features - mean) / std

past, future, step = 72, 12, 1  # three days of history, predict the temperature 12 hours ahead
batch_size = 64


def windows(first, last, shuffle):
    """Windows starting in [first, last): the past `past` hours, and the temperature `future` hours after."""
    data = features[first:last + past - 1]
    targets = features[first + past - 1 + future:, 0]  # targets[i] belongs to the window starting at first + i
    return keras.utils.timeseries_dataset_from_array(
        data, targets, sequence_length=past, sampling_rate=step, batch_size=batch_size, shuffle=shuffle,
        seed=3 if shuffle else None)


train_ds = windows(0, split - past - future, shuffle=True)
val_ds = windows(split, hours - past - future, shuffle=False)

inputs = keras.Input(shape=(past, features.shape[1]))
x = keras.layers.LSTM(16 if QUICK else 32)(inputs)
outputs = keras.layers.Dense(1)(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="mse", metrics=["mae"])
history = model.fit(train_ds, epochs=2 if QUICK else 10, validation_data=val_ds, verbose=2,
                    callbacks=[keras.callbacks.EarlyStopping(monitor="val_loss", patience=3,
                                                             restore_best_weights=True)])
val_mse, val_mae = model.evaluate(val_ds, verbose=0)
last_seen = features[split + past - 1:hours - future, 0]
baseline = float(np.mean((features[split + past - 1 + future:, 0] - last_seen) ** 2))
print(f"validation MSE {val_mse:.4f} (MAE {val_mae:.4f}); persistence baseline MSE {baseline:.4f}")
assert np.isfinite(val_mse)
if not QUICK:
    assert val_mse < baseline, "the LSTM should beat predicting 'same as 12 hours ago'"
