"""TextVectorization: Keras's documented examples (real Keras needs TensorFlow for this layer), the
standardize/split/ngrams rules of tf.strings it reproduces, and training on raw strings."""
import numpy as np
import pytest
import torch

import kerastorch as kt


def test_documented_adapt_example():
    layer = kt.layers.TextVectorization(max_tokens=5000, output_mode="int", output_sequence_length=4)
    layer.adapt(["foo bar", "bar baz", "baz bada boom"])
    out = layer([["foo qux bar"], ["qux baz"]])
    assert out.dtype == torch.int64 and out.tolist() == [[4, 1, 3, 0], [1, 2, 0, 0]]


def test_documented_vocabulary_example():
    layer = kt.layers.TextVectorization(max_tokens=5000, output_sequence_length=4,
                                        vocabulary=["earth", "wind", "and", "fire"])
    assert layer.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]
    assert layer(["Wind, and FIRE!"]).tolist() == [[3, 4, 5, 0]]


def test_standardize_is_ascii_lower_and_keras_punctuation():
    layer = kt.layers.TextVectorization(split=None, output_mode="int", vocabulary=["x"])
    texts = np.array(["ÉCOLE Ünïcode", "a-b_c'd!e?f", "keep‘curly’"], dtype=object)
    # tf.strings.lower lowercases ASCII only; Keras strips exactly its ASCII punctuation set
    assert layer._standardized(texts).tolist() == ["École Ünïcode", "abcdef", "keep‘curly’"]


def test_split_ngrams_and_variable_lengths():
    layer = kt.layers.TextVectorization(ngrams=2, standardize=None)
    assert layer._tokenize(["a b  c", "\td"]) == [["a", "b", "c", "a b", "b c"], ["d"]]
    chars = kt.layers.TextVectorization(split="character", standardize="lower")
    assert chars._tokenize(["Ab"]) == [["a", "b"]]
    layer.adapt(["a b c", "a b"])
    out = layer(["a b c", "c"])
    assert out.shape == (2, 5) and out[1, 1:].tolist() == [0, 0, 0, 0]


@pytest.mark.parametrize("output_mode", ["multi_hot", "count", "tf_idf"])
def test_vector_modes(output_mode):
    layer = kt.layers.TextVectorization(output_mode=output_mode)
    layer.adapt(["the cat", "the dog", "the the fish"])
    vocab = layer.get_vocabulary()
    assert vocab[:2] == ["[UNK]", "the"]
    out = layer(["the the cat zebra"])
    counts = {"multi_hot": 1.0, "count": 2.0}
    if output_mode == "tf_idf":
        assert out[0, 1].item() == pytest.approx(2 * np.log(1 + 3 / (1 + 3)))
    else:
        assert out[0, 1].item() == counts[output_mode]
    assert out[0, 0].item() > 0  # the OOV word "zebra"
    assert out.shape == (1, len(vocab))


def test_callable_standardize_and_split_and_config_round_trip():
    layer = kt.layers.TextVectorization(standardize=lambda t: np.char.upper(t.astype(str)),
                                        split=lambda t: t.split("|"), vocabulary=["A", "B"])
    assert layer(np.array(["a|b|c"], dtype=object)).tolist() == [[2, 3, 1]]
    plain = kt.layers.TextVectorization(max_tokens=10, ngrams=(1, 2), output_sequence_length=3)
    rebuilt = kt.layers.TextVectorization.from_config(plain.get_config())
    assert rebuilt.get_config() == {**plain.get_config(), "name": rebuilt.name}


def test_errors():
    with pytest.raises(ValueError, match="standardize"):
        kt.layers.TextVectorization(standardize="upper")
    with pytest.raises(ValueError, match="output_sequence_length"):
        kt.layers.TextVectorization(output_mode="count", output_sequence_length=3)
    with pytest.raises(ValueError, match="ngrams"):
        kt.layers.TextVectorization(ngrams=[1, 2])
    with pytest.raises(ValueError, match="rank must be 1"):
        kt.layers.TextVectorization(vocabulary=["a"])([["a", "b"]])


def test_model_trains_on_raw_strings():
    kt.utils.set_random_seed(0)
    texts = ["good great fine", "bad awful poor", "great good", "poor bad"] * 8
    labels = np.array([1, 0, 1, 0] * 8, dtype="float32")
    vectorize = kt.layers.TextVectorization(output_mode="multi_hot")
    vectorize.adapt(texts)
    features = vectorize(texts)
    model = kt.Sequential([kt.Input((features.shape[1],)), kt.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=kt.optimizers.Adam(0.1), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(features, labels, epochs=30, verbose=0)
    assert history.history["accuracy"][-1] == 1.0
