"""Metrics against Keras reference values and direct numpy computations."""
import numpy as np
import pytest
import torch

from kerastorch import metrics


def value(metric):
    return np.asarray(metric.result().detach().cpu(), dtype=np.float64)


def test_accuracy_family_with_sample_weights_and_reset():
    m = metrics.BinaryAccuracy()
    m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
    assert value(m) == pytest.approx(0.75)
    m.reset_state()
    m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]], sample_weight=[1, 0, 0, 1])
    assert value(m) == pytest.approx(0.5)
    m = metrics.CategoricalAccuracy()
    m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], sample_weight=[0.7, 0.3])
    assert value(m) == pytest.approx(0.3)
    m = metrics.SparseCategoricalAccuracy()
    m.update_state(torch.tensor([[2], [1]]), torch.tensor([[0.1, 0.6, 0.3], [0.05, 0.95, 0]]))
    m.update_state(torch.tensor([1.0, 0.0]), torch.tensor([[0.1, 0.6, 0.3], [0.05, 0.95, 0]]))
    assert value(m) == pytest.approx(0.5)  # accumulates across batches: 2 of 4
    m = metrics.TopKCategoricalAccuracy(k=1)
    m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], sample_weight=[0.7, 0.3])
    assert value(m) == pytest.approx(0.3)
    m = metrics.SparseTopKCategoricalAccuracy(k=2)
    m.update_state([2, 1, 0], [[0.1, 0.9, 0.8], [0.05, 0.95, 0], [0.1, 0.5, 0.4]])
    assert value(m) == pytest.approx(2 / 3)
    m = metrics.Accuracy()
    m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
    assert value(m) == pytest.approx(0.75)
    assert metrics.binary_accuracy(torch.tensor([1.0, 0.0]), torch.tensor([0.7, 0.7])).item() == 0.5


def test_mean_sum_and_wrapper():
    m = metrics.Mean()
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert value(m) == 2.0
    m.update_state(torch.tensor(10.0), sample_weight=2)
    assert value(m) == pytest.approx((4 + 20) / 4)
    s = metrics.Sum()
    s.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert value(s) == 4.0
    w = metrics.MeanMetricWrapper(lambda t, p: torch.abs(t - p).sum(-1), name="l1")
    w.update_state(torch.zeros(2, 2), torch.tensor([[1.0, 2.0], [3.0, 4.0]]), sample_weight=torch.tensor([1.0, 3.0]))
    assert w.name == "l1" and value(w) == pytest.approx((3 + 21) / 4)
    assert metrics.Mean()(np.array([2.0, 4.0])).item() == 3.0  # __call__ = update + result


def test_regression_metrics():
    y_true, y_pred = [[0, 1], [0, 0]], [[1, 1], [0, 0]]
    for cls, expected in [(metrics.MeanSquaredError, 0.25), (metrics.MeanAbsoluteError, 0.25),
                          (metrics.RootMeanSquaredError, 0.5), (metrics.LogCoshError, 0.10844523),
                          (metrics.MeanSquaredLogarithmicError, 0.12011322),
                          (metrics.MeanAbsolutePercentageError, 250000000.0)]:
        m = cls()
        m.update_state(y_true, y_pred)
        assert value(m) == pytest.approx(expected, rel=1e-5), cls.__name__
    m = metrics.RootMeanSquaredError()
    m.update_state(y_true, y_pred, sample_weight=[1, 0])
    assert value(m) == pytest.approx(0.70710677, rel=1e-6)
    m = metrics.CosineSimilarity(axis=1)
    m.update_state([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]], sample_weight=[0.3, 0.7])
    assert value(m) == pytest.approx(0.7, rel=1e-5)


def test_precision_recall_thresholds_class_id_top_k():
    m = metrics.Precision()
    m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    assert value(m) == pytest.approx(2 / 3)
    m.reset_state()
    m.update_state([0, 1, 1, 1], [1, 0, 1, 1], sample_weight=[0, 0, 1, 0])
    assert value(m) == pytest.approx(1.0)
    m = metrics.Precision(top_k=2)
    m.update_state([0, 0, 1, 1], [1, 1, 1, 1])
    assert value(m) == 0.0  # ties: the first two entries are the top 2
    r = metrics.Recall(thresholds=[0.2, 0.6])
    r.update_state([1, 1, 1, 0], [0.1, 0.5, 0.9, 0.9])
    np.testing.assert_allclose(value(r), [2 / 3, 1 / 3], rtol=1e-6)
    r = metrics.Recall(class_id=1)
    r.update_state([[0, 1, 0], [0, 1, 0], [1, 0, 0]], [[0.2, 0.7, 0.1], [0.6, 0.3, 0.1], [0.1, 0.8, 0.1]])
    assert value(r) == pytest.approx(0.5)
    tp = metrics.TruePositives()
    tp.update_state([0, 1, 1, 1], [1, 0, 1, 1], sample_weight=[0, 0, 1, 0])
    assert value(tp) == 1.0


