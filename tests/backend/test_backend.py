"""keras.backend (K): the Keras 2 functions old scripts call, with Keras 2 semantics."""
import numpy as np
import pytest
import torch

from kerastorch import backend as K
from kerastorch.backend import naming


def close(t, expected, atol=1e-6):
    np.testing.assert_allclose(K.get_value(t), expected, rtol=1e-6, atol=atol)


def test_config_functions():
    assert K.backend() == "torch"
    assert K.floatx() == "float32" and K.epsilon() == 1e-7
    assert K.image_data_format() == "channels_last"
    old = K.epsilon()
    try:
        K.set_epsilon(1e-5)
        assert K.epsilon() == 1e-5
    finally:
        K.set_epsilon(old)


def test_clear_session_resets_auto_names():
    naming.auto_name("dense")
    assert naming.auto_name("dense") != "dense"
    K.clear_session()
    assert naming.auto_name("dense") == "dense"
    assert K.get_uid("x") == 1 and K.get_uid("x") == 2


def test_shapes_and_values():
    x = torch.zeros(2, 3)
    assert K.int_shape(x) == (2, 3) and K.ndim(x) == 2
    assert K.shape(x).tolist() == [2, 3] and K.shape(x).dtype == torch.int32
    assert K.dtype(x) == "float32" and K.count_params(x) == 6
    v = K.variable([[1, 2], [3, 4]])
    assert isinstance(v, torch.nn.Parameter) and v.dtype == torch.float32
    K.set_value(v, np.ones((2, 2)))
    assert v.sum().item() == 4.0
    assert isinstance(K.get_value(v), np.ndarray) and K.eval(v).shape == (2, 2)
    c = K.constant(2.0, shape=(2,))
    assert c.tolist() == [2.0, 2.0]
    assert K.learning_phase() == 0


def test_set_value_on_assignable_objects_and_errors():
    class Holder:
        def assign(self, value):
            self.value = value
    h = Holder()
    K.set_value(h, 0.1)
    assert h.value == 0.1
    with pytest.raises(TypeError):
        K.set_value(0.5, 1.0)


def test_math_keras2_semantics():
    x = np.array([[1.0, -4.0], [9.0, 16.0]], dtype="float32")
    close(K.sqrt(x), np.sqrt(np.clip(x, 0, None)))  # negatives clipped, no NaN
    close(K.mean(x, axis=1), x.mean(axis=1))
    close(K.sum(x, axis=0, keepdims=True), x.sum(axis=0, keepdims=True))
    close(K.max(x), 16.0)
    close(K.min(x, axis=1), [-4.0, 9.0])
    close(K.clip(x, 0.0, 5.0), np.clip(x, 0, 5))
    close(K.clip(x, 2.0, 1.0), np.full_like(x, 2.0))  # max < min: max becomes min
    close(K.square(x), x ** 2)
    close(K.abs(x), np.abs(x))
    close(K.exp(np.zeros(2)), [1.0, 1.0])
    close(K.l2_normalize(np.array([3.0, 4.0]), axis=0), [0.6, 0.8])
    assert K.argmax(x).tolist() == [0, 1]


def test_dot_and_batch_dot():
    a = np.arange(24, dtype="float32").reshape(2, 3, 4)
    b = np.arange(20, dtype="float32").reshape(4, 5)
    close(K.dot(a, b), np.dot(a, b))
    x, y = np.ones((32, 20), "float32"), np.ones((32, 20), "float32")
    out = K.batch_dot(x, y, axes=1)
    assert tuple(out.shape) == (32, 1) and out[0, 0].item() == 20.0
    x = np.random.default_rng(0).normal(size=(4, 20)).astype("float32")
    y = np.random.default_rng(1).normal(size=(4, 30, 20)).astype("float32")
    out = K.batch_dot(x, y, axes=(1, 2))
    assert tuple(out.shape) == (4, 30)
    close(out, np.einsum("bi,bji->bj", x, y), atol=1e-4)
    x3 = np.random.default_rng(2).normal(size=(4, 3, 5)).astype("float32")
    y3 = np.random.default_rng(3).normal(size=(4, 5, 6)).astype("float32")
    close(K.batch_dot(x3, y3), x3 @ y3, atol=1e-5)
    with pytest.raises(ValueError):
        K.batch_dot(x3, y3, axes=0)


def test_shape_functions():
    x = np.zeros((2, 3), "float32")
    assert tuple(K.concatenate([x, x]).shape) == (2, 6)  # Keras 2 default axis is -1
    assert tuple(K.expand_dims(x).shape) == (2, 3, 1)
    assert tuple(K.squeeze(np.zeros((2, 1)), 1).shape) == (2,)
    assert tuple(K.reshape(x, (3, 2)).shape) == (3, 2)
    assert tuple(K.permute_dimensions(x, (1, 0)).shape) == (3, 2)
    assert tuple(K.repeat(x, 4).shape) == (2, 4, 3)
    assert tuple(K.batch_flatten(np.zeros((2, 3, 4))).shape) == (2, 12)
    assert K.cast(np.array([1.5]), "int32").dtype == torch.int32


def test_activations_and_losses():
    x = np.array([-3.0, 0.0, 1.0], dtype="float32")
    close(K.hard_sigmoid(x), np.clip(0.2 * x + 0.5, 0, 1))  # Keras 2 form
    close(K.relu(x, alpha=0.1), np.where(x > 0, x, 0.1 * x))
    close(K.sigmoid(x), 1 / (1 + np.exp(-x)))
    close(K.softmax(np.array([[1.0, 1.0]])), [[0.5, 0.5]])
    t, p = np.array([[0.0, 1.0]]), np.array([[0.25, 0.75]])
    close(K.categorical_crossentropy(t, p), [-np.log(0.75)])
    close(K.sparse_categorical_crossentropy(np.array([1]), p), [-np.log(0.75)])
    eps = K.epsilon()
    y, q = np.array([1.0, 0.0]), np.array([0.8, 0.3])
    expected = -(y * np.log(q + eps) + (1 - y) * np.log(1 - q + eps))  # Keras 2 adds eps in the log
    close(K.binary_crossentropy(y, q), expected)


def test_stop_gradient():
    x = torch.ones(2, requires_grad=True)
    assert not K.stop_gradient(x).requires_grad
