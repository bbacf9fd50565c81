"""keras.ops against NumPy references and Keras's dtype rules."""
import numpy as np
import pytest
import torch

from kerastorch import ops

RNG = np.random.default_rng(0)
A = RNG.normal(size=(3, 4)).astype("float32")
B = RNG.normal(size=(4, 5)).astype("float32")
X3 = RNG.normal(size=(2, 3, 4)).astype("float32")


def close(tensor, expected, atol=1e-5):
    np.testing.assert_allclose(ops.convert_to_numpy(tensor), expected, rtol=1e-5, atol=atol)


def test_convert_to_tensor_dtype_rules():
    assert ops.convert_to_tensor(1.5).dtype == torch.float32
    assert ops.convert_to_tensor(3).dtype == torch.int32
    assert ops.convert_to_tensor(True).dtype == torch.bool
    assert ops.convert_to_tensor([1.0, 2.0]).dtype == torch.float32
    assert ops.convert_to_tensor([[1, 2]]).dtype == torch.int32
    assert ops.convert_to_tensor(np.zeros(2)).dtype == torch.float64  # NumPy keeps its dtype
    assert ops.convert_to_tensor(np.arange(3)[::-1]).tolist() == [2, 1, 0]  # negative strides
    t = torch.ones(2)
    assert ops.convert_to_tensor(t) is t
    assert ops.convert_to_tensor(t, dtype="int32").dtype == torch.int32
    with pytest.raises(TypeError):
        ops.convert_to_tensor(np.array(["a"]))


def test_shape_cast_and_numpy_roundtrip():
    assert ops.shape(X3) == (2, 3, 4)
    assert all(isinstance(d, int) for d in ops.shape(torch.zeros(2, 3)))
    assert ops.cast([1.7, -1.2], "int32").tolist() == [1, -1]
    assert ops.dtype(ops.ones((1,))) == "float32"


def test_elementwise_against_numpy():
    close(ops.add(A, 1), A + 1)
    close(ops.subtract(2.0, A), 2.0 - A)
    close(ops.multiply(A, A), A * A)
    close(ops.divide(A, 2), A / 2)
    close(ops.power(np.abs(A), 1.5), np.abs(A) ** 1.5)
    close(ops.negative(A), -A)
    close(ops.abs(A), np.abs(A))
    close(ops.sign(A), np.sign(A))
    close(ops.square(A), A ** 2)
    close(ops.sqrt(np.abs(A)), np.sqrt(np.abs(A)))
    close(ops.exp(A), np.exp(A))
    close(ops.log(np.abs(A) + 1), np.log(np.abs(A) + 1))
    close(ops.floor(A), np.floor(A))
    close(ops.ceil(A), np.ceil(A))
    close(ops.round(np.array([0.5, 1.5, 2.5, -0.5])), [0.0, 2.0, 2.0, -0.0])  # half to even
    close(ops.maximum(A, 0.0), np.maximum(A, 0))
    close(ops.minimum(0.0, A), np.minimum(A, 0))
    close(ops.clip(A, -0.5, 0.5), np.clip(A, -0.5, 0.5))
    close(ops.erf(np.array([0.0, 0.5, -1.0])), [0.0, 0.5204998778, -0.8427007929])
    assert ops.divide(np.array([1, 2]), np.array([2, 2])).dtype == torch.float32
    assert ops.sqrt(np.array([4], dtype="int32")).dtype == torch.float32


def test_comparisons_and_logic():
    assert ops.equal(A, A).all()
    assert not ops.not_equal(A, A).any()
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.less(A, 0)), A < 0)
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.greater_equal(A, 0)), A >= 0)
    x, y = np.array([True, False, True]), np.array([True, True, False])
    assert ops.logical_and(x, y).tolist() == [True, False, False]
    assert ops.logical_or(x, y).tolist() == [True, True, True]
    assert ops.logical_not(x).tolist() == [False, True, False]
    z = np.array([1.0, np.nan, np.inf, -np.inf])
    assert ops.isnan(z).tolist() == [False, True, False, False]
    assert ops.isfinite(z).tolist() == [True, False, False, False]
    close(ops.nan_to_num(z, nan=0.0, posinf=9.0, neginf=-9.0), [1.0, 0.0, 9.0, -9.0])


