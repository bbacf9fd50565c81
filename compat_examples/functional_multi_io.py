"""Functional API model with several inputs and outputs (the keras.io "issue ticket" example).

Inputs: a ticket title and body (word ids) and binary tags. Outputs: a priority score
(binary, logits) and the department that should handle it (4 classes, logits), trained with
per-output losses and loss weights. The synthetic tickets follow simple rules: titles that
contain one of the "urgent" words are high priority; the department is given by the tags (two of its three tags
are set, plus noise).
Runs unchanged on Keras 3: replace the first import with `import keras`.
"""
import kerastorch as keras

import os

import numpy as np

layers = keras.layers
QUICK = os.environ.get("KERASTORCH_QUICK") == "1"
keras.utils.set_random_seed(7)

num_tags = 12  # Number of unique issue tags
num_words = 1000  # Size of vocabulary obtained when preprocessing text data
num_departments = 4  # Number of departments for predictions
urgent_words = np.arange(1, 21)  # word ids 1..20 mark an urgent ticket

# --- synthetic tickets
num_samples = 2000 if QUICK else 5000
rng = np.random.default_rng(0)
title_data = rng.integers(21, num_words, size=(num_samples, 10))
urgent = rng.random(num_samples) < 0.4
positions = rng.integers(0, 10, size=num_samples)
title_data[urgent, positions[urgent]] = rng.choice(urgent_words, size=int(urgent.sum()))
body_data = rng.integers(1, num_words, size=(num_samples, 30))
department = rng.integers(0, num_departments, size=num_samples)
tags_data = (rng.random((num_samples, num_tags)) < 0.05).astype("float32")
first_tag = department * 3 + rng.integers(0, 3, size=num_samples)  # two of the department's three tags
tags_data[np.arange(num_samples), first_tag] = 1.0
tags_data[np.arange(num_samples), department * 3 + (first_tag + 1) % 3] = 1.0
priority_targets = urgent.astype("float32")[:, None]
dept_targets = keras.utils.to_categorical(department, num_departments)

# --- the model
title_input = keras.Input(shape=(None,), name="title")  # Variable-length sequence of ints
body_input = keras.Input(shape=(None,), name="body")  # Variable-length sequence of ints
tags_input = keras.Input(shape=(num_tags,), name="tags")  # Binary vectors of size `num_tags`

# Embed each word in the title and in the body into a 32-dimensional vector
title_features = layers.Embedding(num_words, 32)(title_input)
body_features = layers.Embedding(num_words, 16)(body_input)
# Reduce the sequences of embedded words into single vectors
title_features = layers.LSTM(32)(title_features)
body_features = layers.GlobalAveragePooling1D()(body_features)
# Merge all available features into a single large vector via concatenation
x = layers.concatenate([title_features, body_features, tags_input])
x = layers.Dropout(0.3)(x)
# Stick a logistic regression for priority prediction on top of the features
priority_pred = layers.Dense(1, name="priority")(x)
# Stick a department classifier on top of the features
department_pred = layers.Dense(num_departments, name="department")(x)

model = keras.Model(
    inputs=[title_input, body_input, tags_input],
    outputs={"priority": priority_pred, "department": department_pred},
)
model.summary()

model.compile(
    optimizer=keras.optimizers.RMSprop(5e-3),
    loss={
        "priority": keras.losses.BinaryCrossentropy(from_logits=True),
        "department": keras.losses.CategoricalCrossentropy(from_logits=True),
    },
    loss_weights={"priority": 1.0, "department": 0.2},
    metrics={"department": ["accuracy"]},
)

split = int(0.8 * num_samples)
inputs = {"title": title_data, "body": body_data, "tags": tags_data}
targets = {"priority": priority_targets, "department": dept_targets}
train_x = {k: v[:split] for k, v in inputs.items()}
train_y = {k: v[:split] for k, v in targets.items()}
test_x = {k: v[split:] for k, v in inputs.items()}
test_y = {k: v[split:] for k, v in targets.items()}

model.fit(train_x, train_y, epochs=8 if QUICK else 20, batch_size=32, verbose=2)
results = model.evaluate(test_x, test_y, verbose=0, return_dict=True)
print({k: round(float(v), 4) for k, v in results.items()})

predictions = model.predict(test_x, verbose=0)
print("predicted shapes:", {k: v.shape for k, v in predictions.items()})
assert predictions["priority"].shape == (num_samples - split, 1)
assert predictions["department"].shape == (num_samples - split, num_departments)
department_accuracy = float(np.mean(predictions["department"].argmax(-1) == department[split:]))
priority_accuracy = float(np.mean((predictions["priority"][:, 0] > 0) == urgent[split:]))
print(f"department accuracy: {department_accuracy:.4f}  priority accuracy: {priority_accuracy:.4f}")
assert department_accuracy >= (0.9 if QUICK else 0.95), department_accuracy
assert priority_accuracy >= (0.85 if QUICK else 0.95), priority_accuracy
