import numpy as np
import pytest
import torch

import kerastorch as keras

L = keras.layers


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def data(seed=0):
    rng = np.random.default_rng(seed)
    q = rng.normal(size=(2, 3, 4)).astype("float32")
    v = rng.normal(size=(2, 5, 4)).astype("float32")
    k = rng.normal(size=(2, 5, 4)).astype("float32")
    return q, v, k


def np_attention(q, v, k, scores, v_mask=None, q_mask=None, causal=False):
    if v_mask is not None:
        scores = scores - 1e9 * (~v_mask[:, None, :])
    if causal:
        scores = scores - 1e9 * ~np.tril(np.ones(scores.shape[-2:], bool))
    w = softmax(scores)
    out = w @ v
    if q_mask is not None:
        out = out * q_mask[..., None]
    return out, w


def test_dot_attention_scale_scores_and_sdpa_path():
    q, v, k = data()
    layer = L.Attention(use_scale=True)
    out, scores = layer([q, v, k], return_attention_scores=True)
    assert [w.shape for w in layer.get_weights()] == [()]
    layer.set_weights([np.array(0.7, "float32")])
    out, scores = layer([q, v, k], return_attention_scores=True)
    ref, ref_w = np_attention(q, v, k, 0.7 * q @ k.transpose(0, 2, 1))
    np.testing.assert_allclose(out.detach().numpy(), ref, atol=1e-5)
    np.testing.assert_allclose(scores.detach().numpy(), ref_w, atol=1e-6)
    np.testing.assert_allclose(layer([q, v, k]).detach().numpy(), ref, atol=1e-5)  # fused SDPA path
    plain = L.Attention()([q, v])  # key defaults to value
    np.testing.assert_allclose(plain.numpy(), np_attention(q, v, v, q @ v.transpose(0, 2, 1))[0], atol=1e-5)


@pytest.mark.parametrize("scores_requested", [False, True])
def test_masks_and_causal(scores_requested):
    q, v, k = data(1)
    q_mask = np.array([[1, 1, 0], [1, 0, 1]], bool)
    v_mask = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 1, 1]], bool)
    layer = L.Attention()
    res = layer([q, v, k], mask=[torch.tensor(q_mask), torch.tensor(v_mask)], use_causal_mask=True,
                return_attention_scores=scores_requested)
    out = res[0] if scores_requested else res
    ref, _ = np_attention(q, v, k, q @ k.transpose(0, 2, 1), v_mask, q_mask, causal=True)
    np.testing.assert_allclose(out.detach().numpy(), ref, atol=1e-5)
    assert torch.equal(out._keras_mask, torch.tensor(q_mask))
    qt, vt = torch.tensor(q), torch.tensor(v)
    qt._keras_mask, vt._keras_mask = torch.tensor(q_mask), torch.tensor(v_mask)
    auto = L.Attention()([qt, vt])
    ref, _ = np_attention(q, v, v, q @ v.transpose(0, 2, 1), v_mask, q_mask)
    np.testing.assert_allclose(auto.detach().numpy(), ref, atol=1e-5)


def test_concat_score_mode_and_additive_attention():
    q, v, k = data(2)
    layer = L.Attention(score_mode="concat", use_scale=True)
    layer([q, v, k])
    assert [w.shape for w in layer.get_weights()] == [(), ()]
    layer.set_weights([np.array(0.5, "float32"), np.array(1.5, "float32")])
    scores = 1.5 * np.tanh(0.5 * (q[:, :, None] + k[:, None])).sum(-1)
    np.testing.assert_allclose(layer([q, v, k]).detach().numpy(), np_attention(q, v, k, scores)[0], atol=1e-5)

    add = L.AdditiveAttention()
    out, w = add([q, v, k], return_attention_scores=True)
    scale = add.get_weights()[0]
    assert scale.shape == (4,)
    scores = (scale * np.tanh(q[:, :, None] + k[:, None])).sum(-1)
    ref, ref_w = np_attention(q, v, k, scores)
    np.testing.assert_allclose(out.detach().numpy(), ref, atol=1e-5)
    np.testing.assert_allclose(w.detach().numpy(), ref_w, atol=1e-6)
    noscale = L.AdditiveAttention(use_scale=False)
    assert noscale.get_weights() == [] and "score_mode" not in noscale.get_config()
    np.testing.assert_allclose(noscale([q, v]).numpy(),
                               np_attention(q, v, v, np.tanh(q[:, :, None] + v[:, None]).sum(-1))[0], atol=1e-5)


def test_dropout_on_distribution_in_training_only():
    torch.manual_seed(0)
    q, v, k = data(3)
    layer = L.Attention(dropout=0.5)
    a = layer([q, v])
    torch.testing.assert_close(a, layer([q, v]))
    assert not torch.allclose(layer([q, v], training=True), a)
    _, w = layer([q, v], training=True, return_attention_scores=True)
    torch.testing.assert_close(w.sum(-1), torch.ones(2, 3))  # returned scores are pre-dropout


def test_errors():
    q, v, _ = data()
    with pytest.raises(ValueError, match="list of inputs"):
        L.Attention()(torch.tensor(q))
    with pytest.raises(ValueError, match="length 2 or 3"):
        L.Attention()([q])
    with pytest.raises(ValueError, match=r'attn_bad.*value_mask of shape \(2, 4\).*\(2, 5\)'):
        L.Attention(name="attn_bad")([q, v], mask=[None, torch.ones(2, 4, dtype=torch.bool)])
    with pytest.raises(ValueError, match="score_mode"):
        L.Attention(score_mode="cosine")
