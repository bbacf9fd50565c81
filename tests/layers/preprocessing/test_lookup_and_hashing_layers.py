"""StringLookup, IntegerLookup and Hashing. Real Keras needs TensorFlow for these layers, so the oracle is
(1) the input/output pairs Keras documents for each layer, (2) the reference FarmHash implementation
(pyfarmhash, where installed) and SipHash's published test vectors for the hashes underneath."""
import random

import numpy as np
import pytest
import torch

import kerastorch as kt
from kerastorch.layers.preprocessing.string_hashing import fingerprint64, siphash24

VOCAB = ["a", "b", "c", "d"]
DATA = [["a", "c", "d"], ["d", "z", "b"]]


def _values(t):
    return t.tolist() if isinstance(t, torch.Tensor) else np.asarray(t).tolist()


def test_fingerprint64_equals_reference_farmhash():
    farmhash = pytest.importorskip("farmhash")
    rng = random.Random(0)
    for n in list(range(0, 140)) + [255, 256, 257, 1000]:
        data = bytes(rng.randrange(256) for _ in range(n))
        assert fingerprint64(data) == farmhash.fingerprint64(data), n


def test_siphash24_published_vectors():
    key0, key1 = int.from_bytes(bytes(range(8)), "little"), int.from_bytes(bytes(range(8, 16)), "little")
    assert siphash24(b"", key0, key1) == 0x726FDB47DD0E0E31
    assert siphash24(bytes(range(15)), key0, key1) == 0xA129CA6149BE45E5


@pytest.mark.parametrize("kwargs,inputs,expected", [
    (dict(num_bins=3), [["A"], ["B"], ["C"], ["D"], ["E"]], [[1], [0], [1], [1], [2]]),
    (dict(num_bins=3, mask_value=""), [["A"], ["B"], [""], ["C"], ["D"]], [[1], [1], [0], [2], [2]]),
    (dict(num_bins=3, salt=[133, 137]), [["A"], ["B"], ["C"], ["D"], ["E"]], [[1], [2], [1], [0], [2]]),
    (dict(num_bins=3, salt=133), [["A"], ["B"], ["C"], ["D"], ["E"]], [[0], [0], [2], [1], [0]]),
])
def test_hashing_documented_examples(kwargs, inputs, expected):
    out = kt.layers.Hashing(**kwargs)(inputs)
    assert out.dtype == torch.int64 and _values(out) == expected


def test_hashing_integers_and_output_modes():
    farmhash = pytest.importorskip("farmhash")
    ids = torch.tensor([[7], [123456], [-3]])
    assert _values(kt.layers.Hashing(num_bins=11)(ids)) == [[farmhash.fingerprint64(str(int(v))) % 11]
                                                            for v in ids[:, 0]]
    bins = _values(kt.layers.Hashing(num_bins=4)([["a", "b"], ["c", "c"]]))
    multi = kt.layers.Hashing(num_bins=4, output_mode="multi_hot")([["a", "b"], ["c", "c"]])
    assert multi.dtype == torch.float32 and multi.shape == (2, 4)
    for row, hot in zip(bins, multi.tolist()):
        assert [i for i, v in enumerate(hot) if v] == sorted(set(row))
    assert kt.layers.Hashing(num_bins=4, output_mode="count")([["c", "c"]]).sum().item() == 2
    with pytest.raises(ValueError, match="num_bins"):
        kt.layers.Hashing(num_bins=0)
    with pytest.raises(ValueError, match="salt"):
        kt.layers.Hashing(num_bins=2, salt="pepper")


@pytest.mark.parametrize("kwargs,data,expected", [
    (dict(vocabulary=VOCAB), DATA, [[1, 3, 4], [4, 0, 2]]),
    (dict(vocabulary=VOCAB, num_oov_indices=2), [["a", "c", "d"], ["m", "z", "b"]], [[2, 4, 5], [0, 1, 3]]),
    (dict(vocabulary=VOCAB, output_mode="one_hot"), ["a", "b", "c", "d", "z"],
     [[0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1], [1, 0, 0, 0, 0]]),
    (dict(vocabulary=VOCAB, output_mode="multi_hot"), [["a", "c", "d", "d"], ["d", "z", "b", "z"]],
     [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]]),
    (dict(vocabulary=VOCAB, output_mode="count"), [["a", "c", "d", "d"], ["d", "z", "b", "z"]],
     [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]]),
    (dict(vocabulary=VOCAB, mask_token="[MASK]"), [["a", "c", "[MASK]"], ["z", "[MASK]", "b"]],
     [[2, 4, 0], [1, 0, 3]]),
])
def test_string_lookup_documented_examples(kwargs, data, expected):
    assert _values(kt.layers.StringLookup(**kwargs)(data)) == expected


def test_string_lookup_adapt_orders_like_keras():
    layer = kt.layers.StringLookup()
    layer.adapt(DATA)
    assert layer.get_vocabulary() == ["[UNK]", "d", "z", "c", "b", "a"]
    assert _values(layer(DATA)) == [[5, 3, 1], [1, 2, 4]]
    capped = kt.layers.StringLookup(max_tokens=3)
    capped.adapt(iter([["a", "b"], ["b", "c"], ["b", "a"]]))
    assert capped.get_vocabulary() == ["[UNK]", "b", "a"]