def test_reductions():
    close(ops.sum(X3, axis=(0, 2)), X3.sum(axis=(0, 2)))
    close(ops.mean(X3, axis=1, keepdims=True), X3.mean(axis=1, keepdims=True))
    close(ops.max(X3), X3.max())
    close(ops.min(X3, axis=[0, 1]), X3.min(axis=(0, 1)))
    close(ops.prod(A, axis=(0, 1)), A.prod())
    close(ops.prod(A, axis=0, keepdims=True), A.prod(axis=0, keepdims=True))
    close(ops.std(A, axis=0), A.std(axis=0))  # population std, not torch's unbiased default
    close(ops.var(A), A.var())
    close(ops.logsumexp(A, axis=1), np.log(np.exp(A).sum(axis=1)))
    close(ops.norm(A), np.linalg.norm(A))
    close(ops.norm(A, ord=1, axis=1), np.linalg.norm(A, ord=1, axis=1))
    assert ops.mean(np.array([1, 2], dtype="int32")).dtype == torch.float32
    assert ops.sum(np.array([True, True, False])).dtype == torch.int32
    assert ops.all(np.array([[True, False]]), axis=1).tolist() == [False]
    assert ops.any(np.array([[True, False]]), keepdims=True).shape == (1, 1)


def test_arg_and_sorting():
    idx = ops.argmax(A, axis=1)
    assert idx.dtype == torch.int32 and idx.tolist() == A.argmax(axis=1).tolist()
    assert ops.argmin(A).item() == A.argmin()
    close(ops.sort(A, axis=0), np.sort(A, axis=0))
    assert ops.argsort(np.array([3, 1, 2])).tolist() == [1, 2, 0]
    values, indices = ops.top_k(np.array([[1.0, 5.0, 3.0, 4.0]]), k=2)
    assert values.tolist() == [[5.0, 4.0]] and indices.tolist() == [[1, 3]]
    assert indices.dtype == torch.int64  # as Keras on torch returns them
    assert ops.in_top_k(np.array([3, 0]), np.array([[0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1]]), 1).tolist() \
        == [True, True]


def test_shape_manipulation():
    assert ops.reshape(X3, (4, -1)).shape == (4, 6)
    close(ops.transpose(X3), X3.transpose())
    close(ops.transpose(X3, (1, 0, 2)), X3.transpose(1, 0, 2))
    assert ops.expand_dims(A, (0, -1)).shape == (1, 3, 4, 1)
    assert ops.squeeze(np.zeros((1, 3, 1))).shape == (3,)
    assert ops.squeeze(np.zeros((1, 3, 1)), axis=-1).shape == (1, 3)
    with pytest.raises(ValueError):
        ops.squeeze(np.zeros((2, 3)), axis=0)
    close(ops.concatenate([A, A], axis=1), np.concatenate([A, A], axis=1))
    close(ops.stack([A, A], axis=1), np.stack([A, A], axis=1))
    parts = ops.split(np.arange(6), 3)
    assert [p.tolist() for p in parts] == [[0, 1], [2, 3], [4, 5]]
    parts = ops.split(np.arange(6), [1, 4])
    assert [p.tolist() for p in parts] == [[0], [1, 2, 3], [4, 5]]
    with pytest.raises(ValueError):
        ops.split(np.arange(5), 2)
    close(ops.tile(A, (2, 1)), np.tile(A, (2, 1)))
    close(ops.repeat(A, 2, axis=0), np.repeat(A, 2, axis=0))
    close(ops.flip(A, axis=1), np.flip(A, axis=1))
    close(ops.broadcast_to(np.array([1.0, 2.0]), (3, 2)), np.broadcast_to([1.0, 2.0], (3, 2)))


@pytest.mark.parametrize("mode", ["constant", "reflect", "symmetric", "edge", "wrap"])
def test_pad_matches_numpy(mode):
    width = ((1, 2), (2, 1))
    close(ops.pad(A, width, mode=mode), np.pad(A, width, mode=mode))


def test_pad_constant_value_and_scalar_width():
    close(ops.pad(np.ones((2,)), 1, constant_values=7.0), [7.0, 1.0, 1.0, 7.0])


