"""String inputs in the functional API: ``keras.Input(dtype="string")``, symbolic calls of string layers
(probed with texts, not tensors of ones), and models that take raw text eagerly."""
from __future__ import annotations

import numpy as np
import pytest
import torch

TEXTS = ["the cat sat", "the dog ran far away", "a cat and a dog"]


def _vectorizer(keras, **kwargs):
    tv = keras.layers.TextVectorization(max_tokens=20, **kwargs)
    tv.adapt(TEXTS)
    return tv


@pytest.mark.parametrize("shape", [(1,), ()])
def test_string_input_matches_keras(keras, real_keras, shape):
    ours, theirs = keras.Input(shape=shape, dtype="string"), real_keras.Input(shape=shape, dtype="string")
    assert (ours.dtype, ours.shape) == (theirs.dtype, tuple(theirs.shape))
    cfg_ours = ours._keras_history[0].get_config()
    cfg_theirs = theirs._keras_history[0].get_config()
    assert cfg_ours["dtype"] == cfg_theirs["dtype"] == "string"
    assert list(cfg_ours["batch_shape"]) == list(cfg_theirs["batch_shape"])


def test_string_dtype_spellings_and_no_torch_dtype(keras):
    from kerastorch.graph.keras_tensor import KerasTensor
    for spelling in ("string", str, np.dtype(object), np.dtype("<U3")):
        assert KerasTensor((None, 1), spelling).dtype == "string"
    assert KerasTensor((None, 1), "float32").dtype == "float32"
    with pytest.raises(TypeError, match="holds strings"):
        KerasTensor((None, 1), "string").torch_dtype


@pytest.mark.parametrize("shape", [(1,), ()])
@pytest.mark.parametrize("kwargs, expected", [
    ({}, (None, None)),  # token count depends on the text
    ({"output_sequence_length": 5}, (None, 5)),
    ({"output_mode": "multi_hot"}, (None, 10)),  # depth = the adapted vocabulary: 9 words and OOV (no mask)
    ({"output_mode": "count", "pad_to_max_tokens": True}, (None, 20)),
])
def test_text_vectorization_symbolic_shapes(keras, shape, kwargs, expected):
    tv = _vectorizer(keras, **kwargs)
    out = tv(keras.Input(shape=shape, dtype="string"))
    assert out.shape == expected
    assert out.dtype == ("int64" if not kwargs.get("output_mode") else "float32")


def test_string_lookup_and_hashing_symbolic(keras):
    lookup = keras.layers.StringLookup(vocabulary=["a", "b"])
    out = lookup(keras.Input(shape=(3,), dtype="string"))
    assert (out.shape, out.dtype) == ((None, 3), "int64")
    hashed = keras.layers.Hashing(num_bins=4)(keras.Input(shape=(2,), dtype="string"))
    assert (hashed.shape, hashed.dtype) == ((None, 2), "int64")


def _build(keras, sequential: bool):
    keras.utils.set_random_seed(0)
    tv = _vectorizer(keras)
    stack = [keras.layers.Embedding(20, 4), keras.layers.GlobalAveragePooling1D(),
             keras.layers.Dense(1, activation="sigmoid")]
    if sequential:
        return keras.Sequential([keras.Input(shape=(1,), dtype="string"), tv] + stack)
    x = keras.Input(shape=(1,), dtype="string")
    h = tv(x)
    for layer in stack:
        h = layer(h)
    return keras.Model(x, h)


@pytest.mark.parametrize("sequential", [False, True])
def test_text_model_builds_calls_on_raw_strings_and_summarizes(keras, sequential):
    model = _build(keras, sequential)
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "TextVectorization" in text and "(None, None, 4)" in text
    as_column = model(np.array([["the cat"], ["dog ran far"]], dtype=object))
    as_list = model(["the cat", "dog ran far"])
    assert isinstance(as_list, torch.Tensor) and as_list.shape == (2, 1)
    torch.testing.assert_close(as_column, as_list)


def test_string_model_with_a_numeric_second_input(keras):
    text = keras.Input(shape=(1,), dtype="string")
    number = keras.Input(shape=(2,))
    tokens = keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(20, 3)(_vectorizer(keras)(text)))
    model = keras.Model([text, number], keras.layers.Concatenate()([tokens, number]))
    out = model([np.array([["the cat"], ["a dog"]]), np.ones((2, 2))])
    assert out.shape == (2, 5)
    torch.testing.assert_close(out[:, 3:], torch.ones(2, 2))
