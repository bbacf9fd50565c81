"""The layers a task model is made of: input preprocessing, a backbone, the output head.

Every block returns plain Keras layers with their state in the config or in the weights
(vocabularies are computed here and passed as ``vocabulary=``, Normalization gets
``mean=``/``variance=``), so the model is an ordinary functional ``keras.Model`` that
``model.save`` / ``keras.saving.load_model`` round-trip without ``kerastorch.tasks``.

Choices (each overridable through ``keras.tasks.build``):

* tabular: Normalization per numeric column (or one for a 2-D array), StringLookup /
  IntegerLookup one-hot for categories (up to ``MAX_CATEGORIES`` most frequent values, the
  rest out-of-vocabulary), then an MLP (Dense+ReLU+Dropout per hidden size);
* text: TextVectorization (vocabulary of at most 20 000 tokens, sequences cut at the 95th
  percentile of the lengths), Embedding, then an encoder: "transformer" (one self-attention
  block), "gru" / "lstm" (bidirectional) or "bag" (mean of the embeddings);
* image: Rescaling to [0, 1] (or the range the pretrained backbone expects), augmentation
  layers, then a small ConvNet or a ``keras.applications`` model without its top;
* head: Dense with sigmoid (binary, multilabel), softmax (multiclass) or linear units followed
  by an inverted Normalization that puts the standardized prediction back in target units.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

import kerastorch.tasks.inference as inference
from kerastorch import applications, layers

MAX_CATEGORIES = 100
MAX_TOKENS = 20000
BACKBONES = ("mlp", "transformer", "gru", "lstm", "bag", "convnet", "mobilenet_v2", "efficientnet_b0")
IMAGE_BACKBONES = {"mobilenet_v2": "MobileNetV2", "efficientnet_b0": "EfficientNetB0"}


def _stats(values: np.ndarray) -> tuple[list, list]:
    values = values.astype(np.float64)
    mean = np.nanmean(values, axis=0)
    var = np.nanvar(values, axis=0)
    var[~(var > 0)] = 1.0  # a constant column passes through centred instead of dividing by zero
    return mean.tolist(), var.tolist()


def _vocabulary(column: np.ndarray) -> list:
    values, counts = np.unique(column.ravel(), return_counts=True)
    order = np.argsort(-counts, kind="stable")[:MAX_CATEGORIES]
    return [v.item() if hasattr(v, "item") else v for v in values[order]]


# ------------------------------------------------------------------ tabular
def tabular_array(x: np.ndarray) -> tuple[Any, Any, str]:
    """(input, features, description) for a 2-D numeric array: one Normalization over all columns."""
    x = np.asarray(x)
    if x.ndim == 1:
        x = x[:, None]
    if x.dtype.kind not in "biuf":
        raise TypeError(f"Tabular arrays must be numeric; received dtype {x.dtype}. Pass a dict of columns (or a "
                        "DataFrame) to mix numeric and string columns.")
    inputs = layers.Input(shape=(x.shape[1],), name="features")
    mean, var = _stats(x)
    out = layers.Normalization(mean=mean, variance=var, name="normalize")(inputs)
    return inputs, out, f"{x.shape[1]} numeric columns -> Normalization"


def tabular_columns(columns: dict[str, np.ndarray], categorical: Sequence[str] = ()) -> tuple[dict, Any, str]:
    """(inputs dict, features, description) for named columns: Normalization or one-hot lookup per column."""
    unknown = [c for c in categorical if c not in columns]
    if unknown:
        raise ValueError(f"`categorical` names columns {unknown} that are not in the data; columns: "
                         f"{list(columns)}.")
    inputs, parts, numeric, cats = {}, [], [], []
    for name, col in columns.items():
        if inference.is_categorical_column(col) or name in categorical:
            vocab = _vocabulary(col)
            if inference.is_categorical_column(col):
                inp = layers.Input(shape=(1,), dtype="string", name=name)
                lookup = layers.StringLookup(vocabulary=[str(v) for v in vocab], output_mode="one_hot",
                                             name=f"{name}_lookup")
            else:
                inp = layers.Input(shape=(1,), dtype="int64", name=name)
                lookup = layers.IntegerLookup(vocabulary=[int(v) for v in vocab], output_mode="one_hot",
                                              name=f"{name}_lookup")
            parts.append(lookup(inp))
            cats.append(f"{name}({len(vocab)})")
        else:
            inp = layers.Input(shape=(1,), name=name)
            mean, var = _stats(col.astype(np.float64))
            parts.append(layers.Normalization(mean=mean, variance=var, name=f"{name}_normalize")(inp))
            numeric.append(name)
        inputs[name] = inp
    features = parts[0] if len(parts) == 1 else layers.Concatenate(name="features")(parts)
    desc = f"{len(numeric)} numeric columns -> Normalization"
    if cats:
        desc += f"; {len(cats)} categorical -> one-hot lookup: " + ", ".join(cats)
    return inputs, features, desc


def mlp(features: Any, hidden_units: Sequence[int], dropout: float) -> Any:
    x = features
    for i, units in enumerate(hidden_units):
        x = layers.Dense(int(units), activation="relu", name=f"dense_{i}")(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"dropout_{i}")(x)
    return x


# ------------------------------------------------------------------ text
def text_input(texts: np.ndarray, max_tokens: int | None, sequence_length: int | None) -> tuple[Any, Any, str, int]:
    """(input, token ids, description, vocabulary size) with an adapted TextVectorization."""
    texts = np.asarray(texts).reshape(-1).astype(str)
    lengths = np.array([len(t.split()) for t in texts])
    if sequence_length is None:
        sequence_length = int(np.clip(np.percentile(lengths, 95), 8, 256))
    vectorize = layers.TextVectorization(max_tokens=max_tokens or MAX_TOKENS, output_mode="int",
                                         output_sequence_length=int(sequence_length), name="vectorize")
    vectorize.adapt(texts)
    vocab_size = len(vectorize.get_vocabulary())
    inputs = layers.Input(shape=(1,), dtype="string", name="text")
    desc = (f"text -> TextVectorization ({vocab_size} tokens, sequences of {sequence_length}, the 95th "
            "percentile of the lengths)")
    return inputs, vectorize(inputs), desc, vocab_size


def text_encoder(tokens: Any, vocab_size: int, kind: str, embedding_dim: int, dropout: float) -> tuple[Any, str]:
    x = layers.Embedding(vocab_size, embedding_dim, name="embedding")(tokens)
    if kind == "transformer":
        attention = layers.MultiHeadAttention(num_heads=2, key_dim=embedding_dim // 2, name="attention")(x, x)
        x = layers.LayerNormalization(name="attention_norm")(layers.Add(name="attention_residual")([x, attention]))
        ff = layers.Dense(embedding_dim * 2, activation="relu", name="ffn_1")(x)
        ff = layers.Dense(embedding_dim, name="ffn_2")(ff)
        x = layers.LayerNormalization(name="ffn_norm")(layers.Add(name="ffn_residual")([x, ff]))
        x = layers.GlobalAveragePooling1D(name="pool")(x)
        desc = f"Embedding({embedding_dim}) + transformer encoder block (2 heads) + mean pooling"
    elif kind in ("gru", "lstm"):
        cell = layers.GRU if kind == "gru" else layers.LSTM
        x = layers.Bidirectional(cell(embedding_dim // 2), name=f"bidirectional_{kind}")(x)
        desc = f"Embedding({embedding_dim}) + bidirectional {kind.upper()}({embedding_dim // 2})"
    elif kind == "bag":
        x = layers.GlobalAveragePooling1D(name="pool")(x)
        desc = f"Embedding({embedding_dim}) + mean pooling (bag of embeddings)"
    else:
        raise ValueError(f"Text backbone must be 'transformer', 'gru', 'lstm' or 'bag'; received {kind!r}.")
    if dropout:
        x = layers.Dropout(dropout, name="encoder_dropout")(x)
    return x, desc


# ------------------------------------------------------------------ images
def image_input(shape: tuple, pixel_max: float, backbone: str, weights: Any,
                augmentation: Any) -> tuple[Any, Any, str]:
    """(input, preprocessed images, description): rescaling for the backbone, then augmentation."""
    inputs = layers.Input(shape=shape, name="image")
    x = inputs
    scale_255 = pixel_max > 1.5
    if backbone == "efficientnet_b0":  # EfficientNet rescales 0..255 inside the model
        desc = "pixels 0..255 kept (EfficientNet rescales inside)"
        if not scale_255:
            x = layers.Rescaling(255.0, name="rescale")(x)
            desc = "pixels x255 (EfficientNet expects 0..255)"
    elif backbone == "mobilenet_v2" and weights is not None:  # its pretrained weights expect [-1, 1]
        x = layers.Rescaling(1 / 127.5 if scale_255 else 2.0, offset=-1.0, name="rescale")(x)
        desc = "Rescaling to [-1, 1] (MobileNetV2's pretrained range)"
    elif scale_255:
        x = layers.Rescaling(1 / 255.0, name="rescale")(x)
        desc = "Rescaling(1/255)"
    else:
        desc = "pixels already in [0, 1]"
    if augmentation == "auto":
        augmentation = [layers.RandomFlip("horizontal", name="random_flip"),
                        layers.RandomTranslation(0.1, 0.1, name="random_translation")]
    if augmentation:
        for layer in augmentation:
            x = layer(x)
        desc += " + augmentation: " + ", ".join(type(l).__name__ for l in augmentation)
    else:
        desc += " (no augmentation)"
    return inputs, x, desc


def image_backbone(images: Any, shape: tuple, kind: str, weights: Any, dropout: float) -> tuple[Any, str]:
    if kind == "convnet":
        x = images
        for i, filters in enumerate((32, 64, 128)):
            x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"conv_{i}")(x)
            x = layers.BatchNormalization(name=f"bn_{i}")(x)
            x = layers.ReLU(name=f"relu_{i}")(x)
            if i < 2:
                x = layers.MaxPooling2D(name=f"pool_{i}")(x)
        x = layers.GlobalAveragePooling2D(name="pool")(x)
        desc = "small ConvNet (3 conv blocks 32-64-128 + BatchNorm, global average pooling), from scratch"
    elif kind in IMAGE_BACKBONES:
        if min(shape[0], shape[1]) < 32:
            raise ValueError(f"backbone={kind!r} needs images of at least 32x32; received {shape[:2]}. Use "
                             "backbone='convnet' or resize the images.")
        factory = getattr(applications, IMAGE_BACKBONES[kind])
        extra = {"alpha": 0.35} if kind == "mobilenet_v2" and weights is None else {}
        base = factory(include_top=False, weights=weights, input_shape=tuple(shape), pooling="avg", **extra)
        x = base(images)
        where = "from scratch" if weights is None else f"pretrained weights {weights!r}"
        desc = f"keras.applications.{IMAGE_BACKBONES[kind]}{'(alpha=0.35)' if extra else ''}, {where}"
    else:
        raise ValueError(f"Image backbone must be 'convnet', {', '.join(map(repr, IMAGE_BACKBONES))}; "
                         f"received {kind!r}.")
    if dropout:
        x = layers.Dropout(dropout, name="head_dropout")(x)
    return x, desc


# ------------------------------------------------------------------ head
def head(features: Any, info: inference.TargetInfo) -> tuple[Any, str]:
    if info.task == "regression":
        out = layers.Dense(info.n_outputs, name="predictions")(features)
        out = layers.Normalization(mean=info.mean.tolist(), variance=info.variance.tolist(), invert=True,
                                   name="target_scale")(out)
        return out, (f"Dense({info.n_outputs}) on standardized targets + inverted Normalization back to target "
                     "units")
    activation = "softmax" if info.task == "multiclass" else "sigmoid"
    return layers.Dense(info.n_outputs, activation=activation, name="predictions")(features), \
        f"Dense({info.n_outputs}, {activation})"