def keras_auc_numpy(y_true, y_pred, num_thresholds=200, curve="ROC", weights=None):
    """Keras's AUC written directly: explicit thresholds, `pred > threshold`, then the Riemann sums."""
    eps = 1e-7
    thresholds = np.array([-eps] + [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
                          + [1 + eps])
    w = np.ones_like(y_pred) if weights is None else weights
    pos = y_pred[None, :] > thresholds[:, None]
    label = y_true[None, :] > 0
    tp = ((pos & label) * w).sum(1)
    fp = ((pos & ~label) * w).sum(1)
    fn = ((~pos & label) * w).sum(1)
    tn = ((~pos & ~label) * w).sum(1)
    div = lambda a, b: np.where(b != 0, a / np.where(b != 0, b, 1), 0.0)  # noqa: E731
    if curve == "ROC":
        x, y = div(fp, fp + tn), div(tp, tp + fn)
        return float(((x[:-1] - x[1:]) * (y[:-1] + y[1:]) / 2).sum())
    dtp = tp[:-1] - tp[1:]
    p = tp + fp
    dp = p[:-1] - p[1:]
    slope = div(dtp, np.maximum(dp, 0))
    intercept = tp[1:] - slope * p[1:]
    ratio = np.where((p[:-1] > 0) & (p[1:] > 0), div(p[:-1], np.maximum(p[1:], 0)), 1.0)
    return float(div(slope * (dtp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0)).sum())


def exact_roc_auc(y_true, y_score):
    pos, neg = y_score[y_true == 1], y_score[y_true == 0]
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return greater / (len(pos) * len(neg))


def test_auc_matches_keras_algorithm_and_true_auc():
    rng = np.random.default_rng(1)
    y_true = rng.integers(0, 2, 300).astype(np.float32)
    y_pred = np.clip(0.35 * y_true + rng.uniform(0, 0.7, 300), 0, 1).astype(np.float32)
    y_pred[:3] = [0.0, 1.0, 0.5]  # edge values
    sw = rng.uniform(0, 1, 300).astype(np.float32)
    m = metrics.AUC()
    m.update_state(y_true[:150], y_pred[:150])
    m.update_state(y_true[150:], y_pred[150:])  # accumulates across batches
    assert value(m) == pytest.approx(keras_auc_numpy(y_true, y_pred), abs=1e-5)
    assert value(m) == pytest.approx(exact_roc_auc(y_true, y_pred), abs=5e-3)
    pr = metrics.AUC(curve="PR")
    pr.update_state(y_true, y_pred, sample_weight=sw)
    assert value(pr) == pytest.approx(keras_auc_numpy(y_true, y_pred, curve="PR", weights=sw), abs=1e-5)
    small = metrics.AUC(num_thresholds=3)
    small.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    assert value(small) == pytest.approx(0.75)  # Keras docstring
    small.reset_state()
    small.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9], sample_weight=[1, 0, 0, 1])
    assert value(small) == pytest.approx(1.0)
    listed = metrics.AUC(thresholds=[0.25, 0.6])  # uneven thresholds use the direct comparison path
    listed.update_state([0, 0, 1, 1], [0.1, 0.5, 0.3, 0.9])
    # (tpr, fpr) at [-eps, .25, .6, 1+eps]: (1, 1), (1, .5), (.5, 0), (0, 0) -> .5 * 1 + .5 * .75
    assert value(listed) == pytest.approx(0.875)


def test_auc_multi_label_averages_label_aucs():
    rng = np.random.default_rng(2)
    y_true = rng.integers(0, 2, (64, 3)).astype(np.float32)
    y_pred = rng.uniform(0, 1, (64, 3)).astype(np.float32)
    m = metrics.AUC(multi_label=True, num_thresholds=50)
    m.update_state(y_true, y_pred)
    expected = np.mean([keras_auc_numpy(y_true[:, j], y_pred[:, j], 50) for j in range(3)])
    assert value(m) == pytest.approx(expected, abs=1e-5)


