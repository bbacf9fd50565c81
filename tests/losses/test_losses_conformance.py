"""kerastorch.losses against real Keras 3 (the oracle): names, default configs, values.

Same numpy inputs go into both libraries; values must agree to 1e-5 relative.
"""
from __future__ import annotations

import inspect

import numpy as np
import pytest

import kerastorch


def _public(module) -> list[str]:
    return sorted(n for n in dir(module) if not n.startswith("_"))


def test_every_public_name_is_present(real_keras):
    missing = [n for n in _public(real_keras.losses) if not hasattr(kerastorch.losses, n)]
    assert missing == []


rng = np.random.default_rng(0)
_PROBS = rng.uniform(0.05, 0.95, size=(4, 3)).astype("float32")
_ONEHOT = np.eye(3, dtype="float32")[[0, 2, 1, 2]]
_INT = np.array([0, 2, 1, 2])
_REAL_T = rng.normal(size=(4, 3)).astype("float32")
_REAL_P = rng.normal(size=(4, 3)).astype("float32")
_BIN_T = rng.integers(0, 2, size=(4, 3)).astype("float32")
_SW = np.array([1.0, 0.5, 2.0, 0.0], dtype="float32")
_EMB = rng.normal(size=(6, 4)).astype("float32")
_EMB /= np.linalg.norm(_EMB, axis=-1, keepdims=True)
_EMB_LABELS = np.array([0, 1, 0, 1, 2, 2])
_CTC_T = np.array([[1, 2, 0], [3, 3, 1]])
_CTC_P = rng.normal(size=(2, 6, 5)).astype("float32")

# class name -> (constructor kwargs, y_true, y_pred)
CASES = {
    "MeanSquaredError": ({}, _REAL_T, _REAL_P),
    "MeanAbsoluteError": ({}, _REAL_T, _REAL_P),
    "MeanAbsolutePercentageError": ({}, _REAL_T, _REAL_P),
    "MeanSquaredLogarithmicError": ({}, np.abs(_REAL_T), np.abs(_REAL_P)),
    "CosineSimilarity": ({"axis": -1}, _REAL_T, _REAL_P),
    "Huber": ({"delta": 0.7}, _REAL_T, _REAL_P),
    "LogCosh": ({}, _REAL_T, _REAL_P),
    "Hinge": ({}, _BIN_T, _REAL_P),
    "SquaredHinge": ({}, _BIN_T, _REAL_P),
    "CategoricalHinge": ({}, _ONEHOT, _REAL_P),
    "KLDivergence": ({}, _PROBS[::-1].copy(), _PROBS),
    "Poisson": ({}, np.abs(_REAL_T), _PROBS),
    "BinaryCrossentropy": ({"label_smoothing": 0.1}, _BIN_T, _PROBS),
    "BinaryFocalCrossentropy": ({"apply_class_balancing": True, "gamma": 1.5}, _BIN_T, _PROBS),
    "CategoricalCrossentropy": ({"label_smoothing": 0.1}, _ONEHOT, _PROBS),
    "CategoricalFocalCrossentropy": ({}, _ONEHOT, _PROBS),
    "SparseCategoricalCrossentropy": ({"from_logits": True}, _INT, _REAL_P),
    "CTC": ({}, _CTC_T, _CTC_P),
    "Dice": ({}, _BIN_T, _PROBS),
    "Tversky": ({"alpha": 0.3, "beta": 0.7}, _BIN_T, _PROBS),
    "Circle": ({"gamma": 10.0}, _EMB_LABELS, _EMB),
    "CategoricalGeneralizedCrossEntropy": ({"q": 0.3}, _INT, _PROBS),
}
_NO_SAMPLE_WEIGHT = {"CTC": np.array([1.0, 0.5], "float32"), "Circle": np.linspace(0, 1, 6, dtype="float32")}


def test_every_loss_class_has_a_value_case(real_keras):
    classes = [n for n in _public(real_keras.losses)
               if inspect.isclass(getattr(real_keras.losses, n)) and n not in ("Loss", "LossFunctionWrapper")]
    assert sorted(classes) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "none"])
def test_loss_values_match(real_keras, name, reduction):
    kwargs, y_true, y_pred = CASES[name]
    sw = _NO_SAMPLE_WEIGHT.get(name, _SW)
    ours = getattr(kerastorch.losses, name)(reduction=reduction, **kwargs)
    theirs = getattr(real_keras.losses, name)(reduction=reduction, **kwargs)
    for weights in (None, sw):
        if name in ("Dice", "Tversky") and weights is not None:
            continue  # axis=None gives one scalar for the batch; per-sample weights do not apply
        got = np.asarray(ours(y_true, y_pred, sample_weight=weights))
        want = real_keras.ops.convert_to_numpy(theirs(y_true, y_pred, sample_weight=weights))
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg=f"{name} sample_weight={weights}")


@pytest.mark.parametrize("name", ["Dice", "Tversky"])
def test_overlap_losses_per_sample_axis(real_keras, name):
    y_true = _BIN_T.reshape(2, 2, 3, 1)
    y_pred = _PROBS.reshape(2, 2, 3, 1)
    ours = getattr(kerastorch.losses, name)(axis=(1, 2, 3), reduction=None)
    theirs = getattr(real_keras.losses, name)(axis=(1, 2, 3), reduction=None)
    np.testing.assert_allclose(np.asarray(ours(y_true, y_pred)),
                               real_keras.ops.convert_to_numpy(theirs(y_true, y_pred)), rtol=1e-5)


@pytest.mark.parametrize("name", sorted(CASES))
def test_default_config_matches(real_keras, name):
    ours = getattr(kerastorch.losses, name)().get_config()
    theirs = getattr(real_keras.losses, name)().get_config()
    assert ours == theirs


@pytest.mark.parametrize("name", sorted(CASES))
def test_constructor_signature_matches(real_keras, name):
    ours = inspect.signature(getattr(kerastorch.losses, name))
    theirs = inspect.signature(getattr(real_keras.losses, name))
    assert [(p.name, p.default) for p in ours.parameters.values()] == \
        [(p.name, p.default) for p in theirs.parameters.values()]


_FUNCTIONS = {
    "dice": (_BIN_T, _PROBS), "tversky": (_BIN_T, _PROBS), "ctc": (_CTC_T, _CTC_P),
    "circle": (_EMB_LABELS, _EMB), "mean_squared_error": (_REAL_T, _REAL_P), "huber": (_REAL_T, _REAL_P),
    "categorical_generalized_cross_entropy": (_INT, _PROBS),
}


@pytest.mark.parametrize("name", sorted(_FUNCTIONS))
def test_loss_functions_match(real_keras, name):
    y_true, y_pred = _FUNCTIONS[name]
    kwargs = {"q": 0.5} if name == "categorical_generalized_cross_entropy" else {}
    got = np.asarray(getattr(kerastorch.losses, name)(y_true, y_pred, **kwargs))
    # Keras's functions take tensors (categorical_generalized_cross_entropy fails on numpy y_pred).
    want = real_keras.ops.convert_to_numpy(getattr(real_keras.losses, name)(
        real_keras.ops.convert_to_tensor(y_true), real_keras.ops.convert_to_tensor(y_pred), **kwargs))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_generalized_cross_entropy_rejects_q_out_of_range():
    with pytest.raises(ValueError, match="q"):
        kerastorch.losses.CategoricalGeneralizedCrossEntropy(q=1.5)