def test_indexing():
    x = np.arange(12).reshape(3, 4)
    assert ops.take(x, np.array([[0, -1]]), axis=1).tolist() == np.take(x, [[0, -1]], axis=1).tolist()
    assert ops.take(x, [5, 11]).tolist() == [5, 11]  # axis=None flattens
    idx = np.array([[1], [0], [3]])
    assert ops.take_along_axis(x, idx, axis=1).tolist() == np.take_along_axis(x, idx, axis=1).tolist()
    assert [t.tolist() for t in ops.where(np.array([[0, 1], [1, 0]]))] == [[0, 1], [1, 0]]
    close(ops.where(A > 0, A, 0.0), np.where(A > 0, A, 0.0))
    assert ops.slice(x, (1, 1), (2, 2)).tolist() == [[5, 6], [9, 10]]
    updated = ops.slice_update(np.zeros((3, 3)), (1, 1), np.ones((2, 2)))
    assert updated.sum().item() == 4 and updated[0].sum().item() == 0
    assert ops.scatter(np.array([[0], [2], [0]]), np.array([1.0, 2.0, 3.0]), (3,)).tolist() == [4.0, 0.0, 2.0]


def test_linear_algebra():
    close(ops.matmul(A, B), A @ B)
    close(ops.dot(X3, B), np.dot(X3, B))
    close(ops.dot(np.ones(4), np.arange(4.0)), 6.0)
    close(ops.tensordot(X3, B, axes=1), np.tensordot(X3, B, axes=1))
    close(ops.tensordot(A, A, axes=([0, 1], [0, 1])), np.tensordot(A, A, axes=([0, 1], [0, 1])))
    close(ops.einsum("ij,jk->ik", A, B), A @ B)
    # Keras on torch narrows the float64 side to the float32 one.
    assert ops.matmul(np.ones((2, 2), "float32"), np.ones((2, 2))).dtype == torch.float32


def test_creation():
    assert ops.ones((2, 3)).dtype == torch.float32
    assert ops.zeros(3, dtype="int32").tolist() == [0, 0, 0]
    assert ops.full((2,), 7).tolist() == [7.0, 7.0]
    assert ops.full_like(np.zeros(2, "int32"), 3).dtype == torch.int32
    assert ops.ones_like(A).shape == A.shape and ops.zeros_like(A, dtype="int32").dtype == torch.int32
    close(ops.eye(3, 4, k=1), np.eye(3, 4, k=1))
    assert ops.arange(5).dtype == torch.int32
    assert ops.arange(0, 1, 0.25).tolist() == [0.0, 0.25, 0.5, 0.75]
    close(ops.linspace(0, 1, 5), np.linspace(0, 1, 5))
    close(ops.linspace(0, 1, 4, endpoint=False), np.linspace(0, 1, 4, endpoint=False))
    close(ops.linspace(np.array([0.0, 1.0]), np.array([1.0, 3.0]), 3), np.linspace([0, 1], [1, 3], 3))


def test_cumulative():
    x = np.array([[1, 2], [3, 4]], dtype="int32")
    assert ops.cumsum(x).tolist() == [1, 3, 6, 10]
    assert ops.cumsum(x, axis=0).dtype == torch.int32
    assert ops.cumprod(x, axis=1).tolist() == [[1, 2], [3, 12]]


def test_nn_ops():
    x = np.array([-2.0, -0.5, 0.0, 1.0, 3.0])
    close(ops.relu(x), np.maximum(x, 0))
    close(ops.sigmoid(x), 1 / (1 + np.exp(-x)))
    close(ops.softplus(x), np.log1p(np.exp(x)))
    close(ops.silu(x), x / (1 + np.exp(-x)))
    tanh_gelu = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
    close(ops.gelu(x), tanh_gelu)  # keras.ops.gelu defaults to the approximation
    close(ops.softmax(A), np.exp(A) / np.exp(A).sum(-1, keepdims=True))
    close(ops.softmax(A, axis=(0, 1)).sum(), 1.0)
    close(ops.log_softmax(A, axis=0), A - np.log(np.exp(A).sum(0, keepdims=True)))


def test_one_hot_and_moments():
    out = ops.one_hot(np.array([0, 2, -1, 5]), 3)
    assert out.dtype == torch.float32
    assert out.tolist() == [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]]  # out of range -> zeros
    assert ops.one_hot(np.array([1, 0]), 2, axis=0).tolist() == [[0, 1], [1, 0]]
    assert ops.multi_hot(np.array([[0, 2], [1, 1]]), 3).tolist() == [[1, 0, 1], [0, 1, 0]]
    mean, variance = ops.moments(X3, axes=(0, 1))
    close(mean, X3.mean(axis=(0, 1)))
    close(variance, X3.var(axis=(0, 1)))
    mean, _ = ops.moments(X3, axes=[2], keepdims=True)
    assert mean.shape == (2, 3, 1)


