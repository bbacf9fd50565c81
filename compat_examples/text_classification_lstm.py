"""Sentiment classification with Embedding + Bidirectional LSTM (the keras.io "Bidirectional LSTM
on IMDB" recipe) on synthetic reviews, padded with `keras.utils.pad_sequences` and masked.

A review's sentiment is the sign of its sentiment words, where "not" flips the next word
("not good" is negative), so word order matters: a bag of words cannot solve it.
Runs unchanged on Keras 3: replace the first import with `import keras`.
"""
import kerastorch as keras

import os

import numpy as np

layers = keras.layers
QUICK = os.environ.get("KERASTORCH_QUICK") == "1"
keras.utils.set_random_seed(11)

POSITIVE = ["good", "great", "excellent", "fun", "superb", "lovely", "brilliant", "enjoyable"]
NEGATIVE = ["bad", "awful", "boring", "terrible", "poor", "dull", "weak", "horrible"]
FILLER = ["the", "movie", "film", "plot", "was", "actors", "story", "and", "it", "a", "really", "quite", "this",
          "ending", "music", "very", "scenes", "director", "of", "felt"]


def make_review(rng):
    """Filler words with one or two sentiment phrases; the label is the sign of their sum."""
    while True:
        words, score = [], 0
        for _ in range(int(rng.integers(1, 3))):
            words.extend(rng.choice(FILLER, size=int(rng.integers(1, 6))).tolist())
            positive = rng.random() < 0.5
            negated = rng.random() < 0.4
            if negated:
                words.append("not")
            words.append(str(rng.choice(POSITIVE if positive else NEGATIVE)))
            score += (1 if positive else -1) * (-1 if negated else 1)
        words.extend(rng.choice(FILLER, size=int(rng.integers(0, 5))).tolist())
        if score != 0:
            return " ".join(words), int(score > 0)


rng = np.random.default_rng(0)
num_samples = 1600 if QUICK else 6000
reviews, labels = zip(*(make_review(rng) for _ in range(num_samples)))
print("example:", reviews[0], "->", labels[0])

# Tokenize: word -> id (0 is padding, 1 is out-of-vocabulary).
vocabulary = ["", "[UNK]"] + sorted(set(POSITIVE + NEGATIVE + FILLER + ["not"]))
index = {word: i for i, word in enumerate(vocabulary)}
sequences = [[index.get(w, 1) for w in review.split()] for review in reviews]
maxlen = 24
x = keras.utils.pad_sequences(sequences, maxlen=maxlen, padding="post")
y = np.array(labels, dtype="float32")
split = int(0.8 * num_samples)
x_train, y_train, x_val, y_val = x[:split], y[:split], x[split:], y[split:]
print(len(x_train), "training sequences,", len(x_val), "validation sequences; shape", x_train.shape)

# Input for variable-length sequences of integers
inputs = keras.Input(shape=(None,), dtype="int32")
# Embed each integer in a 32-dimensional vector; id 0 is masked
x = layers.Embedding(len(vocabulary), 32, mask_zero=True)(inputs)
# Add 2 bidirectional LSTMs
x = layers.Bidirectional(layers.LSTM(32, return_sequences=True))(x)
x = layers.Bidirectional(layers.LSTM(32))(x)
# Add a classifier
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
model.summary()

model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=32, epochs=4 if QUICK else 10, validation_data=(x_val, y_val), verbose=2)
loss, accuracy = model.evaluate(x_val, y_val, verbose=0)
print(f"Validation accuracy: {accuracy:.4f}")

# Masking: extra padding does not change the predictions.
more_padding = keras.utils.pad_sequences(sequences[split:split + 8], maxlen=maxlen + 6, padding="post")
np.testing.assert_allclose(model.predict(more_padding, verbose=0), model.predict(x_val[:8], verbose=0),
                           rtol=1e-4, atol=1e-5)
threshold = 0.8 if QUICK else 0.95
assert accuracy >= threshold, f"validation accuracy {accuracy:.4f} < {threshold}"
