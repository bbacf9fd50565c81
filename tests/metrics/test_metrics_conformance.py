"""kerastorch.metrics against real Keras 3 (the oracle): names, signatures, default configs, and
results after a few ``update_state`` calls (with and without ``sample_weight``)."""
from __future__ import annotations

import inspect

import numpy as np
import pytest

import kerastorch


def _public(module) -> list[str]:
    return sorted(n for n in dir(module) if not n.startswith("_"))


def test_every_public_name_is_present(real_keras):
    missing = [n for n in _public(real_keras.metrics) if not hasattr(kerastorch.metrics, n)]
    assert missing == []


rng = np.random.default_rng(1)
_B = 6


def _batches(kind: str) -> list[tuple[np.ndarray, np.ndarray]]:
    out = []
    for _ in range(3):
        if kind == "prob":  # binary / multi-label probabilities
            out.append((rng.integers(0, 2, size=(_B, 3)).astype("float32"),
                        rng.uniform(0, 1, size=(_B, 3)).astype("float32")))
        elif kind == "onehot":
            labels = rng.integers(0, 3, size=_B)
            out.append((np.eye(3, dtype="float32")[labels], rng.dirichlet(np.ones(3), size=_B).astype("float32")))
        elif kind == "sparse":
            out.append((rng.integers(0, 3, size=(_B, 1)), rng.dirichlet(np.ones(3), size=_B).astype("float32")))
        elif kind == "labels":  # integer class ids on both sides
            out.append((rng.integers(0, 3, size=_B), rng.integers(0, 3, size=_B)))
        elif kind == "bin1":
            out.append((rng.integers(0, 2, size=(_B, 1)).astype("float32"),
                        rng.uniform(0, 1, size=(_B, 1)).astype("float32")))
        elif kind == "real":
            y = rng.normal(size=(_B, 3)).astype("float32")
            out.append((y, (y + 0.5 * rng.normal(size=(_B, 3))).astype("float32")))
        elif kind == "positive":
            out.append((rng.uniform(0.1, 2, size=(_B, 3)).astype("float32"),
                        rng.uniform(0.1, 2, size=(_B, 3)).astype("float32")))
    return out


# class name -> (constructor kwargs, data kind)
CASES = {
    "AUC": ({}, "prob"), "Accuracy": ({}, "labels"), "BinaryAccuracy": ({}, "prob"),
    "BinaryCrossentropy": ({}, "prob"), "BinaryIoU": ({}, "bin1"), "CategoricalAccuracy": ({}, "onehot"),
    "CategoricalCrossentropy": ({}, "onehot"), "CategoricalHinge": ({}, "onehot"),
    "ConcordanceCorrelation": ({}, "real"), "CosineSimilarity": ({}, "real"), "F1Score": ({}, "onehot"),
    "FBetaScore": ({"beta": 2.0, "average": "macro"}, "onehot"), "FalseNegatives": ({}, "prob"),
    "FalsePositives": ({}, "prob"), "Hinge": ({}, "prob"), "IoU": ({"num_classes": 3, "target_class_ids": [0, 2]},
                                                                   "labels"),
    "KLDivergence": ({}, "onehot"), "LogCoshError": ({}, "real"), "MeanAbsoluteError": ({}, "real"),
    "MeanAbsolutePercentageError": ({}, "positive"), "MeanIoU": ({"num_classes": 3}, "labels"),
    "MeanSquaredError": ({}, "real"), "MeanSquaredLogarithmicError": ({}, "positive"),
    "OneHotIoU": ({"num_classes": 3, "target_class_ids": [1, 2]}, "onehot"),
    "OneHotMeanIoU": ({"num_classes": 3}, "onehot"), "PearsonCorrelation": ({}, "real"), "Poisson": ({}, "positive"),
    "Precision": ({}, "prob"), "PrecisionAtRecall": ({"recall": 0.6}, "prob"), "R2Score": ({}, "real"),
    "Recall": ({}, "prob"), "RecallAtPrecision": ({"precision": 0.6}, "prob"),
    "RootMeanSquaredError": ({}, "real"), "SensitivityAtSpecificity": ({"specificity": 0.5}, "prob"),
    "SparseCategoricalAccuracy": ({}, "sparse"), "SparseCategoricalCrossentropy": ({}, "sparse"),
    "SparseTopKCategoricalAccuracy": ({"k": 2}, "sparse"), "SpecificityAtSensitivity": ({"sensitivity": 0.5}, "prob"),
    "SquaredHinge": ({}, "prob"), "TopKCategoricalAccuracy": ({"k": 2}, "onehot"), "TrueNegatives": ({}, "prob"),
    "TruePositives": ({}, "prob"),
}
# Keras's IoU state is int32: float weights would be truncated there; use integer-valued weights.
_SW = np.array([1.0, 0.0, 2.0, 1.0, 3.0, 1.0], dtype="float32")
_VARIANTS = {
    "F1Score": [{"average": "micro"}, {"average": "weighted", "threshold": 0.4}],
    "R2Score": [{"class_aggregation": "variance_weighted_average"}, {"class_aggregation": None},
                {"num_regressors": 2}],
    "AUC": [{"curve": "PR"}, {"multi_label": True}, {"summation_method": "minoring", "num_thresholds": 7}],
    "SensitivityAtSpecificity": [{"specificity": 0.8, "num_thresholds": 1}, {"specificity": 0.3, "class_id": 1}],
    "MeanIoU": [{"num_classes": 3, "ignore_class": 1}],
    "OneHotMeanIoU": [{"num_classes": 3, "sparse_y_pred": False}],
}


