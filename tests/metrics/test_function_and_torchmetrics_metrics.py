"""compile(metrics=[...]) with plain functions (against real Keras) and torchmetrics.Metric objects."""
from __future__ import annotations

import numpy as np
import pytest
import torch

RNG = np.random.default_rng(3)
X = RNG.normal(size=(17, 4)).astype("float32")  # 17 samples, batch 5: an uneven last batch
Y_REG = RNG.normal(size=(17, 2)).astype("float32")
Y_CLS = RNG.integers(0, 3, size=(17,)).astype("int64")


def abs_gap(y_true, y_pred):
    """A per-sample metric function: one value per sample."""
    return torch.mean(torch.abs(y_true - y_pred), dim=-1)


def batch_peak(y_true, y_pred):
    """A function returning one scalar per batch (Keras averages those per batch)."""
    return torch.max(torch.abs(y_true - y_pred))


def _fit_history(keras, weights, metrics, y, loss):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(y.shape[-1] if y.ndim > 1 else 3)])
    if weights is not None:
        model.set_weights(weights)
    # lr 0: both frameworks keep the same weights, so every logged value must agree.
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss=loss, metrics=metrics)
    history = model.fit(X, y, batch_size=5, epochs=2, shuffle=False, validation_data=(X, y), verbose=0)
    return model, history.history


def test_function_metrics_are_named_and_averaged_as_in_keras(keras, real_keras):
    ours, ours_history = _fit_history(keras, None, [abs_gap, batch_peak], Y_REG, "mse")
    _, oracle_history = _fit_history(real_keras, ours.get_weights(), [abs_gap, batch_peak], Y_REG, "mse")
    assert sorted(ours_history) == sorted(oracle_history) == [
        "abs_gap", "batch_peak", "loss", "val_abs_gap", "val_batch_peak", "val_loss"]
    for key, values in oracle_history.items():
        np.testing.assert_allclose(ours_history[key], values, rtol=1e-5, err_msg=key)


def test_a_lambda_and_a_callable_object_are_metrics_too(keras):
    class Gap:
        __name__ = "gap"

        def __call__(self, y_true, y_pred):
            return abs_gap(y_true, y_pred)

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse", metrics=[Gap()])
    logs = model.evaluate(X, Y_REG, batch_size=5, return_dict=True, verbose=0)
    expected = float(abs_gap(torch.tensor(Y_REG), torch.tensor(model.predict(X, verbose=0))).mean())
    assert logs["gap"] == pytest.approx(expected, rel=1e-5)


def test_torchmetrics_metric_is_updated_reset_and_logged_under_its_snake_case_name(keras):
    torchmetrics = pytest.importorskip("torchmetrics")
    accuracy = torchmetrics.Accuracy(task="multiclass", num_classes=3)
    f1 = torchmetrics.F1Score(task="multiclass", num_classes=3, average="macro")
    model, history = _fit_history(keras, None, ["accuracy", accuracy, f1], Y_CLS,
                                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    assert set(history) == {"loss", "accuracy", "multiclass_accuracy", "multiclass_f1_score", "val_loss",
                            "val_accuracy", "val_multiclass_accuracy", "val_multiclass_f1_score"}
    logits = torch.tensor(model.predict(X, verbose=0))
    reference_f1 = torchmetrics.functional.f1_score(logits, torch.tensor(Y_CLS), task="multiclass", num_classes=3,
                                                    average="macro")
    # reset between epochs and before validation: every epoch sees exactly the 17 samples once
    np.testing.assert_allclose(history["multiclass_accuracy"], history["accuracy"], rtol=1e-6)
    np.testing.assert_allclose(history["val_multiclass_f1_score"], [float(reference_f1)] * 2, rtol=1e-6)
    np.testing.assert_allclose(history["multiclass_f1_score"], [float(reference_f1)] * 2, rtol=1e-6)
    logs = model.evaluate(X, Y_CLS, batch_size=4, return_dict=True, verbose=0)
    assert logs["multiclass_accuracy"] == pytest.approx(logs["accuracy"], rel=1e-6)


def test_torchmetrics_update_reads_nothing_back_to_the_host(keras, monkeypatch):
    torchmetrics = pytest.importorskip("torchmetrics")
    wrapper = keras.metrics.get(torchmetrics.Accuracy(task="multiclass", num_classes=3, validate_args=False))
    assert isinstance(wrapper, keras.metrics.TorchMetricsWrapper) and wrapper.name == "multiclass_accuracy"

    def host_read(*args, **kwargs):
        raise AssertionError("a value was read back to the host during update_state")

    y_true, y_pred = torch.tensor(Y_CLS[:5]), torch.randn(5, 3)
    with monkeypatch.context() as patch:
        for attr in ("item", "tolist", "numpy", "__bool__", "__float__", "__int__"):
            patch.setattr(torch.Tensor, attr, host_read)
        wrapper.update_state(y_true, y_pred)
        wrapper.update_state(y_true, y_pred)
    expected = float((y_pred.argmax(-1) == y_true).float().mean())
    assert float(wrapper.result()) == pytest.approx(expected)
    assert wrapper.variables and all(isinstance(v, torch.Tensor) for v in wrapper.variables)
    wrapper.reset_state()
    assert all(float(v.sum()) == 0 for v in wrapper.variables)


def test_torchmetrics_refuses_sample_weights_and_config_clearly(keras):
    torchmetrics = pytest.importorskip("torchmetrics")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    model.compile(optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  weighted_metrics=[torchmetrics.Accuracy(task="multiclass", num_classes=3)])
    with pytest.raises(ValueError, match="takes no sample weights"):
        model.fit(X, Y_CLS, sample_weight=np.ones(17, "float32"), epochs=1, verbose=0)
    wrapper = keras.metrics.TorchMetricsWrapper(torchmetrics.MeanSquaredError(), name="tm_mse")
    assert wrapper.name == "tm_mse"
    with pytest.raises(NotImplementedError, match="no Keras config"):
        wrapper.get_config()
    with pytest.raises(TypeError, match="torchmetrics.Metric"):
        keras.metrics.TorchMetricsWrapper(abs_gap)
