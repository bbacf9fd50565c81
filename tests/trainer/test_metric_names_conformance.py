"""History keys equal real Keras 3's for every string metric alias and for repeated/multi-output metrics.

Keras logs a string metric under the string as written ("mae" -> "mae", "val_mae"), not under the
class's default name; a plain metric function is wrapped in a running mean named after it.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import kerastorch

_REGRESSION = ["mae", "mse", "mape", "msle", "MAE", "MSE", "MAPE", "MSLE", "mean_squared_error",
               "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_logarithmic_error",
               "root_mean_squared_error", "hinge", "squared_hinge", "r2_score", "cosine_similarity", "log_cosh_error"]
_BINARY = ["acc", "accuracy", "binary_accuracy", "binary_crossentropy", "bce", "BCE", "auc", "AUC", "precision",
           "recall", "true_positives", "false_negatives"]
_CATEGORICAL = ["acc", "accuracy", "categorical_accuracy", "categorical_crossentropy", "categorical_hinge",
                "kl_divergence", "poisson", "f1_score", "f_beta_score", "top_k_categorical_accuracy"]
_SPARSE = ["acc", "accuracy", "sparse_categorical_accuracy", "sparse_categorical_crossentropy",
           "sparse_top_k_categorical_accuracy"]


def _history_keys(lib, kind: str, metrics, loss=None) -> list[str]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 4)).astype("float32")
    units = {"regression": 3, "binary": 1, "categorical": 6, "sparse": 6}[kind]
    if kind == "regression":
        y = rng.uniform(0.1, 1.0, size=(16, 3)).astype("float32")
    elif kind == "binary":
        y = rng.integers(0, 2, size=(16, 1)).astype("float32")
    elif kind == "categorical":
        y = np.eye(6, dtype="float32")[rng.integers(0, 6, size=16)]
    else:
        y = rng.integers(0, 6, size=(16,))
    default_loss = {"regression": "mse", "binary": "binary_crossentropy", "categorical": "categorical_crossentropy",
                    "sparse": "sparse_categorical_crossentropy"}[kind]
    model = lib.Sequential([lib.Input((4,)), lib.layers.Dense(
        units, activation={"regression": None, "binary": "sigmoid"}.get(kind, "softmax"))])
    model.compile(optimizer="sgd", loss=loss or default_loss, metrics=metrics)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = model.fit(x, y, epochs=1, batch_size=8, validation_split=0.25, verbose=0)
    return sorted(history.history)


_CASES = ([("regression", a) for a in _REGRESSION] + [("binary", a) for a in _BINARY]
          + [("categorical", a) for a in _CATEGORICAL] + [("sparse", a) for a in _SPARSE])


@pytest.mark.parametrize("kind,alias", _CASES, ids=[f"{k}-{a}" for k, a in _CASES])
def test_string_metric_is_logged_as_written(real_keras, kind, alias):
    assert _history_keys(kerastorch, kind, [alias]) == _history_keys(real_keras, kind, [alias])


def test_repeated_and_mixed_metrics_are_numbered_like_keras(real_keras):
    metrics = ["mae", "mae", "mse", kerastorch.metrics.MeanAbsoluteError()]
    theirs = ["mae", "mae", "mse", real_keras.metrics.MeanAbsoluteError()]
    assert _history_keys(kerastorch, "regression", metrics) == _history_keys(real_keras, "regression", theirs)


def test_metric_function_is_logged_under_its_name(real_keras):
    ours = _history_keys(kerastorch, "regression", [kerastorch.metrics.mean_absolute_error])
    assert ours == _history_keys(real_keras, "regression", [real_keras.metrics.mean_absolute_error])


def test_vector_metric_results_reach_history_as_arrays():
    history_keys = _history_keys(kerastorch, "categorical", [kerastorch.metrics.F1Score()])
    assert "f1_score" in history_keys and "val_f1_score" in history_keys


def _multi_output_keys(lib, metrics, loss) -> list[str]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 4)).astype("float32")
    inputs = lib.Input((4,))
    a = lib.layers.Dense(1, name="a")(inputs)
    b = lib.layers.Dense(2, activation="softmax", name="b")(inputs)
    model = lib.Model(inputs, {"a": a, "b": b})
    model.compile(optimizer="sgd", loss=loss, metrics=metrics)
    y = {"a": rng.normal(size=(16, 1)).astype("float32"), "b": rng.integers(0, 2, size=(16,))}
    history = model.fit(x, y, epochs=1, batch_size=8, validation_split=0.25, verbose=0)
    return sorted(history.history)


def test_multi_output_metric_names_match(real_keras):
    metrics = {"a": ["mae", "mse"], "b": ["acc"]}
    loss = {"a": "mse", "b": "sparse_categorical_crossentropy"}
    assert _multi_output_keys(kerastorch, metrics, loss) == _multi_output_keys(real_keras, metrics, loss)


def test_log_order_equals_keras(keras, real_keras):
    """History, ``return_dict`` and ``on_test_end`` logs are sorted by name as Keras's ``pythonify_logs``
    sorts them; the list form of ``evaluate``/``train_on_batch`` follows Keras's ``_flatten_metrics_in_order``."""
    x = np.random.default_rng(0).random((32, 4)).astype("float32")
    y = (x[:, 0] > 0.5).astype("float32")

    def list_order(as_list, as_dict):  # which log each list entry is (the values differ by construction)
        return [min(as_dict, key=lambda k: abs(as_dict[k] - value)) for value in as_list]

    seen = {}
    for lib in (keras, real_keras):
        lib.utils.set_random_seed(0)
        inp = lib.Input((4,))
        two = lib.Model(inp, [lib.layers.Dense(1, name="zeta")(inp), lib.layers.Dense(1, name="alpha")(inp)])
        two.compile("adam", ["mse", "mae"], metrics=[["mae"], ["mse", "accuracy"]])
        history = two.fit(x, [y, y], epochs=1, verbose=0, validation_split=0.25)
        as_dict = two.evaluate(x, [y, y], verbose=0, return_dict=True)
        one = lib.Model(inp, lib.layers.Dense(1, activation="sigmoid")(inp))
        one.compile("adam", "binary_crossentropy", metrics=["mse", "accuracy", "mae"])
        one_dict = one.evaluate(x, y, verbose=0, return_dict=True)
        seen[lib] = (list(history.history), list(as_dict), list(two.train_on_batch(x, [y, y], return_dict=True)),
                     list_order(two.evaluate(x, [y, y], verbose=0), as_dict),
                     list_order(one.evaluate(x, y, verbose=0), one_dict))
    assert seen[keras] == seen[real_keras]


