import numpy as np
import pytest
import torch

import kerastorch as keras

L = keras.layers


class MinimalRNNCell(keras.layers.Layer):
    """The custom cell of the Keras RNN docstring: output = x @ W + h @ U."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], self.units), initializer="uniform")
        self.recurrent_kernel = self.add_weight(name="recurrent_kernel", shape=(self.units, self.units),
                                                initializer="uniform")

    def call(self, inputs, states):
        prev_output = states[0]
        output = inputs @ self.kernel + prev_output @ self.recurrent_kernel
        return output, [output]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_custom_cell_loop_masking_and_states():
    layer = L.RNN(MinimalRNNCell(4), return_sequences=True, return_state=True)
    x = torch.randn(3, 5, 2)
    seq, h = layer(x)
    w, u = layer.cell.kernel.detach(), layer.cell.recurrent_kernel.detach()
    ref = torch.zeros(3, 4)
    for t in range(5):
        ref = x[:, t] @ w + ref @ u
        torch.testing.assert_close(seq[:, t], ref)
    torch.testing.assert_close(h, ref)
    # masked steps: carry state and repeat the previous output
    mask = torch.tensor([[1, 1, 0, 1, 0]] * 3, dtype=torch.bool)
    seq_m, h_m = layer(x, mask=mask)
    keep = [0, 1, 3]
    ref = torch.zeros(3, 4)
    for t in keep:
        ref = x[:, t] @ w + ref @ u
    torch.testing.assert_close(h_m, ref)
    torch.testing.assert_close(seq_m[:, 2], seq_m[:, 1])
    torch.testing.assert_close(seq_m[:, 4], seq_m[:, 3])
    assert seq_m._keras_mask is mask and getattr(h_m, "_keras_mask", None) is None
    cfg = layer.get_config()
    rebuilt = L.RNN.from_config(cfg, custom_objects={"MinimalRNNCell": MinimalRNNCell})
    assert isinstance(rebuilt.cell, MinimalRNNCell) and rebuilt.cell.units == 4


def test_stacked_cells_equal_stacked_layers():
    x = torch.randn(2, 6, 3)
    stacked = L.RNN([L.LSTMCell(4), L.GRUCell(5)], return_state=True)
    out, lstm_states, gru_states = stacked(x)
    assert isinstance(stacked.cell, L.StackedRNNCells)
    assert [w.shape for w in stacked.get_weights()] == [(3, 16), (4, 16), (16,), (4, 15), (5, 15), (2, 15)]
    first, second = L.LSTM(4, return_sequences=True), L.GRU(5)
    second(first(x))
    first.set_weights(stacked.get_weights()[:3])
    second.set_weights(stacked.get_weights()[3:])
    torch.testing.assert_close(out, second(first(x)), atol=1e-6, rtol=1e-5)
    assert len(lstm_states) == 2 and lstm_states[0].shape == (2, 4)
    torch.testing.assert_close(gru_states[0], out)
    explicit = L.RNN(L.StackedRNNCells([L.SimpleRNNCell(3), L.SimpleRNNCell(2)]))
    assert explicit(x).shape == (2, 2)


def test_stateful_carries_states_and_resets():
    layer = L.LSTM(3, stateful=True, return_state=True)
    x = torch.randn(2, 4, 5)
    _, h1, c1 = layer(x)
    out2, h2, _ = layer(x)
    fresh = L.LSTM(3, return_state=True)
    fresh(x)
    fresh.set_weights(layer.get_weights())
    _, h_ref, _ = fresh(x, initial_state=[h1, c1])
    torch.testing.assert_close(h2, h_ref)
    assert not torch.allclose(h1, h2)
    layer.reset_states()
    assert all(torch.count_nonzero(s) == 0 for s in layer.states)
    _, h3, _ = layer(x)
    torch.testing.assert_close(h3, h1)
    layer.reset_states([np.ones((2, 3), "float32"), np.zeros((2, 3), "float32")])
    torch.testing.assert_close(layer.states[0], torch.ones(2, 3))
    with pytest.raises(ValueError, match="stateful"):
        layer(torch.randn(5, 4, 5))
    # states do not keep the previous batch's graph alive
    layer(torch.randn(2, 4, 5, requires_grad=True))
    assert not layer.states[0].requires_grad


def test_rnn_mask_propagation_and_unroll_accepted():
    x = torch.randn(2, 4, 3)
    x._keras_mask = torch.tensor([[1, 1, 1, 0], [1, 1, 0, 0]], dtype=torch.bool)
    seq = L.GRU(2, return_sequences=True, unroll=True)(x)
    assert torch.equal(seq._keras_mask, x._keras_mask)
    last = L.GRU(2, unroll=True)(x)
    assert getattr(last, "_keras_mask", None) is None
    out, state = L.SimpleRNN(2, return_sequences=True, return_state=True)(x)
    assert out._keras_mask is not None and getattr(state, "_keras_mask", None) is None


def test_cell_validation_errors():
    with pytest.raises(ValueError, match="state_size"):
        L.RNN(object.__new__(type("NoState", (), {"call": lambda self, x, s: (x, s)})))
    with pytest.raises(ValueError, match="min_ndim=3"):
        L.RNN(L.SimpleRNNCell(2), name="rank_check")(torch.zeros(3, 4))


def test_stateful_in_functional_model_starts_from_zeros():
    inp = keras.Input(shape=(4, 3), batch_size=2)
    layer = L.GRU(3, stateful=True)
    model = keras.Model(inp, layer(inp))
    assert layer.states is None  # building the model did not run the recurrence for real
    x = torch.randn(2, 4, 3)
    first = model(x)
    fresh = L.GRU(3)
    fresh(x)
    fresh.set_weights(layer.get_weights())
    torch.testing.assert_close(first, fresh(x))
    assert not torch.allclose(model(x), first)
