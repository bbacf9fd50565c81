"""kerastorch demo: train a small Keras model end to end and print its metrics.

The same script runs on Keras with `import keras` instead of the first import.
"""
import numpy as np

import kerastorch as keras


def make_data(n: int, seed: int):
    """Three interleaved spirals: a small task a linear model cannot solve."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, size=n)
    t = rng.uniform(0.2, 1.0, size=n)
    angle = 4.0 * t + labels * (2 * np.pi / 3) + rng.normal(0, 0.15, size=n)
    x = np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1).astype("float32")
    return x, labels


def main() -> None:
    keras.utils.set_random_seed(42)
    x_train, y_train = make_data(3000, seed=0)
    x_test, y_test = make_data(1000, seed=1)

    model = keras.Sequential([
        keras.Input(shape=(2,)),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(3, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=3e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.summary()
    model.fit(x_train, y_train, batch_size=64, epochs=15, validation_split=0.1, verbose=2,
              callbacks=[keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)])
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test loss: {loss:.4f} - test accuracy: {accuracy:.4f}")
    if accuracy < 0.9:
        raise SystemExit(f"demo: accuracy {accuracy:.3f} is below the expected 0.9")


if __name__ == "__main__":
    main()