def test_crossentropies():
    target = np.array([[0.0, 1.0], [1.0, 0.0]])
    probs = np.array([[0.2, 0.8], [0.6, 0.4]])
    close(ops.categorical_crossentropy(target, probs), [-np.log(0.8), -np.log(0.6)])
    logits = np.log(probs)
    close(ops.categorical_crossentropy(target, logits, from_logits=True), [-np.log(0.8), -np.log(0.6)])
    close(ops.sparse_categorical_crossentropy(np.array([1, 0]), probs), [-np.log(0.8), -np.log(0.6)])
    y, p = np.array([1.0, 0.0]), np.array([0.9, 0.2])
    close(ops.binary_crossentropy(y, p), [-np.log(0.9), -np.log(0.8)])
    close(ops.binary_crossentropy(y, np.log(p / (1 - p)), from_logits=True), [-np.log(0.9), -np.log(0.8)])


def test_ops_record_nodes_on_keras_tensors():
    keras = pytest.importorskip("kerastorch")
    if not hasattr(keras, "Input"):
        pytest.skip("functional API not available")
    inputs = keras.Input((3,))
    outputs = ops.concatenate([inputs, ops.square(inputs)], axis=-1)
    assert tuple(outputs.shape) == (None, 6)
    model = keras.Model(inputs, outputs)
    close(model(torch.tensor([[1.0, 2.0, 3.0]])), [[1, 2, 3, 1, 4, 9]])


def test_layer_and_rms_normalization_over_a_middle_axis():
    # Keras's torch backend hands a middle axis to torch's trailing-axes kernel and fails;
    # here it is normalized like any other axis.
    x = np.random.default_rng(3).normal(size=(2, 3, 4)).astype("float32")
    gamma = np.array([1.0, 2.0, 0.5], "float32")
    beta = np.array([0.0, 1.0, -1.0], "float32")
    mean, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    want = (x - mean) / np.sqrt(var + 1e-3) * gamma[:, None] + beta[:, None]
    close(ops.layer_normalization(x, gamma, beta, axis=1, epsilon=1e-3), want)
    rms = np.sqrt((x ** 2).mean(axis=1, keepdims=True) + 1e-3)
    close(ops.rms_normalization(x, gamma[:, None], axis=1, epsilon=1e-3), x / rms * gamma[:, None])


def test_numpy_semantics_where_keras_torch_backend_deviates():
    # Keras 3.15.1 on torch drops keepdims for axis=None, pads only the last axis for an int
    # pad_width and treats "symmetric" as "edge"; kerastorch keeps NumPy's (documented) meaning.
    x = np.arange(6, dtype="float32").reshape(2, 3)
    assert tuple(ops.max(x, keepdims=True).shape) == np.max(x, keepdims=True).shape == (1, 1)
    close(ops.pad(x, 1), np.pad(x, 1))
    close(ops.pad(x, ((0, 0), (2, 1)), mode="symmetric"), np.pad(x, ((0, 0), (2, 1)), mode="symmetric"))


def test_image_ops_default_to_channels_last_and_seeded_elastic_is_reproducible():
    img = np.random.default_rng(0).uniform(size=(1, 5, 6, 3)).astype("float32")
    # Keras's eager gaussian_blur with data_format=None blurs as channels_first; here None means
    # image_data_format() ("channels_last") everywhere.
    close(ops.image.gaussian_blur(img), ops.image.gaussian_blur(img, data_format="channels_last"))
    a = ops.image.elastic_transform(img, seed=3)
    assert torch.equal(a, ops.image.elastic_transform(img, seed=3))
    assert not torch.equal(a, ops.image.elastic_transform(img, seed=4))


def test_ops_name_the_public_namespace_not_their_private_section_module():
    # ops live in private section modules (ops/numpy/_math.py, ops/_nn_spatial.py); what a
    # serialized function config records is the namespace a user imports them from.
    import kerastorch as kt
    assert kt.ops.numpy.arccos.__module__ == "kerastorch.ops.numpy"
    assert kt.ops.abs.__module__ == "kerastorch.ops.numpy"
    assert kt.ops.conv.__module__ == "kerastorch.ops"
    assert kt.ops.relu.__module__ == "kerastorch.ops.nn"