def test_every_metric_class_has_a_value_case(real_keras):
    classes = [n for n in _public(real_keras.metrics) if inspect.isclass(getattr(real_keras.metrics, n))
               and n not in ("Metric", "Mean", "Sum", "MeanMetricWrapper")]
    assert sorted(classes) == sorted(CASES)


def _run(metric, batches, convert) -> np.ndarray:
    for i, (y_true, y_pred) in enumerate(batches):
        metric.update_state(y_true, y_pred, sample_weight=_SW if i == 1 else None)
    return convert(metric.result())


_CASE_LIST = [(name, kwargs, kind) for name, (kwargs, kind) in sorted(CASES.items())] + [
    (name, kwargs, CASES[name][1]) for name, variants in sorted(_VARIANTS.items()) for kwargs in variants]


@pytest.mark.parametrize("name,kwargs,kind", _CASE_LIST, ids=[f"{c[0]}-{c[1]}" for c in _CASE_LIST])
def test_metric_results_match(real_keras, name, kwargs, kind):
    batches = _batches(kind)
    got = _run(getattr(kerastorch.metrics, name)(**kwargs), batches, lambda r: np.asarray(r))
    want = _run(getattr(real_keras.metrics, name)(**kwargs), batches, real_keras.ops.convert_to_numpy)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def _required_args(name: str) -> dict:
    kwargs = CASES[name][0]
    params = inspect.signature(getattr(kerastorch.metrics, name)).parameters
    return {k: v for k, v in kwargs.items() if params[k].default is inspect.Parameter.empty}


@pytest.mark.parametrize("name", sorted(CASES))
def test_default_config_matches(real_keras, name):
    args = _required_args(name)
    ours = getattr(kerastorch.metrics, name)(**args).get_config()
    theirs = getattr(real_keras.metrics, name)(**args).get_config()
    # Auto-names carry a per-library uniquifying suffix ("io_u_1"); compare the stem.
    ours["name"], theirs["name"] = ours["name"].rstrip("_0123456789"), theirs["name"].rstrip("_0123456789")
    assert ours == theirs


@pytest.mark.parametrize("name", sorted(CASES))
def test_constructor_signature_matches(real_keras, name):
    ours = inspect.signature(getattr(kerastorch.metrics, name))
    theirs = inspect.signature(getattr(real_keras.metrics, name))
    assert [(p.name, p.default) for p in ours.parameters.values()] == \
        [(p.name, p.default) for p in theirs.parameters.values()]


@pytest.mark.parametrize("fn", ["pearson_correlation", "concordance_correlation"])
def test_correlation_functions_match(real_keras, fn):
    y_true, y_pred = _batches("real")[0]
    np.testing.assert_allclose(np.asarray(getattr(kerastorch.metrics, fn)(y_true, y_pred)),
                               real_keras.ops.convert_to_numpy(getattr(real_keras.metrics, fn)(y_true, y_pred)),
                               rtol=1e-5, atol=1e-6)


def test_reset_state_clears_new_metrics():
    metric = kerastorch.metrics.MeanIoU(num_classes=3)
    metric.update_state([0, 1, 2], [0, 1, 1])
    metric.reset_state()
    metric.update_state([0, 1, 1], [0, 1, 0])
    assert float(metric.result()) == pytest.approx(0.5, rel=1e-5)  # class 2 not seen since the reset: left out


def test_fbeta_rejects_integer_beta():
    with pytest.raises(ValueError, match="beta"):
        kerastorch.metrics.FBetaScore(beta=2)
