"""Text classification with a Transformer block (the keras.io "Text classification with
Transformer" example): token + position embeddings, MultiHeadAttention, feed-forward network,
layer normalization, global average pooling.

Synthetic task where order matters: every sequence contains the marker tokens "A" and "B"
once each among random filler tokens; the label says whether "A" comes before "B".
Runs unchanged on Keras 3: replace the first import with `import keras`.
"""
import kerastorch as keras

import os

import numpy as np

layers = keras.layers
ops = keras.ops
QUICK = os.environ.get("KERASTORCH_QUICK") == "1"
keras.utils.set_random_seed(21)


class TransformerBlock(layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1):
        super().__init__()
        self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = keras.Sequential([layers.Dense(ff_dim, activation="relu"), layers.Dense(embed_dim)])
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def call(self, inputs):
        attn_output = self.att(inputs, inputs)
        attn_output = self.dropout1(attn_output)
        out1 = self.layernorm1(inputs + attn_output)
        ffn_output = self.ffn(out1)
        ffn_output = self.dropout2(ffn_output)
        return self.layernorm2(out1 + ffn_output)


class TokenAndPositionEmbedding(layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim):
        super().__init__()
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        maxlen = ops.shape(x)[-1]
        positions = ops.arange(start=0, stop=maxlen, step=1)
        positions = self.pos_emb(positions)
        x = self.token_emb(x)
        return x + positions


# Synthetic data: token 1 is "A", token 2 is "B", 3..vocab_size-1 are filler.
vocab_size = 40
maxlen = 12
num_samples = 3000 if QUICK else 10000
rng = np.random.default_rng(0)
x = rng.integers(3, vocab_size, size=(num_samples, maxlen))
for row in x:
    a, b = rng.choice(maxlen, size=2, replace=False)
    row[a], row[b] = 1, 2
y = (np.argmax(x == 1, axis=1) < np.argmax(x == 2, axis=1)).astype("int32")
split = int(0.8 * num_samples)
x_train, y_train, x_val, y_val = x[:split], y[:split], x[split:], y[split:]
print(len(x_train), "Training sequences;", len(x_val), "Validation sequences; positive fraction", y.mean())

embed_dim = 32  # Embedding size for each token
num_heads = 2  # Number of attention heads
ff_dim = 32  # Hidden layer size in feed forward network inside transformer

inputs = layers.Input(shape=(maxlen,))
embedding_layer = TokenAndPositionEmbedding(maxlen, vocab_size, embed_dim)
x = embedding_layer(inputs)
transformer_block = TransformerBlock(embed_dim, num_heads, ff_dim)
x = transformer_block(x)
x = layers.GlobalAveragePooling1D()(x)
x = layers.Dropout(0.1)(x)
x = layers.Dense(20, activation="relu")(x)
x = layers.Dropout(0.1)(x)
outputs = layers.Dense(2, activation="softmax")(x)

model = keras.Model(inputs=inputs, outputs=outputs)
model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(
    x_train, y_train, batch_size=32, epochs=10 if QUICK else 20, validation_data=(x_val, y_val), verbose=2
)
loss, accuracy = model.evaluate(x_val, y_val, verbose=0)
print(f"Validation accuracy: {accuracy:.4f}")
threshold = 0.8 if QUICK else 0.95
assert accuracy >= threshold, f"validation accuracy {accuracy:.4f} < {threshold}"
