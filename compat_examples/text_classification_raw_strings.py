"""Text classification from raw strings (the keras.io "Text classification from scratch" recipe,
end-to-end variant) on a small synthetic corpus.

A TextVectorization layer is adapted on the raw texts and placed inside the model, so the
model trains, evaluates and predicts on Python strings and is saved as one `.keras` file
(the vocabulary travels in the archive's assets).
Runs unchanged on Keras 3 (with TensorFlow installed): replace the first import with `import keras`.
"""
import kerastorch as keras

import os
import tempfile

import numpy as np

layers = keras.layers
QUICK = os.environ.get("KERASTORCH_QUICK") == "1"
keras.utils.set_random_seed(3)

POSITIVE = ["good", "great", "excellent", "fun", "superb", "lovely", "brilliant", "enjoyable"]
NEGATIVE = ["bad", "awful", "boring", "terrible", "poor", "dull", "weak", "horrible"]
FILLER = ["the", "movie", "film", "plot", "was", "actors", "story", "and", "it", "a", "really", "quite", "this",
          "ending", "music", "very", "scenes", "director", "of", "felt"]


def make_corpus(n, rng):
    """Filler words around sentiment words of one polarity; punctuation and capitals to standardize away."""
    texts, labels = [], []
    for _ in range(n):
        label = int(rng.random() < 0.5)
        pool = POSITIVE if label else NEGATIVE
        words = rng.choice(FILLER, size=int(rng.integers(3, 10))).tolist()
        for word in rng.choice(pool, size=int(rng.integers(1, 3))).tolist():
            words.insert(int(rng.integers(0, len(words) + 1)), word)
        text = " ".join(words).capitalize() + rng.choice([".", "!", "..."])
        texts.append(text)
        labels.append(label)
    return np.array(texts), np.array(labels, dtype="float32")


rng = np.random.default_rng(3)
n_train = 400 if QUICK else 4000
x_train, y_train = make_corpus(n_train, rng)
x_test, y_test = make_corpus(200 if QUICK else 1000, rng)

max_features, sequence_length, embedding_dim = 200, 24, 16
vectorize_layer = layers.TextVectorization(max_tokens=max_features, output_mode="int",
                                           output_sequence_length=sequence_length)
vectorize_layer.adapt(x_train)
print("Vocabulary (first 10):", vectorize_layer.get_vocabulary()[:10])

inputs = keras.Input(shape=(1,), dtype="string")
x = vectorize_layer(inputs)
x = layers.Embedding(max_features, embedding_dim)(x)
x = layers.Dropout(0.2)(x)
x = layers.Conv1D(32, 5, padding="valid", activation="relu", strides=1)(x)
x = layers.GlobalMaxPooling1D()(x)
x = layers.Dense(32, activation="relu")(x)
outputs = layers.Dense(1, activation="sigmoid", name="predictions")(x)
model = keras.Model(inputs, outputs)
model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=0.005), metrics=["accuracy"])
model.summary()

history = model.fit(x_train[:, None], y_train, validation_split=0.2, epochs=8 if QUICK else 10, batch_size=32,
                    verbose=2)
loss, accuracy = model.evaluate(x_test[:, None], y_test, verbose=0)
print(f"Test accuracy: {accuracy:.3f}")
assert accuracy > 0.8, accuracy

samples = np.array([["A really great and lovely film!"], ["Boring, dull and awful."]])
predictions = model.predict(samples, verbose=0)
print("Predictions:", predictions.ravel())

with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "text_classifier.keras")
    model.save(path)
    restored = keras.saving.load_model(path)
    np.testing.assert_allclose(restored.predict(samples, verbose=0), predictions, rtol=1e-5, atol=1e-6)
print("Saved and reloaded: same predictions on raw strings.")
