"""Keras 2's K.* functions that Keras 3 dropped, checked against real Keras 3.15.1's ops where one
computes the same thing, else against a direct NumPy/torch formula."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import kerastorch
from kerastorch import backend as K


def _np(x):
    return np.asarray(x.detach().cpu()) if isinstance(x, torch.Tensor) else np.asarray(x)


RNG = np.random.default_rng(0)
X2 = RNG.normal(size=(2, 7, 6, 3)).astype("float32")


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_convolutions_match_keras_ops(real_keras, padding, data_format):
    x = X2 if data_format == "channels_last" else X2.transpose(0, 3, 1, 2)
    kernel = RNG.normal(size=(3, 2, 3, 4)).astype("float32")
    expected = real_keras.ops.conv(x, kernel, strides=(2, 1), padding=padding, data_format=data_format)
    got = K.conv2d(x, kernel, strides=(2, 1), padding=padding, data_format=data_format)
    np.testing.assert_allclose(_np(got), real_keras.ops.convert_to_numpy(expected), rtol=1e-5, atol=1e-5)
    depthwise = RNG.normal(size=(2, 2, 3, 2)).astype("float32")
    pointwise = RNG.normal(size=(1, 1, 6, 5)).astype("float32")
    np.testing.assert_allclose(
        _np(K.separable_conv2d(x, depthwise, pointwise, padding=padding, data_format=data_format)),
        real_keras.ops.convert_to_numpy(real_keras.ops.separable_conv(x, depthwise, pointwise, padding=padding,
                                                                      data_format=data_format)),
        rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(
        _np(K.pool2d(x, (2, 2), strides=(2, 2), padding=padding, data_format=data_format, pool_mode="avg")),
        real_keras.ops.convert_to_numpy(real_keras.ops.average_pool(x, (2, 2), strides=(2, 2), padding=padding,
                                                                    data_format=data_format)),
        rtol=1e-5, atol=1e-6)


def test_conv1d_causal_pads_on_the_left():
    x = np.arange(5, dtype="float32").reshape(1, 5, 1)
    out = _np(K.conv1d(x, np.ones((2, 1, 1), "float32"), padding="causal"))
    np.testing.assert_allclose(out[0, :, 0], [0, 1, 3, 5, 7])


@pytest.mark.parametrize("padding,strides", [("valid", (2, 2)), ("same", (2, 2)), ("valid", (1, 1)),
                                             ("same", (3, 2))])
def test_conv2d_transpose_matches_keras(real_keras, padding, strides):
    x = RNG.normal(size=(2, 4, 3, 3)).astype("float32")
    kernel = RNG.normal(size=(3, 3, 5, 3)).astype("float32")
    expected = real_keras.ops.convert_to_numpy(
        real_keras.ops.conv_transpose(x, kernel, strides=strides, padding=padding))
    got = K.conv2d_transpose(x, kernel, expected.shape, strides=strides, padding=padding)
    np.testing.assert_allclose(_np(got), expected, rtol=1e-5, atol=1e-5)
    # One more output row than the natural size: TF's rule zero-fills / shifts the crop.
    bigger = (2, expected.shape[1] + 1, expected.shape[2], 5)
    if strides[0] > 1:
        assert tuple(K.conv2d_transpose(x, kernel, bigger, strides=strides, padding=padding).shape) == bigger


def test_padding_and_resizing():
    x = np.ones((1, 2, 3, 1), "float32")
    assert tuple(K.spatial_2d_padding(x, ((1, 0), (2, 1))).shape) == (1, 3, 6, 1)
    assert tuple(K.spatial_2d_padding(x.transpose(0, 3, 1, 2), data_format="channels_first").shape) == (1, 1, 4, 5)
    assert tuple(K.temporal_padding(np.ones((2, 3, 4)), (1, 2)).shape) == (2, 6, 4)
    assert tuple(K.spatial_3d_padding(np.ones((1, 2, 2, 2, 1))).shape) == (1, 4, 4, 4, 1)
    img = np.arange(4, dtype="float32").reshape(1, 2, 2, 1)
    np.testing.assert_array_equal(_np(K.resize_images(img, 2, 1, "channels_last"))[0, :, :, 0],
                                  [[0, 1], [0, 1], [2, 3], [2, 3]])
    assert tuple(K.resize_images(img, 2, 2, "channels_last", interpolation="bilinear").shape) == (1, 4, 4, 1)
    assert tuple(K.resize_volumes(np.ones((1, 1, 2, 2, 3)), 2, 1, 3, "channels_last").shape) == (1, 2, 2, 6, 3)
    np.testing.assert_array_equal(_np(K.reverse(np.arange(6).reshape(2, 3), 1)), [[2, 1, 0], [5, 4, 3]])


def test_batch_normalization_helpers():
    x = RNG.normal(size=(8, 3)).astype("float32")
    gamma, beta = np.array([1.0, 2.0, 0.5], "float32"), np.array([0.0, 1.0, -1.0], "float32")
    normed, mean, var = K.normalize_batch_in_training(x, gamma, beta, [0], epsilon=1e-3)
    expected = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3) * gamma + beta
    np.testing.assert_allclose(_np(normed), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(_np(mean), x.mean(0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(K.batch_normalization(x, mean, var, beta, gamma, epsilon=1e-3)), expected,
                               rtol=1e-5, atol=1e-5)
    moving = torch.zeros(3)
    K.moving_average_update(moving, torch.ones(3), 0.9)
    np.testing.assert_allclose(_np(moving), [0.1, 0.1, 0.1], rtol=1e-6)


def test_focal_losses_match_keras(real_keras):
    y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]], "float32")
    p = np.array([[0.8, 0.3, 0.6], [0.2, 0.9, 0.4]], "float32")
    expected = real_keras.losses.binary_focal_crossentropy(y, p, apply_class_balancing=True)
    got = K.binary_focal_crossentropy(y, p, apply_class_balancing=True).mean(-1)
    np.testing.assert_allclose(_np(got), real_keras.ops.convert_to_numpy(expected), rtol=1e-5)
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]], "float32")
    onehot = np.eye(3, dtype="float32")[[0, 2]]
    np.testing.assert_allclose(
        _np(K.categorical_focal_crossentropy(onehot, probs)),
        real_keras.ops.convert_to_numpy(real_keras.losses.categorical_focal_crossentropy(onehot, probs)), rtol=1e-5)


def test_ctc_batch_cost_matches_keras_ctc_loss(real_keras):
    probs = torch.softmax(torch.tensor(RNG.normal(size=(2, 6, 5)).astype("float32")), -1)
    labels = np.array([[1, 2, 0], [3, 3, 1]], "int32")
    expected = real_keras.ops.ctc_loss(labels, torch.log(probs + 1e-7), np.array([3, 3]), np.array([6, 5]),
                                       mask_index=4)
    got = K.ctc_batch_cost(labels, probs, np.array([[6], [5]]), np.array([[3], [3]]))
    assert tuple(got.shape) == (2, 1)
    np.testing.assert_allclose(_np(got)[:, 0], real_keras.ops.convert_to_numpy(expected), rtol=1e-4)
    decoded, scores = K.ctc_decode(probs, np.array([6, 5]))
    assert len(decoded) == 1 and decoded[0].shape[0] == 2


def test_control_flow():
    elems = np.arange(1, 5, dtype="float32")
    np.testing.assert_array_equal(_np(K.map_fn(lambda v: v * 2, elems)), [2, 4, 6, 8])
    assert float(K.foldl(lambda acc, v: acc - v, elems)) == 1 - 2 - 3 - 4
    assert float(K.foldr(lambda acc, v: acc - v, elems)) == 4 - 3 - 2 - 1
    assert float(K.foldl(lambda acc, v: acc + v, elems, initializer=torch.tensor(10.0))) == 20.0


def test_rnn_loop_with_mask():
    inputs = torch.arange(12, dtype=torch.float32).reshape(2, 3, 2)
    mask = torch.tensor([[True, True, True], [True, False, True]])

    def step(x, states):
        total = states[0] + x
        return total * 2, [total]

    last, outputs, states = K.rnn(step, inputs, [torch.zeros(2, 2)], mask=mask)
    running = np.zeros((2, 2))
    expected = []
    for t in range(3):
        new = running + inputs[:, t].numpy()
        keep = mask[:, t].numpy()[:, None]
        out = np.where(keep, new * 2, expected[-1] if expected else 0)
        running = np.where(keep, new, running)
        expected.append(out)
    np.testing.assert_allclose(_np(outputs), np.stack(expected, 1))
    np.testing.assert_allclose(_np(last), expected[-1])
    np.testing.assert_allclose(_np(states[0]), running)
    _, backwards, _ = K.rnn(step, inputs, [torch.zeros(2, 2)], go_backwards=True)
    assert float(backwards[0, 0, 0]) == 2 * float(inputs[0, 2, 0])


def test_gradients_and_function():
    w = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    unused = torch.nn.Parameter(torch.tensor([3.0]))
    loss = (w ** 2).sum()
    grads = K.gradients(loss, [w, unused])
    np.testing.assert_allclose(_np(grads[0]), [2.0, 4.0])
    assert grads[1] is None
    with pytest.raises(ValueError, match="autograd"):
        K.gradients(torch.tensor(1.0), [w])
    kerastorch.utils.set_random_seed(0)
    inputs = kerastorch.Input((3,))
    hidden = kerastorch.layers.Dense(4, activation="relu")(inputs)
    out = kerastorch.layers.Dense(2)(hidden)
    model = kerastorch.Model(inputs, out)
    probe = K.function([model.input], [hidden, model.output])
    x = np.ones((5, 3), "float32")
    values = probe([x])
    assert [v.shape for v in values] == [(5, 4), (5, 2)]
    np.testing.assert_allclose(values[1], _np(model(torch.as_tensor(x))), rtol=1e-6)
    with pytest.raises(ValueError, match="assign ops"):
        K.function([inputs], [out], updates=[1])


def test_variables_and_phase():
    v = torch.zeros(2)
    K.update_add(v, torch.ones(2))
    K.update_sub(v, torch.tensor([0.5, 0.5]))
    np.testing.assert_allclose(_np(v), [0.5, 0.5])
    K.update(v, [3.0, 4.0])
    np.testing.assert_allclose(_np(v), [3.0, 4.0])
    assert tuple(K.random_normal_variable((2, 3), 0.0, 1.0, seed=1).shape) == (2, 3)
    assert float(K.random_uniform_variable((100,), 2.0, 3.0, seed=1).min()) >= 2.0
    assert set(_np(K.random_binomial((50,), p=0.5, seed=1)).tolist()) <= {0.0, 1.0}
    assert float(K.truncated_normal((500,), seed=2).abs().max()) < 2.0
    assert not K.is_sparse(torch.ones(2)) and K.is_sparse(torch.eye(2).to_sparse())
    assert torch.equal(K.to_dense(torch.eye(2).to_sparse()), torch.eye(2))
    assert np.asarray(K.in_top_k(np.array([[0.1, 0.9, 0.0], [0.8, 0.1, 0.1]]), np.array([1, 2]), 1)).tolist() == \
        [True, False]
    assert K.learning_phase() == 0
    with K.learning_phase_scope(1):
        assert K.learning_phase() == 1 and K.in_train_phase("train", "test") == "train"
    assert K.learning_phase() == 0
    with pytest.raises(ValueError, match="0 or 1"), K.learning_phase_scope(2):
        pass


def test_graph_mode_names_explain_the_alternative():
    with pytest.raises(NotImplementedError, match=r"keras\.backend\.placeholder.*keras\.Input"):
        K.placeholder  # noqa: B018
    assert not hasattr(K, "get_session")
