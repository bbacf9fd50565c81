"""Losses against Keras 3 reference values and numpy formulas."""
import numpy as np
import pytest
import torch

from kerastorch import losses

EPS = 1e-7
Y_TRUE_OH = np.array([[0, 1, 0], [0, 0, 1]], dtype=np.float32)
Y_PROBS = np.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]], dtype=np.float32)


def np_log_softmax(x):
    x = x - x.max(-1, keepdims=True)
    return x - np.log(np.exp(x).sum(-1, keepdims=True))


def close(a, b, atol=1e-5):
    np.testing.assert_allclose(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64), atol=atol,
                               rtol=1e-5)


def test_categorical_crossentropy_keras_values():
    cce = losses.CategoricalCrossentropy()
    close(cce(Y_TRUE_OH, Y_PROBS), 1.177, atol=1e-3)  # Keras docstring values
    close(cce(Y_TRUE_OH, Y_PROBS, sample_weight=np.array([0.3, 0.7])), 0.814, atol=1e-3)
    close(losses.CategoricalCrossentropy(reduction="sum")(Y_TRUE_OH, Y_PROBS), 2.354, atol=1e-3)
    close(losses.CategoricalCrossentropy(reduction=None)(Y_TRUE_OH, Y_PROBS), [0.0513, 2.303], atol=1e-3)
    # exact: renormalise, clip to [eps, 1 - eps], -sum(y log p)
    p = np.clip(Y_PROBS / Y_PROBS.sum(-1, keepdims=True), EPS, 1 - EPS)
    close(losses.categorical_crossentropy(Y_TRUE_OH, Y_PROBS), -(Y_TRUE_OH * np.log(p)).sum(-1))


def test_categorical_crossentropy_logits_and_label_smoothing():
    logits = np.array([[2.0, -1.0, 0.5], [0.1, 0.2, 3.0]], dtype=np.float32)
    smooth = Y_TRUE_OH * 0.8 + 0.2 / 3
    expected = -(smooth * np_log_softmax(logits)).sum(-1)
    got = losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2, reduction="none")(
        Y_TRUE_OH, logits)
    close(got, expected)


def test_sparse_categorical_crossentropy_label_shapes_and_logits():
    scce = losses.SparseCategoricalCrossentropy()
    close(scce(np.array([1, 2]), Y_PROBS), 1.177, atol=1e-3)
    close(scce(np.array([[1.0], [2.0]]), Y_PROBS), 1.177, atol=1e-3)  # (N, 1) float labels
    close(scce(torch.tensor([1, 2]), torch.tensor(Y_PROBS), sample_weight=torch.tensor([0.3, 0.7])), 0.814,
          atol=1e-3)
    logits = np.array([[2.0, -1.0, 0.5], [0.1, 0.2, 3.0]], dtype=np.float32)
    expected = -np_log_softmax(logits)[[0, 1], [1, 2]]
    close(losses.sparse_categorical_crossentropy(torch.tensor([1, 2]), torch.tensor(logits), from_logits=True),
          expected)
    # class axis other than the last one
    logits_t = torch.tensor(logits).T.unsqueeze(0)  # (1, 3, 2)
    close(losses.sparse_categorical_crossentropy(torch.tensor([[1, 2]]), logits_t, from_logits=True, axis=1)[0],
          expected)


def test_sparse_ignore_class_is_masked_out_of_the_mean():
    logits = torch.tensor([[2.0, -1.0, 0.5], [0.1, 0.2, 3.0], [1.0, 1.0, 1.0]])
    labels = torch.tensor([1, -1, 2])
    per_sample = -np_log_softmax(logits.numpy())[[0, 2], [1, 2]]
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)(labels, logits)
    close(loss, per_sample.mean())  # divided by the 2 valid entries, not 3