def test_updates_never_read_tensors_back(monkeypatch):
    """update_state must not pull values to the host (it would sync an accelerator)."""
    batch = (torch.tensor([[0.0, 1.0], [1.0, 0.0]]), torch.tensor([[0.3, 0.7], [0.6, 0.4]]))
    ms = [metrics.AUC(), metrics.Precision(), metrics.Recall(thresholds=[0.3, 0.5]), metrics.Mean(),
          metrics.SparseCategoricalAccuracy(), metrics.CategoricalAccuracy(), metrics.BinaryAccuracy(),
          metrics.MeanSquaredError(), metrics.RootMeanSquaredError(), metrics.TopKCategoricalAccuracy(k=1)]

    def forbidden(*args, **kwargs):
        raise AssertionError("host read in update_state")

    for name in ("item", "tolist", "__bool__", "__float__", "__int__", "numpy"):
        monkeypatch.setattr(torch.Tensor, name, forbidden)
    for m in ms:
        if type(m) is metrics.Mean:
            m.update_state(batch[1], sample_weight=torch.tensor([1.0, 2.0]))
        elif isinstance(m, metrics.SparseCategoricalAccuracy):
            m.update_state(torch.tensor([1, 0]), batch[1], sample_weight=torch.tensor([1.0, 2.0]))
        else:
            m.update_state(*batch, sample_weight=torch.tensor([1.0, 2.0]))
    monkeypatch.undo()
    assert value(ms[4]) == pytest.approx(1.0)


def test_keras_style_custom_metric():
    class BinaryTruePositives(metrics.Metric):
        def __init__(self, name="binary_true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_variable(shape=(), initializer="zeros", name="true_positives")

        def update_state(self, y_true, y_pred, sample_weight=None):
            values = torch.logical_and(torch.as_tensor(y_true).bool(), torch.as_tensor(y_pred).bool()).float()
            self.true_positives.assign(self.true_positives + values.sum())

        def result(self):
            return self.true_positives.value

    m = BinaryTruePositives()
    m.update_state([1, 1, 0], [1, 0, 1])
    m.update_state([1], [1])
    assert float(m.result()) == 2.0 and len(m.variables) == 1
    m.reset_state()
    assert float(m.result()) == 0.0


def test_resolve_accuracy_follows_keras3():
    r = metrics.resolve_accuracy
    assert isinstance(r("binary_crossentropy", (8, 1), (8, 1)), metrics.BinaryAccuracy)
    assert isinstance(r("sparse_categorical_crossentropy", (8,), (8, 10)), metrics.SparseCategoricalAccuracy)
    assert isinstance(r("sparse_categorical_crossentropy", (8, 1), (8, 10)), metrics.SparseCategoricalAccuracy)
    assert isinstance(r("categorical_crossentropy", (8, 10), (8, 10)), metrics.CategoricalAccuracy)
    assert isinstance(r("mse", (8, 1), (8, 1)), metrics.BinaryAccuracy)
    acc = r("categorical_crossentropy", (8, 10), (8, 10), name="acc")
    assert acc.name == "acc" and r(None, (8, 1), (8, 1)).name == "accuracy"


def test_get_names_and_errors():
    assert isinstance(metrics.get("mse"), metrics.MeanSquaredError)
    assert isinstance(metrics.get("AUC"), metrics.AUC) and isinstance(metrics.get("auc"), metrics.AUC)
    assert isinstance(metrics.get("precision"), metrics.Precision)
    assert isinstance(metrics.get("recall"), metrics.Recall)
    assert isinstance(metrics.get("binary_accuracy"), metrics.BinaryAccuracy)
    assert isinstance(metrics.get("top_k_categorical_accuracy"), metrics.TopKCategoricalAccuracy)
    assert metrics.get(metrics.binary_accuracy) is metrics.binary_accuracy
    with pytest.raises(ValueError, match="resolved by `model.compile`"):
        metrics.get("acc")
    with pytest.raises(ValueError, match="Valid names"):
        metrics.get("precison")
    m = metrics.deserialize(metrics.serialize(metrics.AUC(num_thresholds=20, curve="PR", name="pr_auc")))
    assert m.num_thresholds == 20 and m.curve == "PR" and m.name == "pr_auc"
    b = metrics.deserialize(metrics.serialize(metrics.BinaryAccuracy(threshold=0.7)))
    assert b.threshold == 0.7
