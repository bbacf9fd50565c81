"""HashedCrossing. Real Keras runs this layer only with TensorFlow installed (it calls
``tf.sparse.cross_hashed``), so the value oracle is the bucket ids Keras itself documents and
asserts (its docstring and hashed_crossing_test.py, produced by TensorFlow); signature and config
are compared with Keras's class directly (its TensorFlow check patched out for the config only)."""
from __future__ import annotations

import inspect
import os

import numpy as np
import pytest
import torch

import kerastorch as kt
from kerastorch.layers.preprocessing.hashed_crossing import fingerprint_cat64

FEAT1 = np.array(["A", "B", "A", "B", "A"])
FEAT2 = np.array([101, 101, 101, 102, 102])


@pytest.fixture(scope="module")
def keras_class():
    os.environ["KERAS_BACKEND"] = "torch"
    pytest.importorskip("keras")
    from keras.src.layers.preprocessing import hashed_crossing
    return hashed_crossing


def test_int_buckets_equal_keras_documented_values():
    out = kt.layers.HashedCrossing(num_bins=5)((FEAT1, FEAT2))
    assert out.dtype == torch.int64
    assert out.tolist() == [1, 4, 1, 1, 3]
    # (batch, 1) inputs keep their shape; scalars give a scalar (Keras's test_tf_string: 1).
    out = kt.layers.HashedCrossing(num_bins=5)((FEAT1[:, None], torch.tensor(FEAT2)[:, None]))
    assert out.tolist() == [[1], [4], [1], [1], [3]]
    assert kt.layers.HashedCrossing(num_bins=10)(("A", 101)).tolist() == 1


def test_one_hot_equals_keras_documented_values():
    out = kt.layers.HashedCrossing(num_bins=5, output_mode="one_hot")((FEAT1, FEAT2))
    expected = np.eye(5, dtype="float32")[[1, 4, 1, 1, 3]]
    assert out.dtype == torch.float32
    np.testing.assert_array_equal(out.numpy(), expected)
    out = kt.layers.HashedCrossing(num_bins=5, output_mode="one_hot", dtype="float64")((FEAT1[:, None],
                                                                                        FEAT2[:, None]))
    assert out.dtype == torch.float64 and tuple(out.shape) == (5, 5)


def test_crossing_is_ordered_and_mixes_all_features():
    a, b = np.array([1, 2, 3]), np.array([7, 7, 7])
    forward = kt.layers.HashedCrossing(num_bins=1 << 30)((a, b)).tolist()
    backward = kt.layers.HashedCrossing(num_bins=1 << 30)((b, a)).tolist()
    assert forward != backward and len(set(forward)) == 3
    three = kt.layers.HashedCrossing(num_bins=1 << 30)((a, b, np.array(["x", "x", "y"]))).tolist()
    assert three != forward
    # The combiner is not symmetric: TensorFlow's FingerprintCat64.
    assert fingerprint_cat64(1, 2) != fingerprint_cat64(2, 1)


def test_errors_match_keras_messages():
    layer = kt.layers.HashedCrossing(num_bins=10)
    with pytest.raises(ValueError, match="should be called on a list"):
        layer(np.array(1))
    with pytest.raises(ValueError, match="at least two inputs"):
        layer([np.array(1)])
    with pytest.raises(ValueError, match="inputs should have shape"):
        layer((np.array([[[1]]]), np.array([[[1]]])))
    with pytest.raises(ValueError, match="should have an integer or string"):
        layer((np.array([1.0]), np.array([1.0])))
    with pytest.raises(ValueError, match="equal shape"):
        layer((np.array([1, 2]), np.array([1])))
    with pytest.raises(ValueError, match="output_mode"):
        kt.layers.HashedCrossing(num_bins=10, output_mode="multi_hot")
    with pytest.raises(ValueError, match="sparse"):
        kt.layers.HashedCrossing(num_bins=10, sparse=True)


def test_signature_and_config_equal_keras(keras_class, monkeypatch):
    kparams = inspect.signature(keras_class.HashedCrossing.__init__).parameters
    tparams = inspect.signature(kt.layers.HashedCrossing.__init__).parameters
    for name, p in kparams.items():
        if name == "self" or p.kind is p.VAR_KEYWORD:
            continue
        assert name in tparams and tparams[name].default == p.default, name

    class _TFPresent:  # only the constructor's availability check reads `tf`
        available = True

    monkeypatch.setattr(keras_class, "tf", _TFPresent())
    for kwargs in ({"num_bins": 3}, {"num_bins": 4, "output_mode": "one_hot"}, {"num_bins": 2, "dtype": "int32"}):
        kc = keras_class.HashedCrossing(name="x", **kwargs).get_config()
        tc = kt.layers.HashedCrossing(name="x", **kwargs).get_config()
        assert kc == tc
        rebuilt = kt.layers.HashedCrossing.from_config(tc)
        assert rebuilt.get_config() == tc


def test_compute_output_shape_as_keras():
    assert kt.layers.HashedCrossing(4).compute_output_shape(((5,), (5,))) == (5,)
    assert kt.layers.HashedCrossing(4, output_mode="one_hot").compute_output_shape(((5, 1), (5, 1))) == (5, 4)
    assert kt.layers.HashedCrossing(4, output_mode="one_hot").compute_output_shape(((5,), (5,))) == (5, 4)


def test_bins_follow_the_input_device():
    out = kt.layers.HashedCrossing(num_bins=7)((torch.tensor([1, 2]), torch.tensor([3, 4])))
    assert out.device.type == "cpu" and out.shape == (2,)