def _model_with_attribute_metrics(lib, compile_metrics):
    """A subclassed model holding a metric in an attribute and one in a layer's attribute, updated by
    its own train_step (the keras.io "customizing fit" pattern, without overriding ``metrics``)."""

    class Counting(lib.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seen = lib.metrics.Sum(name="seen")

        def call(self, x):
            self.seen.update_state(lib.ops.cast(lib.ops.shape(x)[0], "float32"))
            return x

    class Model(lib.Model):
        def __init__(self):
            super().__init__()
            self.counting = Counting()
            self.dense = lib.layers.Dense(1, kernel_initializer="ones")
            self.steps = lib.metrics.Sum(name="steps")

        def call(self, x):
            return self.dense(self.counting(x))

        def train_step(self, data):
            self.steps.update_state(1.0)
            return super().train_step(data)

    model = Model()
    model.compile("sgd", "mse", metrics=compile_metrics)
    return model


@pytest.mark.parametrize("compile_metrics", [None, [], ["mae"]])
def test_attribute_metrics_are_listed_reset_each_epoch_and_logged_as_keras(keras, real_keras, compile_metrics):
    x = np.arange(16, dtype="float32").reshape(8, 2)
    y = np.zeros((8, 1), "float32")
    seen = {}
    for lib in (keras, real_keras):
        model = _model_with_attribute_metrics(lib, compile_metrics)
        history = model.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
        values = model.evaluate(x, y, batch_size=4, verbose=0, return_dict=True)
        seen[lib] = ({k: np.round(v, 4).tolist() for k, v in history.history.items()},
                     {k: round(float(v), 4) for k, v in values.items()},
                     [m.name for m in model.metrics if m.name in ("loss", "steps", "seen")],
                     model.evaluate(x, y, batch_size=4, verbose=0)[:2])
    assert seen[keras] == seen[real_keras]
    assert seen[keras][0]["steps"] == [2.0, 2.0]  # reset at every epoch


def test_metrics_names_pairs_with_evaluate_and_the_switch_gives_keras3s_list(keras, real_keras):
    x = np.random.default_rng(0).random((8, 4)).astype("float32")
    ys = {"a": np.zeros((8, 3), "float32"), "b": np.zeros((8, 1), "float32")}
    names = {}
    for lib in (keras, real_keras):
        inp = lib.Input((4,))
        model = lib.Model(inp, {"a": lib.layers.Dense(3, name="a")(inp), "b": lib.layers.Dense(1, name="b")(inp)})
        model.compile("sgd", {"a": "mse", "b": "mse"}, metrics={"a": ["mae"]})
        model.fit(x, ys, verbose=0)
        as_dict = model.evaluate(x, ys, verbose=0, return_dict=True)
        if lib is keras:  # kerastorch's default: one name per value of evaluate's list
            assert dict(zip(model.metrics_names, model.evaluate(x, ys, verbose=0))) == pytest.approx(as_dict)
            keras.config.set_default("metrics_names", "keras")
            try:
                names[lib] = model.metrics_names
            finally:
                keras.config.use_keras_defaults(False)
        else:
            names[lib] = model.metrics_names
    assert names[keras] == names[real_keras] == ["loss", "compile_metrics", "a_loss", "b_loss"]
