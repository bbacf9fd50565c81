"""torch's fused RNN kernels and the Python step loop compute the same values and gradients."""
import pytest
import torch

import kerastorch as keras
from kerastorch.layers.recurrent import fused

L = keras.layers
CASES = [
    ("lstm", lambda **kw: L.LSTM(6, **kw), "lstm"),
    ("lstm_no_bias", lambda **kw: L.LSTM(6, use_bias=False, **kw), "lstm"),
    ("gru", lambda **kw: L.GRU(6, **kw), "gru"),
    ("gru_no_bias", lambda **kw: L.GRU(6, use_bias=False, **kw), "gru"),
    ("rnn_tanh", lambda **kw: L.SimpleRNN(6, **kw), "rnn_tanh"),
    ("rnn_relu", lambda **kw: L.SimpleRNN(6, activation="relu", **kw), "rnn_relu"),
]


def run(layer, force_loop, x, **kwargs):
    layer._force_loop = force_loop
    layer.zero_grad()
    out = layer(x, **kwargs)
    flat = out if isinstance(out, tuple) else (out,)
    loss = sum((o * torch.linspace(-1, 1, o.numel()).view(o.shape)).sum() for o in flat)
    loss.backward()
    return [o.detach() for o in flat], [p.grad.clone() for p in layer.parameters()]


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("name, make, mode", CASES)
def test_fused_equals_loop(name, make, mode, masked, go_backwards):
    torch.manual_seed(0)
    layer = make(return_sequences=True, return_state=True, go_backwards=go_backwards)
    x = torch.randn(4, 7, 3)
    mask = (torch.arange(7) < torch.tensor([7, 3, 5, 1])[:, None]) if masked else None
    init = [torch.randn(4, 6) for _ in range(2 if mode == "lstm" else 1)]
    layer(x)
    for p in layer.parameters():  # non-trivial biases
        torch.nn.init.normal_(p, 0, 0.4)
    seen = []
    original = fused.run
    fused.run = lambda m, *a, **k: (seen.append(m), original(m, *a, **k))[1]
    try:
        out_f, grads_f = run(layer, False, x, mask=mask, initial_state=init)
    finally:
        fused.run = original
    assert seen == [mode]
    out_l, grads_l = run(layer, True, x, mask=mask, initial_state=init)
    for a, b in zip(out_f, out_l):
        torch.testing.assert_close(a, b, atol=2e-6, rtol=1e-5)
    for a, b in zip(grads_f, grads_l):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)


def test_input_dropout_uses_the_same_mask_on_both_paths():
    layer = L.LSTM(5, dropout=0.5, seed=7)
    x = torch.randn(3, 4, 6)
    layer(x)
    layer.cell._generator.manual_seed(1)
    fused_out = layer(x, training=True)
    layer._force_loop = True
    layer.cell._generator.manual_seed(1)
    loop_out = layer(x, training=True)
    torch.testing.assert_close(fused_out, loop_out, atol=2e-6, rtol=1e-5)
    assert not torch.allclose(fused_out, layer(x))


def test_configurations_that_need_the_loop():
    x = torch.randn(2, 3, 4)
    for layer in (L.LSTM(3, recurrent_activation="hard_sigmoid"), L.GRU(3, reset_after=False),
                  L.SimpleRNN(3, activation="selu"), L.LSTM(3, activation="relu")):
        layer(x)
        assert layer.cell._fused_spec(False) is None
    rd = L.GRU(3, recurrent_dropout=0.2)
    rd(x)
    assert rd.cell._fused_spec(True) is None and rd.cell._fused_spec(False) is not None
