"""keras.wrappers against real Keras 3.15.1: the same estimator, data and starting weights give the
same fitted predictions; sklearn's protocol (clone, get_params, score, pipelines) works."""
from __future__ import annotations

import os

import numpy as np
import pytest

os.environ["KERAS_BACKEND"] = "torch"
sklearn = pytest.importorskip("sklearn")
keras = pytest.importorskip("keras")

import kerastorch  # noqa: E402
from kerastorch.wrappers import SKLearnClassifier, SKLearnRegressor  # noqa: E402


def _builder(lib, activation, loss):
    def build(X, y, hidden=4):
        n_out = 1 if y.ndim == 1 else y.shape[1]
        model = lib.Sequential([
            lib.Input((X.shape[1],)),
            lib.layers.Dense(hidden, activation="tanh", kernel_initializer=lib.initializers.Constant(0.1)),
            lib.layers.Dense(n_out, activation=activation, kernel_initializer=lib.initializers.Constant(-0.05)),
        ])
        model.compile(optimizer=lib.optimizers.SGD(0.1), loss=loss)
        return model
    return build


def _data(seed=0, n=24):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)).astype("float32")
    return X, rng


FIT = {"epochs": 2, "batch_size": 8, "shuffle": False, "verbose": 0}


@pytest.mark.parametrize("wrapper", ["SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer"])
def test_same_fit_same_outputs_as_keras(wrapper):
    X, rng = _data()
    if wrapper == "SKLearnClassifier":
        y = np.array(["a", "b", "c"])[rng.integers(0, 3, size=len(X))]
        activation, loss = "softmax", "categorical_crossentropy"
    else:
        y = (X @ np.array([1.0, -2.0, 0.5])).astype("float32")
        activation, loss = None, "mse"
    outs = []
    for lib in (keras, kerastorch):
        est = getattr(lib.wrappers, wrapper)(model=_builder(lib, activation, loss), model_kwargs={"hidden": 5},
                                             fit_kwargs=dict(FIT))
        est.fit(X, y)
        out = est.transform(X) if wrapper == "SKLearnTransformer" else est.predict(X)
        outs.append((est, np.asarray(out)))
    (k_est, k_out), (t_est, t_out) = outs
    assert k_out.shape == t_out.shape
    if wrapper == "SKLearnClassifier":
        assert list(t_est.classes_) == list(k_est.classes_) == ["a", "b", "c"]
        assert (t_out == k_out).all()
        np.testing.assert_allclose(t_est.decision_function(X), k_est.decision_function(X), rtol=1e-5, atol=1e-6)
    else:
        np.testing.assert_allclose(t_out, k_out, rtol=1e-5, atol=1e-6)
    assert t_est.history_.history.keys() == k_est.history_.history.keys()
    assert t_est.n_features_in_ == 3


def test_sklearn_protocol_clone_params_score_and_pipeline():
    from sklearn.base import clone
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    X, rng = _data(1, 32)
    y = (X[:, 0] > 0).astype(int)
    est = SKLearnClassifier(model=_builder(kerastorch, "softmax", "categorical_crossentropy"),
                            fit_kwargs=dict(FIT))
    assert set(est.get_params()) == {"model", "warm_start", "model_kwargs", "fit_kwargs"}
    copy = clone(est)
    assert copy is not est and copy.get_params()["fit_kwargs"] == FIT and not hasattr(copy, "model_")
    pipe = make_pipeline(StandardScaler(), est).fit(X, y)
    assert 0.0 <= pipe.score(X, y) <= 1.0
    assert set(np.unique(pipe.predict(X))) <= {0, 1}
    with pytest.raises(ValueError, match="only one class"):
        SKLearnClassifier(model=_builder(kerastorch, "softmax", "categorical_crossentropy")).fit(X, np.zeros(32))
    with pytest.raises(ValueError, match="features"):
        est.predict(X[:, :2])


def test_compiled_model_instance_is_cloned_and_warm_start_continues():
    X, _ = _data(2)
    y = X.sum(axis=1)
    model = _builder(kerastorch, None, "mse")(X, y)
    before = [w.copy() for w in model.get_weights()]
    est = SKLearnRegressor(model=model, fit_kwargs=dict(FIT)).fit(X, y)
    assert est.model_ is not model and est.model_.compiled
    assert all((a == b).all() for a, b in zip(model.get_weights(), before))  # the given model is untouched
    assert est.predict(X).shape == (len(X),)
    warm = SKLearnRegressor(model=model, warm_start=True, fit_kwargs=dict(FIT)).fit(X, y)
    first = warm.model_
    warm.fit(X, y)
    assert warm.model_ is first and warm.epoch_ == 2


def test_uncompiled_model_is_refused():
    X, _ = _data(3)

    def build(X, y):
        return kerastorch.Sequential([kerastorch.Input((3,)), kerastorch.layers.Dense(1)])

    with pytest.raises(RuntimeError, match="needs to be compiled"):
        SKLearnRegressor(model=build).fit(X, X[:, 0])
