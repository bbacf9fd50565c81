import numpy as np
import pytest
import torch
from helpers.layer_check import check_layer

import kerastorch as keras

L = keras.layers


def test_conv_lstm1d_with_1x1_kernel_is_a_per_position_lstm():
    x = torch.randn(2, 4, 5, 3)  # (batch, time, steps, channels)
    conv = L.ConvLSTM1D(6, 1, return_sequences=True, return_state=True, name="convlstm1d")
    seq, h, c = conv(x)
    assert conv.cell.name == "conv_lstm_cell"
    assert [w.shape for w in conv.get_weights()] == [(1, 3, 24), (1, 6, 24), (24,)]
    rng = np.random.default_rng(0)
    conv.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in conv.get_weights()])
    seq, h, c = conv(x)
    k, rk, b = conv.get_weights()
    lstm = L.LSTM(6, return_sequences=True, return_state=True)
    folded = x.permute(0, 2, 1, 3).reshape(10, 4, 3)
    lstm(folded)
    lstm.set_weights([k[0], rk[0], b])
    ref_seq, ref_h, ref_c = lstm(folded)
    torch.testing.assert_close(seq, ref_seq.reshape(2, 5, 4, 6).permute(0, 2, 1, 3), atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(h, ref_h.reshape(2, 5, 6), atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(c, ref_c.reshape(2, 5, 6), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("padding, strides, expected", [("same", 1, (7, 6)), ("valid", 1, (5, 4)),
                                                        ("same", 2, (4, 3)), ("valid", 2, (3, 2))])
def test_conv_lstm2d_shapes(padding, strides, expected):
    layer = L.ConvLSTM2D(4, 3, padding=padding, strides=strides, return_state=True)
    out, h, c = layer(torch.randn(2, 3, 7, 6, 2))
    assert out.shape == (2, *expected, 4) and h.shape == c.shape == out.shape


def test_channels_first_matches_channels_last_and_masks():
    x = torch.randn(2, 3, 6, 5, 2)
    last = L.ConvLSTM2D(3, (3, 2), padding="same", return_sequences=True)
    first = L.ConvLSTM2D(3, (3, 2), padding="same", return_sequences=True, data_format="channels_first")
    out_last = last(x)
    first(x.permute(0, 1, 4, 2, 3))
    first.set_weights(last.get_weights())
    torch.testing.assert_close(first(x.permute(0, 1, 4, 2, 3)), out_last.permute(0, 1, 4, 2, 3),
                               atol=1e-5, rtol=1e-5)
    mask = torch.tensor([[1, 1, 0], [1, 1, 1]], dtype=torch.bool)
    masked = last(x, mask=mask)
    torch.testing.assert_close(masked[0, 2], masked[0, 1])
    torch.testing.assert_close(masked[:1, :2], last(x[:1, :2]), atol=1e-6, rtol=1e-5)
    with pytest.raises(ValueError, match="expected ndim=5"):
        last(torch.randn(2, 3, 6, 2))
    assert L.ConvLSTM2D.from_config(last.get_config()).get_config()["kernel_size"] == (3, 2)


# ------------------------------------------------------- common layer checks
def test_common_layer_checks():
    check_layer(keras.layers.ConvLSTM2D, {"filters": 2, "kernel_size": 2}, (1, 2, 4, 4, 1), (1, 3, 3, 2), 3, 0)
