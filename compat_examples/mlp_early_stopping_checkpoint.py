"""MLP classifier with EarlyStopping and ModelCheckpoint, then reloading the best checkpoint.

Scikit-learn's breast cancer data (569 samples, 30 features), standardized with a
`Normalization` layer adapted on the training set.
Runs unchanged on Keras 3: replace the first import with `import keras`.
"""
import kerastorch as keras

import os
import tempfile

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

QUICK = os.environ.get("KERASTORCH_QUICK") == "1"
keras.utils.set_random_seed(42)

x, y = load_breast_cancer(return_X_y=True)
x = x.astype("float32")
y = y.astype("float32")
x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, random_state=0, stratify=y)
x_train, x_val, y_train, y_val = train_test_split(x_train, y_train, test_size=0.2, random_state=0, stratify=y_train)

normalizer = keras.layers.Normalization()
normalizer.adapt(x_train)

model = keras.Sequential(
    [
        keras.Input(shape=(x.shape[1],)),
        normalizer,
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ]
)
model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=1e-3),
    loss="binary_crossentropy",
    metrics=["accuracy", keras.metrics.AUC(name="auc")],
)

checkpoint_dir = tempfile.mkdtemp()
checkpoint_path = os.path.join(checkpoint_dir, "best.keras")
callbacks = [
    keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True, verbose=1),
    keras.callbacks.ModelCheckpoint(checkpoint_path, monitor="val_loss", save_best_only=True),
]
history = model.fit(
    x_train,
    y_train,
    validation_data=(x_val, y_val),
    epochs=15 if QUICK else 200,
    batch_size=32,
    callbacks=callbacks,
    verbose=2,
)
print("epochs run:", len(history.history["loss"]))
best_epoch = int(np.argmin(history.history["val_loss"]))
print("best epoch:", best_epoch + 1, "val_loss:", history.history["val_loss"][best_epoch])

# The checkpoint holds the best model; EarlyStopping restored the same weights in memory.
best = keras.models.load_model(checkpoint_path)
loss, accuracy, auc = best.evaluate(x_test, y_test, verbose=0)
restored = model.evaluate(x_test, y_test, verbose=0)
print(f"Test accuracy: {accuracy:.4f}  AUC: {auc:.4f}")
np.testing.assert_allclose(best.predict(x_test, verbose=0), model.predict(x_test, verbose=0), rtol=1e-4, atol=1e-5)
assert abs(restored[0] - loss) < 1e-4
threshold = 0.9 if QUICK else 0.94
assert accuracy >= threshold, f"test accuracy {accuracy:.4f} < {threshold}"