@pytest.mark.parametrize("vocab,idf,second_row", [(VOCAB, [0.25, 0.75, 0.6, 0.4], [1.0, 0, 0.75, 0, 0.4]),
                                                  (["[UNK]"] + VOCAB, [0.9, 0.25, 0.75, 0.6, 0.4],
                                                   [1.8, 0, 0.75, 0, 0.4])])
def test_string_lookup_tf_idf_documented(vocab, idf, second_row):
    layer = kt.layers.StringLookup(output_mode="tf_idf")
    layer.set_vocabulary(vocab, idf_weights=idf)
    out = layer([["a", "c", "d", "d"], ["d", "z", "b", "z"]])
    np.testing.assert_allclose(out.numpy(), [[0, 0.25, 0, 0.6, 0.8], second_row], rtol=1e-6)


def test_string_lookup_adapted_tf_idf_uses_keras_formula():
    layer = kt.layers.StringLookup(output_mode="tf_idf")
    layer.adapt([["a", "b"], ["a", "c"], ["a", "a"]])
    idf = {t: w for t, w in zip(layer.get_vocabulary(), layer.idf_weights)}
    assert idf["a"] == pytest.approx(np.log(1 + 3 / (1 + 3)))
    assert idf["b"] == pytest.approx(np.log(1 + 3 / (1 + 1)))
    assert layer.idf_weights[0] == pytest.approx(np.mean(layer.idf_weights[1:]))


def test_string_lookup_invert_round_trip():
    ids = kt.layers.StringLookup(vocabulary=VOCAB)(DATA)
    back = kt.layers.StringLookup(vocabulary=VOCAB, invert=True)(ids)
    assert back.tolist() == [["a", "c", "d"], ["d", "[UNK]", "b"]]


@pytest.mark.parametrize("kwargs,data,expected", [
    (dict(vocabulary=[12, 36, 1138, 42]), [[12, 1138, 42], [42, 1000, 36]], [[1, 3, 4], [4, 0, 2]]),
    (dict(vocabulary=[12, 36, 1138, 42], num_oov_indices=2), [[12, 1138, 42], [37, 1000, 36]],
     [[2, 4, 5], [1, 0, 3]]),
    (dict(vocabulary=[12, 36, 1138, 42], mask_token=0), [[12, 0, 42], [42, 1000, 36]], [[2, 0, 5], [5, 1, 3]]),
])
def test_integer_lookup_documented_examples(kwargs, data, expected):
    assert _values(kt.layers.IntegerLookup(**kwargs)(torch.tensor(data))) == expected


def test_integer_lookup_adapt_and_invert():
    data = torch.tensor([[12, 1138, 42], [42, 1000, 36]])
    layer = kt.layers.IntegerLookup()
    layer.adapt(data)
    assert layer.get_vocabulary() == [-1, 42, 1138, 1000, 36, 12]
    inverse = kt.layers.IntegerLookup(vocabulary=[12, 36, 1138, 42], invert=True)
    assert _values(inverse(torch.tensor([[1, 3, 4], [4, 0, 2]]))) == [[12, 1138, 42], [42, -1, 36]]


def test_lookup_errors():
    with pytest.raises(ValueError, match="repeated"):
        kt.layers.StringLookup(vocabulary=["a", "a"])
    with pytest.raises(ValueError, match="num_oov_indices=0"):
        kt.layers.StringLookup(vocabulary=VOCAB, num_oov_indices=0)([["zz"]])
    with pytest.raises(RuntimeError, match="set the layer's vocabulary"):
        kt.layers.StringLookup(output_mode="multi_hot")([["a"]])
    with pytest.raises(ValueError, match="Cannot adapt"):
        kt.layers.StringLookup(vocabulary=VOCAB).adapt(DATA)
    with pytest.raises(ValueError, match="vocabulary_dtype"):
        kt.layers.IntegerLookup(vocabulary_dtype="int32")


def test_vocabulary_file_and_assets(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("a\nb\nc\nd\n")
    assert _values(kt.layers.StringLookup(vocabulary=str(path))(DATA)) == [[1, 3, 4], [4, 0, 2]]
    adapted = kt.layers.StringLookup()
    adapted.adapt(DATA)
    adapted.save_assets(str(tmp_path))
    assert (tmp_path / "vocabulary.txt").read_text().splitlines() == adapted.get_vocabulary()
    restored = kt.layers.StringLookup.from_config(adapted.get_config())
    restored.load_assets(str(tmp_path))
    assert _values(restored(DATA)) == _values(adapted(DATA))


@pytest.mark.parametrize("layer_cls, data, sample", [
    ("StringLookup", np.array(["a", "b", "c", "a"]), np.array([["a"], ["c"]], dtype=object)),
    ("IntegerLookup", np.array([7, 3, 9, 7]), np.array([[7], [9]])),
])
@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count"])
def test_adapted_lookup_with_wide_output_survives_keras_file(tmp_path, layer_cls, data, sample, mode):
    """The saved ``vocabulary_size`` sizes the output while the model is rebuilt, before the vocabulary asset
    is read (it used to be dropped with a warning, and the rebuild failed)."""
    import warnings

    lookup = getattr(kt.layers, layer_cls)(output_mode=mode)
    lookup.adapt(data)
    inp = kt.Input(shape=(1,), dtype="string" if layer_cls == "StringLookup" else "int64")
    model = kt.Model(inp, kt.layers.Dense(2)(lookup(inp)))
    model.save(tmp_path / "m.keras")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = kt.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.predict(sample, verbose=0), model.predict(sample, verbose=0))
    assert loaded.layers[1].get_vocabulary() == lookup.get_vocabulary()