def test_binary_crossentropy_probabilities_logits_and_smoothing():
    y_true = np.array([[0, 1], [0, 0]], dtype=np.float32)
    y_pred = np.array([[0.6, 0.4], [0.4, 0.6]], dtype=np.float32)
    close(losses.binary_crossentropy(y_true, y_pred), [0.916, 0.714], atol=1e-3)  # Keras docstring
    logits = np.array([[-18.6, 0.51], [2.94, -12.8]], dtype=np.float32)
    bce = losses.BinaryCrossentropy(from_logits=True)
    close(bce(y_true, logits), 0.8654, atol=1e-3)
    close(bce(y_true, logits, sample_weight=[0.8, 0.2]), 0.243, atol=1e-3)
    close(losses.BinaryCrossentropy(from_logits=True, reduction="sum")(y_true, logits), 1.730, atol=1e-3)
    smooth = y_true * 0.9 + 0.05
    p = np.clip(y_pred, EPS, 1 - EPS)
    expected = -(smooth * np.log(p) + (1 - smooth) * np.log(1 - p)).mean(-1).mean()
    close(losses.BinaryCrossentropy(label_smoothing=0.1)(y_true, y_pred), expected)
    # (N,) labels against (N, 1) predictions are aligned by the Loss wrapper
    close(losses.BinaryCrossentropy()(np.array([1.0, 0.0]), np.array([[0.9], [0.2]])),
          -(np.log(0.9) + np.log(0.8)) / 2)


def test_nan_predictions_give_nan_not_a_crash():
    out = losses.binary_crossentropy(torch.tensor([[1.0]]), torch.tensor([[float("nan")]]))
    assert torch.isnan(out).all()


@pytest.mark.parametrize("fn, ref", [
    (losses.mean_squared_error, lambda t, p: ((t - p) ** 2).mean(-1)),
    (losses.mean_absolute_error, lambda t, p: np.abs(t - p).mean(-1)),
    (losses.mean_absolute_percentage_error,
     lambda t, p: 100 * np.abs((t - p) / np.maximum(np.abs(t), EPS)).mean(-1)),
    (losses.mean_squared_logarithmic_error,
     lambda t, p: ((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(t, EPS) + 1)) ** 2).mean(-1)),
    (losses.huber, lambda t, p: np.where(np.abs(p - t) <= 1, 0.5 * (p - t) ** 2, np.abs(p - t) - 0.5).mean(-1)),
    (losses.log_cosh, lambda t, p: np.log(np.cosh(p - t)).mean(-1)),
    (losses.poisson, lambda t, p: (p - t * np.log(p + EPS)).mean(-1)),
    (losses.kl_divergence,
     lambda t, p: (np.clip(t, EPS, 1) * np.log(np.clip(t, EPS, 1) / np.clip(p, EPS, 1))).sum(-1)),
    (losses.cosine_similarity,
     lambda t, p: -((t / np.linalg.norm(t, axis=-1, keepdims=True))
                    * (p / np.linalg.norm(p, axis=-1, keepdims=True))).sum(-1)),
    (losses.squared_hinge, lambda t, p: (np.maximum(1 - (2 * t - 1) * p, 0) ** 2).mean(-1)),
    (losses.categorical_hinge,
     lambda t, p: np.maximum(((1 - t) * p).max(-1) - (t * p).sum(-1) + 1, 0)),
])
def test_per_sample_functions(fn, ref):
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 2, size=(4, 3)).astype(np.float32)
    y_true[:, 0] = 1.0  # no all-zero rows (cosine)
    y_pred = rng.uniform(0.1, 2.0, size=(4, 3)).astype(np.float32)
    close(fn(torch.tensor(y_true), torch.tensor(y_pred)), ref(y_true.astype(np.float64), y_pred.astype(np.float64)))


def test_hinge_keeps_minus_one_one_labels():
    y_pred = torch.tensor([[0.3, -0.2]])
    close(losses.hinge(torch.tensor([[1.0, -1.0]]), y_pred), [(0.7 + 0.8) / 2])
    close(losses.hinge(torch.tensor([[1.0, 0.0]]), y_pred), [(0.7 + 0.8) / 2])  # 0/1 labels converted


def test_reductions_and_mask():
    values = losses.MeanSquaredError(reduction="none")(np.zeros((4, 2)), np.array([[1, 1], [2, 2], [3, 3], [4, 4.0]]))
    close(values, [1, 4, 9, 16])
    y_true, y_pred = np.zeros((4, 2)), np.array([[1, 1], [2, 2], [3, 3], [4, 4.0]])
    sw = np.array([1.0, 0.0, 0.5, 1.0])
    close(losses.MeanSquaredError()(y_true, y_pred, sample_weight=sw), (1 + 4.5 + 16) / 4)
    close(losses.MeanSquaredError(reduction="sum")(y_true, y_pred, sample_weight=sw), 1 + 4.5 + 16)
    close(losses.MeanSquaredError(reduction="mean_with_sample_weight")(y_true, y_pred, sample_weight=sw),
          (1 + 4.5 + 16) / 2.5)
    mask = torch.tensor([True, False, True, True])
    close(losses.MeanSquaredError()(y_true, y_pred, mask=mask), (1 + 9 + 16) / 3)  # mean over valid entries
    close(losses.MeanSquaredError()(y_true, y_pred, sample_weight=sw, mask=mask), (1 + 4.5 + 16) / 3)
    pred = torch.tensor(y_pred)
    pred._keras_mask = mask  # a mask carried by the prediction, as Keras layers attach it
    close(losses.MeanSquaredError()(y_true, pred), (1 + 9 + 16) / 3)
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="avg")


