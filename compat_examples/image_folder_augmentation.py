"""Image classification from a folder of images, with data augmentation in the model
(the keras.io "Image classification from scratch" recipe, scaled down).

Writes a small generated image folder (two classes: bright-left vs bright-right squares with
noise) to a temporary directory, loads it with `keras.utils.image_dataset_from_directory`,
and trains a small CNN whose first layers augment only during training.

Runs unchanged on Keras 3: replace the first import with `import keras` (Keras's
image_dataset_from_directory needs TensorFlow installed; the model and augmentation part
runs on any Keras backend).
"""
import kerastorch as keras

import os
import tempfile

import numpy as np

QUICK = os.environ.get("KERASTORCH_QUICK") == "1"
keras.utils.set_random_seed(42)

image_size = (32, 32)
per_class = 16 if QUICK else 120
rng = np.random.default_rng(0)

# 1. A folder per class of PNG files.
root = tempfile.mkdtemp()
for label, name in enumerate(["left", "right"]):
    os.makedirs(os.path.join(root, name))
    for i in range(per_class):
        image = rng.uniform(0, 60, size=(40, 40, 3))
        columns = slice(0, 20) if label == 0 else slice(20, 40)
        image[:, columns] += 150
        keras.utils.save_img(os.path.join(root, name, f"{i}.png"), image.clip(0, 255).astype("uint8"))

train_ds, val_ds = keras.utils.image_dataset_from_directory(
    root, validation_split=0.25, subset="both", seed=1337, image_size=image_size, batch_size=16)
print("classes:", train_ds.class_names)

# 2. Augmentation as layers of the model: active in fit, the identity in evaluate/predict.
data_augmentation = keras.Sequential(
    [
        keras.layers.RandomFlip("vertical"),  # vertical flips keep the left/right label
        keras.layers.RandomRotation(0.05),
        keras.layers.RandomZoom(0.1),
        keras.layers.RandomContrast(0.2),
    ],
    name="augmentation",
)

inputs = keras.Input(shape=image_size + (3,))
x = data_augmentation(inputs)
x = keras.layers.Rescaling(1.0 / 255)(x)
x = keras.layers.Conv2D(8, 3, strides=2, activation="relu")(x)
x = keras.layers.Conv2D(16, 3, strides=2, activation="relu")(x)
x = keras.layers.GlobalAveragePooling2D()(x)
outputs = keras.layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)

model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(train_ds, validation_data=val_ds, epochs=2 if QUICK else 10, verbose=2)
print("history keys:", sorted(history.history))

loss, accuracy = model.evaluate(val_ds, verbose=0)
print(f"validation accuracy: {accuracy:.3f}")

# Inference does not augment: predicting twice gives the same numbers.
batch = next(iter(val_ds))[0]
first, second = model.predict(batch, verbose=0), model.predict(batch, verbose=0)
assert np.allclose(first, second), "augmentation must be off at inference"
if not QUICK:
    assert accuracy > 0.8, accuracy
