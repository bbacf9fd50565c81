import numpy as np
import pytest
import torch

import kerastorch as keras

L = keras.layers


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def np_mha(weights, q, v, k=None, mask=None):
    """Keras's MultiHeadAttention with explicit einsums; mask (B, T, S) boolean."""
    k = v if k is None else k
    wq, bq, wk, bk, wv, bv, wo, bo = weights
    Q = np.einsum("btd,dnh->btnh", q, wq) + bq
    K = np.einsum("bsd,dnh->bsnh", k, wk) + bk
    V = np.einsum("bsd,dnh->bsnh", v, wv) + bv
    scores = np.einsum("bsnh,btnh->bnts", K, Q / np.sqrt(wq.shape[-1]))
    if mask is not None:
        scores = np.where(mask[:, None], scores, -1e9)
    probs = softmax(scores)
    if mask is not None:
        probs = probs * mask[:, None]
    out = np.einsum("bnts,bsnh->btnh", probs, V)
    return np.einsum("btnh,nhd->btd", out, wo) + bo, probs


def randomize(layer, seed=0):
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(0, 0.4, w.shape).astype("float32") for w in layer.get_weights()])
    return layer.get_weights()


def test_weight_layout_names_and_values():
    x = np.random.default_rng(0).normal(size=(2, 5, 8)).astype("float32")
    mha = L.MultiHeadAttention(num_heads=2, key_dim=4, name="mha")
    out, scores = mha(x, x, return_attention_scores=True)
    assert [w.shape for w in mha.get_weights()] == [(8, 2, 4), (2, 4), (8, 2, 4), (2, 4), (8, 2, 4), (2, 4),
                                                    (2, 4, 8), (8,)]
    assert [l.name for l in (mha.query_dense, mha.key_dense, mha.value_dense, mha.output_dense)] == \
        ["query", "key", "value", "attention_output"]
    assert list(mha.state_dict())[:2] == ["query_dense.kernel", "query_dense.bias"]
    weights = randomize(mha)
    out, scores = mha(x, x, return_attention_scores=True)
    ref, ref_scores = np_mha(weights, x, x)
    np.testing.assert_allclose(out.detach().numpy(), ref, atol=1e-5)
    np.testing.assert_allclose(scores.detach().numpy(), ref_scores, atol=1e-6)
    np.testing.assert_allclose(mha(x, x).detach().numpy(), ref, atol=1e-5)  # SDPA path


@pytest.mark.parametrize("scores_requested", [False, True])
def test_cross_attention_masks_and_causal(scores_requested):
    rng = np.random.default_rng(1)
    q = rng.normal(size=(2, 4, 6)).astype("float32")
    v = rng.normal(size=(2, 5, 3)).astype("float32")
    k = rng.normal(size=(2, 5, 7)).astype("float32")
    mha = L.MultiHeadAttention(num_heads=3, key_dim=2, value_dim=5)
    mha(q, v, k)
    assert mha.get_weights()[4].shape == (3, 3, 5) and mha.get_weights()[6].shape == (3, 5, 6)
    weights = randomize(mha, 1)
    qt, vt = torch.tensor(q), torch.tensor(v)
    q_mask = torch.tensor([[1, 1, 1, 0], [0, 1, 1, 1]], dtype=torch.bool)
    v_mask = torch.tensor([[1, 1, 0, 1, 1], [1, 1, 1, 1, 0]], dtype=torch.bool)
    qt._keras_mask, vt._keras_mask = q_mask, v_mask
    res = mha(qt, vt, torch.tensor(k), use_causal_mask=True, return_attention_scores=scores_requested)
    out = res[0] if scores_requested else res
    full = (q_mask[:, :, None] & v_mask[:, None, :] & torch.ones(4, 5, dtype=torch.bool).tril()).numpy()
    ref, _ = np_mha(weights, q, v, k, full)
    np.testing.assert_allclose(out.detach().numpy(), ref, atol=1e-5)
    assert torch.equal(out._keras_mask, q_mask)
    explicit = mha(q, v, k, attention_mask=torch.tensor(full), return_attention_scores=scores_requested)
    torch.testing.assert_close(explicit[0] if scores_requested else explicit, out, atol=1e-5, rtol=1e-5)


def test_fully_masked_rows_give_zero_attention_not_nan():
    x = torch.randn(1, 3, 4, requires_grad=True)
    mha = L.MultiHeadAttention(num_heads=1, key_dim=2)
    mask = torch.tensor([[[1, 0, 0], [0, 0, 0], [1, 1, 1]]], dtype=torch.bool)
    out = mha(x, x, attention_mask=mask)
    out2, scores = mha(x, x, attention_mask=mask, return_attention_scores=True)
    torch.testing.assert_close(out, out2, atol=1e-6, rtol=1e-5)
    assert torch.count_nonzero(scores[0, 0, 1]) == 0
    torch.testing.assert_close(out[0, 1], mha.output_dense.bias)  # zero context -> output bias only
    out.sum().backward()
    assert torch.isfinite(x.grad).all()


def test_attention_mask_that_does_not_broadcast():
    x = torch.randn(2, 3, 4)
    mha = L.MultiHeadAttention(num_heads=2, key_dim=2, name="mha_err")
    with pytest.raises(ValueError, match=r'mha_err.*\(2, 4, 4\).*\(2, 3, 3\)'):
        mha(x, x, attention_mask=torch.ones(2, 4, 4, dtype=torch.bool))


def test_output_shape_attention_axes_dropout_and_config():
    x = torch.randn(2, 3, 4, 6)
    mha = L.MultiHeadAttention(num_heads=2, key_dim=3, attention_axes=(1, 2), output_shape=5)
    out, scores = mha(x, x, return_attention_scores=True)
    assert out.shape == (2, 3, 4, 5) and scores.shape == (2, 2, 3, 4, 3, 4)
    torch.testing.assert_close(scores.sum((-1, -2)), torch.ones(2, 2, 3, 4))
    drop = L.MultiHeadAttention(num_heads=2, key_dim=2, dropout=0.5)
    y = torch.randn(2, 5, 4)
    torch.testing.assert_close(drop(y, y), drop(y, y))
    assert not torch.allclose(drop(y, y, training=True), drop(y, y))
    cfg = drop.get_config()
    assert cfg["num_heads"] == 2 and cfg["value_dim"] == 2 and cfg["dropout"] == 0.5
    clone = L.MultiHeadAttention.from_config(dict(cfg, name="clone", query_shape=None))
    assert clone(y, y).shape == (2, 5, 4)


def test_transformer_encoder_block_trains():
    if not hasattr(L, "LayerNormalization"):
        pytest.skip("LayerNormalization is not available")
    torch.manual_seed(0)

    def encoder_block(x, num_heads=2, key_dim=8, ff_dim=32):
        attn = L.MultiHeadAttention(num_heads=num_heads, key_dim=key_dim, dropout=0.1)(x, x)
        x = L.LayerNormalization(epsilon=1e-6)(x + attn)
        ff = L.Dense(ff_dim, activation="relu")(x)
        ff = L.Dense(x.shape[-1])(ff)
        return L.LayerNormalization(epsilon=1e-6)(x + ff)

    tokens = keras.Input(shape=(10, 16))
    h = encoder_block(encoder_block(tokens))
    logits = L.Dense(1)(h[:, 0])
    model = keras.Model(tokens, logits)
    x = torch.randn(16, 10, 16)
    y = (x[:, :, 0].mean(1, keepdim=True) > 0).float()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    losses = []
    for _ in range(10):
        optimizer.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(x, training=True), y)
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
    assert losses[-1] < losses[0]