def test_shape_errors_name_the_loss_and_shapes():
    with pytest.raises(ValueError, match=r"categorical_crossentropy.*\(2, 3\).*\(2, 4\)"):
        losses.CategoricalCrossentropy()(np.zeros((2, 3)), np.ones((2, 4)) / 4)
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy.*\[0, 3\).*\[0, 5\]"):
        losses.SparseCategoricalCrossentropy()(np.array([0, 5]), Y_PROBS)
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        losses.SparseCategoricalCrossentropy()(np.zeros((2, 4)), Y_PROBS)
    with pytest.raises(ValueError, match="binary_crossentropy"):
        losses.binary_crossentropy(np.zeros((2, 3)), np.zeros((2, 2)))


def test_get_serialize_deserialize():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("sparse_categorical_crossentropy") is losses.sparse_categorical_crossentropy
    assert isinstance(losses.get("SparseCategoricalCrossentropy"), losses.SparseCategoricalCrossentropy)
    assert isinstance(losses.get(losses.Huber), losses.Huber)
    with pytest.raises(ValueError, match="categorical_crossentropy"):  # lists the valid names
        losses.get("categorical_crossentropyy")
    loss = losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1, name="bce_1")
    config = losses.serialize(loss)
    assert config["class_name"] == "BinaryCrossentropy"
    again = losses.deserialize(config)
    assert again.get_config() == loss.get_config()
    assert losses.deserialize(losses.serialize(losses.mae)) is losses.mean_absolute_error
    assert losses.Huber().name == "huber_loss" and losses.MeanSquaredError().name == "mean_squared_error"
    assert losses.MeanSquaredError(reduction="auto").reduction == "sum_over_batch_size"  # Keras 2 configs


def test_gradients_flow_through_losses():
    logits = torch.tensor([[2.0, -1.0, 0.5]], requires_grad=True)
    losses.SparseCategoricalCrossentropy(from_logits=True)(torch.tensor([1]), logits).backward()
    expected = torch.softmax(logits.detach(), -1) - torch.tensor([[0.0, 1.0, 0.0]])
    assert torch.allclose(logits.grad, expected, atol=1e-6)


@pytest.mark.parametrize("loss_cls, formula", [
    (losses.MeanSquaredError, lambda t, p: np.mean(np.mean((t - p) ** 2, axis=-1))),
    (losses.MeanAbsoluteError, lambda t, p: np.mean(np.mean(np.abs(t - p), axis=-1))),
])
def test_fused_unweighted_mean_equals_keras_formula_and_gradient(loss_cls, formula):
    rng = np.random.default_rng(0)
    t, p = rng.standard_normal((7, 3)).astype("float32"), rng.standard_normal((7, 3)).astype("float32")
    loss = loss_cls()
    y_pred = torch.tensor(p, requires_grad=True)
    value = loss(torch.tensor(t), y_pred)
    assert loss._fused_mean(torch.tensor(t), y_pred) is not None  # the fused kernel is the one used
    close(value.item(), formula(t, p))
    (grad,) = torch.autograd.grad(value, y_pred)
    # the per-sample path (as with sample weights of one) must give the same gradient
    y_pred2 = torch.tensor(p, requires_grad=True)
    (grad2,) = torch.autograd.grad(loss(torch.tensor(t), y_pred2, sample_weight=np.ones(7, "float32")), y_pred2)
    close(grad.numpy(), grad2.numpy())


def test_fused_mean_not_used_when_shapes_differ():
    # (n,) labels against (n, 1) predictions: Keras squeezes/expands ranks instead of broadcasting to (n, n)
    loss = losses.MeanSquaredError()
    t, p = torch.arange(4.0), torch.zeros(4, 1)
    assert loss._fused_mean(t, p) is None
    close(loss(t, p).item(), np.mean(np.arange(4.0) ** 2))
