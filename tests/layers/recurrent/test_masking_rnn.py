"""A masked, zero-padded batch must give each sequence the output it gets when run alone."""
import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch.layers.recurrent import fused

L = keras.layers
LENGTHS = [6, 2, 4, 1]
LAYERS = [
    ("lstm", lambda **kw: L.LSTM(5, **kw)),
    ("gru", lambda **kw: L.GRU(5, **kw)),
    ("gru_reset_before", lambda **kw: L.GRU(5, reset_after=False, **kw)),
    ("simple_rnn", lambda **kw: L.SimpleRNN(5, **kw)),
    ("lstm_hard_sigmoid", lambda **kw: L.LSTM(5, recurrent_activation="hard_sigmoid", **kw)),
]


def padded_batch(pre=False, seed=0):
    rng = np.random.default_rng(seed)
    T = max(LENGTHS)
    seqs = [rng.normal(size=(n, 3)).astype("float32") for n in LENGTHS]
    x = np.zeros((len(seqs), T, 3), "float32")
    mask = np.zeros((len(seqs), T), bool)
    for i, s in enumerate(seqs):
        if pre:
            x[i, T - len(s):], mask[i, T - len(s):] = s, True
        else:
            x[i, :len(s)], mask[i, :len(s)] = s, True
    return seqs, torch.tensor(x), torch.tensor(mask)


@pytest.mark.parametrize("force_loop", [False, True])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("name, make", LAYERS)
def test_padded_batch_equals_each_sequence_alone(name, make, go_backwards, force_loop):
    seqs, x, mask = padded_batch()
    layer = make(return_sequences=True, return_state=True, go_backwards=go_backwards)
    layer._force_loop = force_loop
    out = layer(x, mask=mask)
    seq_out, last_states = out[0], out[1:]
    for i, s in enumerate(seqs):
        alone = layer(torch.tensor(s[None]))
        n = len(s)
        for got, want in zip(last_states, alone[1:]):  # final states = states after the last valid step
            torch.testing.assert_close(got[i:i + 1], want, atol=1e-6, rtol=1e-5)
        if go_backwards:
            # Keras walks the reversed (now pre-padded) sequence: zeros first, then the valid outputs
            assert torch.count_nonzero(seq_out[i, :x.shape[1] - n]) == 0
            torch.testing.assert_close(seq_out[i:i + 1, x.shape[1] - n:], alone[0], atol=1e-6, rtol=1e-5)
        else:
            torch.testing.assert_close(seq_out[i:i + 1, :n], alone[0], atol=1e-6, rtol=1e-5)
            # masked steps repeat the last valid output
            torch.testing.assert_close(seq_out[i, n:], alone[0][0, -1].expand(x.shape[1] - n, -1))


@pytest.mark.parametrize("name, make", LAYERS[:2])
def test_last_output_and_pre_padding(name, make):
    seqs, x, mask = padded_batch(pre=True, seed=1)
    layer = make()
    out = layer(x, mask=mask)  # not right-padded: runs the step loop
    for i, s in enumerate(seqs):
        torch.testing.assert_close(out[i:i + 1], layer(torch.tensor(s[None])), atol=1e-6, rtol=1e-5)


def test_right_padded_mask_uses_fused_kernel_other_masks_do_not():
    calls = []
    original = fused.run

    def spy(*args, **kwargs):
        calls.append(kwargs.get("lengths", args[5] if len(args) > 5 else None) is not None)
        return original(*args, **kwargs)

    fused.run = spy
    try:
        layer = L.LSTM(3)
        _, x, mask = padded_batch()
        layer(x, mask=mask)
        _, x_pre, mask_pre = padded_batch(pre=True)
        layer(x_pre, mask=mask_pre)
        empty = mask.clone()
        empty[1] = False  # a fully masked sequence cannot be packed
        out = layer(x, mask=empty)
    finally:
        fused.run = original
    assert calls == [True]
    torch.testing.assert_close(out[1], torch.zeros(3))  # fully masked: initial state, zero output


def test_masking_and_embedding_layers_feed_masks():
    seqs, x, mask = padded_batch()
    inp = keras.Input(shape=(None, 3))
    m = L.Masking(mask_value=0.0)(inp)
    seq = L.GRU(4, return_sequences=True)(m)
    last = L.LSTM(2)(seq)
    model = keras.Model(inp, [seq, last])
    seq_out, last_out = model(x)
    for i, s in enumerate(seqs):
        s_alone, l_alone = model(torch.tensor(s[None]))
        torch.testing.assert_close(last_out[i:i + 1], l_alone, atol=1e-6, rtol=1e-5)
        torch.testing.assert_close(seq_out[i:i + 1, :len(s)], s_alone, atol=1e-6, rtol=1e-5)

    tokens = keras.Input(shape=(None,), dtype="int32")
    e = L.Embedding(10, 4, mask_zero=True)(tokens)
    h = L.Bidirectional(L.LSTM(3))(e)
    td = L.TimeDistributed(L.Dense(2))(e)
    model = keras.Model(tokens, [h, td])
    ids = torch.tensor([[3, 5, 2, 0, 0], [7, 1, 0, 0, 0]])
    h_out, td_out = model(ids)
    torch.testing.assert_close(h_out[1:], model(ids[1:, :2])[0], atol=1e-6, rtol=1e-5)
    assert torch.equal(td_out._keras_mask, ids != 0)
