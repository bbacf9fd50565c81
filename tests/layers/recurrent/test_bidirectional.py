import numpy as np
import pytest
import torch
from helpers.layer_check import check_layer

import kerastorch as keras

L = keras.layers


def reference(layer, x, **kwargs):
    """Forward and backward outputs computed with plain LSTM layers holding the same weights."""
    fwd_cfg = dict(layer.forward_layer.get_config(), name="ref_f")
    bwd_cfg = dict(layer.backward_layer.get_config(), name="ref_b")
    fwd, bwd = L.LSTM.from_config(fwd_cfg), L.LSTM.from_config(bwd_cfg)
    fwd(x), bwd(x)
    fwd.set_weights(layer.forward_layer.get_weights())
    bwd.set_weights(layer.backward_layer.get_weights())
    return fwd(x, **kwargs), bwd(x, **kwargs)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
def test_merge_modes(merge_mode):
    x = torch.randn(2, 5, 3)
    layer = L.Bidirectional(L.LSTM(4, return_sequences=True), merge_mode=merge_mode)
    out = layer(x)
    y, y_rev = reference(layer, x)
    y_rev = torch.flip(y_rev, [1])
    expected = {"concat": lambda: torch.cat([y, y_rev], -1), "sum": lambda: y + y_rev, "mul": lambda: y * y_rev,
                "ave": lambda: (y + y_rev) / 2, None: lambda: None}[merge_mode]()
    if merge_mode is None:
        torch.testing.assert_close(out[0], y)
        torch.testing.assert_close(out[1], y_rev)
    else:
        torch.testing.assert_close(out, expected)


def test_names_weight_order_and_backward_layer():
    inner = L.LSTM(3, name="lstm")
    bi = L.Bidirectional(inner, name="bilstm")
    bi(torch.zeros(1, 2, 4))
    assert bi.forward_layer.name == "forward_lstm" and bi.backward_layer.name == "backward_lstm"
    assert bi.backward_layer.go_backwards and not bi.forward_layer.go_backwards
    assert list(bi.state_dict())[:3] == ["forward_layer.cell.kernel", "forward_layer.cell.recurrent_kernel",
                                         "forward_layer.cell.bias"]
    weights = [np.full(w.shape, i, "float32") for i, w in enumerate(bi.get_weights())]
    bi.set_weights(weights)
    np.testing.assert_array_equal(bi.forward_layer.get_weights()[0], weights[0])
    np.testing.assert_array_equal(bi.backward_layer.get_weights()[0], weights[3])
    custom = L.Bidirectional(L.GRU(2, return_sequences=True),
                             backward_layer=L.GRU(2, activation="relu", return_sequences=True, go_backwards=True))
    assert custom(torch.randn(2, 3, 4)).shape == (2, 3, 4)
    with pytest.raises(ValueError, match="go_backwards"):
        L.Bidirectional(L.GRU(2), backward_layer=L.GRU(2))
    with pytest.raises(ValueError, match="merge mode"):
        L.Bidirectional(L.GRU(2), merge_mode="max")


def test_return_state_and_initial_state():
    x = torch.randn(2, 4, 3)
    layer = L.Bidirectional(L.LSTM(5, return_state=True))
    out, fh, fc, bh, bc = layer(x)
    assert out.shape == (2, 10)
    torch.testing.assert_close(out, torch.cat([fh, bh], -1))
    init = [torch.randn(2, 5) for _ in range(4)]
    out2 = layer(x, initial_state=init)[0]
    y, y_rev = reference(layer, x)
    y0 = layer.forward_layer(x, initial_state=init[:2])[0]
    torch.testing.assert_close(out2[:, :5], y0)
    assert not torch.allclose(out2[:, :5], y[0])


def test_masked_steps_are_zero_with_return_sequences():
    x = torch.randn(2, 5, 3)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=torch.bool)
    layer = L.Bidirectional(L.LSTM(4, return_sequences=True))
    out = layer(x, mask=mask)
    assert torch.count_nonzero(out[0, 3:]) == 0
    assert torch.equal(out._keras_mask, mask)
    alone = layer(x[:1, :3])
    torch.testing.assert_close(out[:1, :3], alone, atol=1e-6, rtol=1e-5)
    last = L.Bidirectional(L.LSTM(4))
    last(x)
    last.set_weights(layer.get_weights())
    torch.testing.assert_close(last(x, mask=mask)[:1], last(x[:1, :3]), atol=1e-6, rtol=1e-5)


def test_functional_and_config():
    inp = keras.Input(shape=(6, 4))
    h = L.Bidirectional(L.LSTM(5, return_sequences=True), name="bi1")(inp)
    y = L.Bidirectional(L.LSTM(3), merge_mode="sum", name="bi2")(h)
    model = keras.Model(inp, [h, y])
    assert h.shape == (None, 6, 10) and y.shape == (None, 3)
    assert len(model.get_weights()) == 12
    cfg = model.layers[1].get_config()
    clone = L.Bidirectional.from_config(cfg)
    assert clone.forward_layer.units == 5 and clone.backward_layer.go_backwards


# ------------------------------------------------------- common layer checks
@pytest.mark.parametrize("make_kwargs, output_shape", [
    (lambda layers: {"layer": layers.LSTM(3)}, (2, 6)),
    (lambda layers: {"layer": layers.GRU(2, return_sequences=True), "merge_mode": "sum"}, (2, 4, 2)),
])
def test_common_layer_checks(make_kwargs, output_shape):
    check_layer(keras.layers.Bidirectional, make_kwargs, (2, 4, 2), output_shape, 6, 0)
