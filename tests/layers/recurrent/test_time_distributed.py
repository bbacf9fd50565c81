import pytest
import torch
from helpers.layer_check import check_layer

import kerastorch as keras

L = keras.layers


def test_dense_and_conv_per_timestep():
    x = torch.randn(2, 4, 5)
    td = L.TimeDistributed(L.Dense(3))
    out = td(x)
    for t in range(4):
        torch.testing.assert_close(out[:, t], td.layer(x[:, t]))
    frames = torch.randn(2, 3, 6, 6, 2)
    conv = L.TimeDistributed(L.Conv2D(4, 3))
    y = conv(frames)
    assert y.shape == (2, 3, 4, 4, 4)
    torch.testing.assert_close(y[:, 1], conv.layer(frames[:, 1]))
    assert [w.shape for w in conv.get_weights()] == [(3, 3, 2, 4), (4,)]


def test_functional_mask_and_errors():
    inp = keras.Input(shape=(None, 5))
    out = L.TimeDistributed(L.Dense(2), name="td")(inp)
    assert out.shape == (None, None, 2)
    x = torch.randn(2, 3, 5)
    x._keras_mask = torch.tensor([[1, 1, 0], [1, 0, 0]], dtype=torch.bool)
    y = L.TimeDistributed(L.Dense(2))(x)
    assert torch.equal(y._keras_mask, x._keras_mask)
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        L.TimeDistributed(L.Dense(2), name="td_rank")(torch.randn(2, 5))
    with pytest.raises(ValueError, match="Layer"):
        L.TimeDistributed("dense")
    cfg = L.TimeDistributed(L.Dense(2)).get_config()
    assert L.TimeDistributed.from_config(cfg).layer.units == 2


# ------------------------------------------------------- common layer checks
def test_common_layer_checks():
    check_layer(keras.layers.TimeDistributed, lambda layers: {"layer": layers.Dense(2)}, (2, 3, 4), (2, 3, 2), 2, 0)
