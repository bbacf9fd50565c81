"""Sequence-to-sequence learning to add numbers given as strings (the keras.io "addition_rnn" example).

Input "535+61" -> output "596", both one-hot encoded characters. An LSTM encodes the (reversed)
question, RepeatVector feeds its summary to every output step, and an LSTM decoder with a
softmax Dense predicts each answer character.
Runs unchanged on Keras 3: replace the first import with `import keras`.
"""
import kerastorch as keras

import os

import numpy as np

layers = keras.layers
QUICK = os.environ.get("KERASTORCH_QUICK") == "1"
keras.utils.set_random_seed(1)

# Parameters for the model and dataset.
TRAINING_SIZE = 4000 if QUICK else 50000
DIGITS = 2 if QUICK else 3
REVERSE = True
# Maximum length of input is 'int + int' (e.g., '345+678'). Maximum length of int is DIGITS.
MAXLEN = DIGITS + 1 + DIGITS


class CharacterTable:
    """Given a set of characters:
    + Encode them to a one-hot integer representation
    + Decode the one-hot or integer representation to their character output
    + Decode a vector of probabilities to their character output
    """

    def __init__(self, chars):
        self.chars = sorted(set(chars))
        self.char_indices = dict((c, i) for i, c in enumerate(self.chars))
        self.indices_char = dict((i, c) for i, c in enumerate(self.chars))

    def encode(self, C, num_rows):
        x = np.zeros((num_rows, len(self.chars)))
        for i, c in enumerate(C):
            x[i, self.char_indices[c]] = 1
        return x

    def decode(self, x, calc_argmax=True):
        if calc_argmax:
            x = x.argmax(axis=-1)
        return "".join(self.indices_char[x] for x in x)


# All the numbers, plus sign and space for padding.
chars = "0123456789+ "
ctable = CharacterTable(chars)

questions = []
expected = []
seen = set()
rng = np.random.default_rng(0)
print("Generating data...")
max_unique = (10 ** DIGITS) * (10 ** DIGITS + 1) // 2
while len(questions) < min(TRAINING_SIZE, int(0.9 * max_unique)):
    f = lambda: int("".join(rng.choice(list("0123456789")) for i in range(int(rng.integers(1, DIGITS + 1)))))  # noqa: E731
    a, b = f(), f()
    # Skip any addition questions we've already seen; also skip any such that x+Y == Y+x (hence the sorting).
    key = tuple(sorted((a, b)))
    if key in seen:
        continue
    seen.add(key)
    # Pad the data with spaces such that it is always MAXLEN.
    q = "{}+{}".format(a, b)
    query = q + " " * (MAXLEN - len(q))
    ans = str(a + b)
    # Answers can be of maximum size DIGITS + 1.
    ans += " " * (DIGITS + 1 - len(ans))
    if REVERSE:
        # Reverse the query, e.g., '12+345  ' becomes '  543+21'.
        query = query[::-1]
    questions.append(query)
    expected.append(ans)
print("Total questions:", len(questions))

print("Vectorization...")
x = np.zeros((len(questions), MAXLEN, len(chars)), dtype=bool)
y = np.zeros((len(questions), DIGITS + 1, len(chars)), dtype=bool)
for i, sentence in enumerate(questions):
    x[i] = ctable.encode(sentence, MAXLEN)
for i, sentence in enumerate(expected):
    y[i] = ctable.encode(sentence, DIGITS + 1)

# Shuffle (x, y) in unison as the later parts of x will almost all be larger digits.
indices = np.arange(len(y))
rng.shuffle(indices)
x = x[indices]
y = y[indices]

# Explicitly set apart 10% for validation data that we never train over.
split_at = len(x) - len(x) // 10
(x_train, x_val) = x[:split_at], x[split_at:]
(y_train, y_val) = y[:split_at], y[split_at:]

print("Training Data:", x_train.shape, y_train.shape)
print("Validation Data:", x_val.shape, y_val.shape)

print("Build model...")
num_layers = 1  # Try to add more LSTM layers!

model = keras.Sequential()
# "Encode" the input sequence using a LSTM, producing an output of size 128.
model.add(layers.Input((MAXLEN, len(chars))))
model.add(layers.LSTM(128))
# As the decoder RNN's input, repeatedly provide with the last output of RNN for each time step.
model.add(layers.RepeatVector(DIGITS + 1))
# The decoder RNN could be multiple layers stacked or a single layer.
for _ in range(num_layers):
    # Return the full sequence of outputs, of shape (num_samples, timesteps, output_dim).
    model.add(layers.LSTM(128, return_sequences=True))
# Apply a dense layer to every temporal slice of an input; pick a character for each step.
model.add(layers.Dense(len(chars), activation="softmax"))
model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(3e-3), metrics=["accuracy"])
model.summary()

epochs = 10 if QUICK else 20
batch_size = 32

# Train the model each generation and show predictions against the validation dataset.
for epoch in range(1, epochs):
    print()
    print("Iteration", epoch)
    model.fit(x_train, y_train, batch_size=batch_size, epochs=1, validation_data=(x_val, y_val), verbose=2)
    # Select a few samples from the validation set at random so we can visualize errors.
    for i in range(3):
        ind = int(rng.integers(0, len(x_val)))
        rowx, rowy = x_val[np.array([ind])], y_val[np.array([ind])]
        preds = np.argmax(model.predict(rowx, verbose=0), axis=-1)
        q = ctable.decode(rowx[0])
        correct = ctable.decode(rowy[0])
        guess = ctable.decode(preds[0], calc_argmax=False)
        print("Q", q[::-1] if REVERSE else q, end=" ")
        print("T", correct, end=" ")
        print("☑ " + guess if correct == guess else "☒ " + guess)

# Whole answers right, on the held-out questions.
predictions = model.predict(x_val, verbose=0).argmax(axis=-1)
exact = float(np.mean(np.all(predictions == y_val.argmax(axis=-1), axis=-1)))
print(f"Validation exact-match accuracy: {exact:.4f}")
threshold = 0.3 if QUICK else 0.9
assert exact >= threshold, f"exact-match accuracy {exact:.4f} < {threshold}"
