"""Simple convnet image classifier (the keras.io "Simple MNIST convnet" recipe) on scikit-learn's 8x8 digits.

Runs unchanged on Keras 3: replace the first import with `import keras`.
"""
import kerastorch as keras

import os

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

QUICK = os.environ.get("KERASTORCH_QUICK") == "1"
keras.utils.set_random_seed(1337)

# Prepare the data: 8x8 grey images scaled to [0, 1], shape (n, 8, 8, 1), one-hot labels.
num_classes = 10
input_shape = (8, 8, 1)
digits = load_digits()
x = (digits.images / 16.0).astype("float32")
x = np.expand_dims(x, -1)
y = keras.utils.to_categorical(digits.target, num_classes)
x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=0, stratify=digits.target)
print("x_train shape:", x_train.shape, "-", x_train.shape[0], "train samples,", x_test.shape[0], "test samples")

# Build the model.
model = keras.Sequential(
    [
        keras.Input(shape=input_shape),
        keras.layers.Conv2D(32, kernel_size=(3, 3), activation="relu", padding="same"),
        keras.layers.MaxPooling2D(pool_size=(2, 2)),
        keras.layers.Conv2D(64, kernel_size=(3, 3), activation="relu", padding="same"),
        keras.layers.MaxPooling2D(pool_size=(2, 2)),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(num_classes, activation="softmax"),
    ]
)
model.summary()

# Train the model.
batch_size = 64
epochs = 6 if QUICK else 20
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.1, verbose=2)

# Evaluate the trained model.
score = model.evaluate(x_test, y_test, verbose=0)
print("Test loss:", score[0])
print("Test accuracy:", score[1])
threshold = 0.75 if QUICK else 0.96
assert score[1] >= threshold, f"test accuracy {score[1]:.4f} < {threshold}"
