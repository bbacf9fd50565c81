"""keras.activations formulas against hand-computed NumPy, and the get/serialize contract."""
import math

import numpy as np
import pytest
import torch

from kerastorch import activations

X = np.array([-5.0, -3.0, -2.5, -1.0, -0.3, 0.0, 0.4, 1.0, 2.5, 3.0, 7.0], dtype="float32")


def close(tensor, expected, rtol=1e-6, atol=1e-6):
    assert isinstance(tensor, torch.Tensor)
    np.testing.assert_allclose(tensor.detach().cpu().numpy(), expected, rtol=rtol, atol=atol)


def test_relu_variants_match_keras_docstring():
    x = [-10.0, -5.0, 0.0, 5.0, 10.0]
    close(activations.relu(x), [0, 0, 0, 5, 10])
    close(activations.relu(x, negative_slope=0.5), [-5, -2.5, 0, 5, 10])
    close(activations.relu(x, max_value=5.0), [0, 0, 0, 5, 5])
    close(activations.relu(x, threshold=5.0), [0, 0, 0, 0, 10])
    # all three at once: x above threshold (capped), slope * (x - threshold) below
    close(activations.relu(x, negative_slope=0.1, max_value=8.0, threshold=1.0), [-1.1, -0.6, -0.1, 5, 8])
    close(activations.relu(x, alpha=0.5), [-5, -2.5, 0, 5, 10])  # Keras 2 keyword
    close(activations.relu6(X), np.clip(X, 0, 6))
    close(activations.leaky_relu(X), np.where(X > 0, X, 0.2 * X))


def test_exponential_family():
    close(activations.elu(X, alpha=0.7), np.where(X > 0, X, 0.7 * (np.exp(X) - 1)))
    alpha, scale = 1.67326324, 1.05070098  # the constants Keras documents
    close(activations.selu(X), scale * np.where(X > 0, X, alpha * (np.exp(X) - 1)), rtol=1e-6)
    close(activations.softplus(X), np.log1p(np.exp(X)), rtol=1e-6)
    close(activations.softsign(X), X / (1 + np.abs(X)))
    close(activations.exponential(X), np.exp(X), rtol=1e-6)
    close(activations.sigmoid(X), 1 / (1 + np.exp(-X)))
    close(activations.tanh(X), np.tanh(X))
    close(activations.silu(X), X / (1 + np.exp(-X)))
    assert activations.swish is activations.silu
    close(activations.mish(X), X * np.tanh(np.log1p(np.exp(X))), rtol=1e-5)


def test_gelu_exact_by_default_and_tanh_when_asked():
    erf = np.vectorize(math.erf)
    close(activations.gelu(X), 0.5 * X * (1 + erf(X / np.sqrt(2))))
    approx = 0.5 * X * (1 + np.tanh(np.sqrt(2 / np.pi) * (X + 0.044715 * X ** 3)))
    close(activations.gelu(X, approximate=True), approx)
    assert not np.allclose(approx, 0.5 * X * (1 + erf(X / np.sqrt(2))), atol=1e-5)


def test_hard_sigmoid_keras3_and_keras2_forms():
    close(activations.hard_sigmoid(X), np.clip(X / 6 + 0.5, 0, 1))
    close(activations.hard_sigmoid_keras2(X), np.clip(0.2 * X + 0.5, 0, 1))
    # The two differ inside the ramp: at x=1, 2/3 versus 0.7.
    assert activations.hard_sigmoid([1.0]).item() == pytest.approx(2 / 3)
    assert activations.hard_sigmoid_keras2([1.0]).item() == pytest.approx(0.7)
    close(activations.hard_silu(X), X * np.clip(X / 6 + 0.5, 0, 1))
    assert activations.get("hard_sigmoid") is activations.hard_sigmoid
    assert activations.get("hard_sigmoid", legacy=True) is activations.hard_sigmoid_keras2


def test_softmax_family():
    x = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, -1.0]], dtype="float32")
    e = np.exp(x - x.max(-1, keepdims=True))
    close(activations.softmax(x), e / e.sum(-1, keepdims=True))
    e0 = np.exp(x)
    close(activations.softmax(x, axis=0), e0 / e0.sum(0, keepdims=True))
    close(activations.log_softmax(x), np.log(e / e.sum(-1, keepdims=True)), rtol=1e-5)
    out = activations.softmax(x)
    assert torch.equal(out._keras_logits.cpu(), torch.as_tensor(x))  # logits cached, as in Keras
    assert activations.linear(x) is x


def test_newer_activations():
    close(activations.crelu(np.array([[-1.0, 2.0]])), [[0.0, 2.0, 1.0, 0.0]])
    close(activations.hard_tanh(X), np.clip(X, -1, 1))
    close(activations.squareplus(X), (X + np.sqrt(X ** 2 + 4)) / 2)
    close(activations.sparse_plus(X), np.where(X <= -1, 0, np.where(X >= 1, X, (X + 1) ** 2 / 4)))
    close(activations.soft_shrink(X), np.where(X > 0.5, X - 0.5, np.where(X < -0.5, X + 0.5, 0)))


def test_get_resolves_names_callables_and_dicts():
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu
    assert activations.get("swish") is activations.silu
    assert activations.get("hard_swish") is activations.hard_silu
    fn = lambda x: x  # noqa: E731
    assert activations.get(fn) is fn
    assert activations.get({"module": "keras.activations", "class_name": "function",
                            "config": "tanh", "registered_name": None}) is activations.tanh
    assert activations.get({"class_name": "softmax", "config": {}}) is activations.softmax
    with pytest.raises(ValueError, match="relu"):  # the message lists the valid names
        activations.get("relu_typo")
    with pytest.raises(ValueError):
        activations.get(42)


def test_serialize_roundtrip():
    for name in ["relu", "elu", "selu", "softplus", "softsign", "tanh", "sigmoid", "exponential",
                 "linear", "softmax", "gelu", "hard_sigmoid", "mish", "log_softmax", "relu6"]:
        fn = activations.get(name)
        assert activations.serialize(fn) == name
        assert activations.deserialize(activations.serialize(fn)) is fn
    assert activations.serialize(activations.swish) == "silu"
    assert activations.serialize(activations.hard_sigmoid_keras2) == "hard_sigmoid"


def test_accepts_numpy_and_keeps_gradients():
    x = torch.tensor([-1.0, 2.0], requires_grad=True)
    activations.gelu(x).sum().backward()
    assert x.grad is not None
    assert activations.relu(np.array([-1.0, 1.0])).tolist() == [0.0, 1.0]


@pytest.mark.parametrize("name", ["relu", "tanh", "linear", "sigmoid", "gelu"])
def test_activate_own_output_matches_the_activation_value_and_gradient(name):
    # Layers run relu/tanh in place on their own fresh output; autograd must give the same gradient.
    fn = activations.get(name)
    x = torch.randn(6, 5, requires_grad=True)
    w = torch.randn(5, 4)
    expected = fn(x @ w)
    (g_expected,) = torch.autograd.grad(expected.square().sum(), x)
    got = activations.activate_own_output(fn, x @ w)
    (g_got,) = torch.autograd.grad(got.square().sum(), x)
    torch.testing.assert_close(got, expected)
    torch.testing.assert_close(g_got, g_expected)


def test_activate_own_output_takes_unhashable_callables():
    class Scale:
        __hash__ = None  # unhashable, like a dataclass with eq=True

        def __call__(self, t):
            return 2 * t

    torch.testing.assert_close(activations.activate_own_output(Scale(), torch.ones(3)), torch.full((3,), 2.0))
