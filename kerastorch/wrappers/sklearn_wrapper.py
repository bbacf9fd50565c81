"""scikit-learn wrappers: a Keras model (or a function building one) as a sklearn estimator.

Same contract as Keras 3's ``keras.wrappers``: ``model`` is a compiled ``Model`` (cloned,
with its compile settings, before each fit) or a callable ``model(X=..., y=..., **model_kwargs)``
returning a compiled model; ``fit_kwargs`` (overridden by ``fit(..., **kwargs)``) go to
``Model.fit``. The classifier one-hot encodes its targets (sklearn's ``OneHotEncoder``) and
``predict`` turns the model's scores back into labels; the regressor passes targets through
(1-D targets come back 1-D); the transformer's ``transform`` is the model's ``predict``.
``warm_start=True`` keeps training the model fitted before instead of starting afresh.

scikit-learn is imported when this module loads if it is installed; the mixins fall back
to plain classes so that ``import kerastorch`` never needs it, and constructing a wrapper
without it raises the ImportError.
"""
from __future__ import annotations

import copy
from typing import Any, Callable

import numpy as np

from kerastorch.models.cloning import clone_model
from kerastorch.models.model import Model

try:
    import sklearn
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
except ImportError:  # scikit-learn is an optional extra
    sklearn = None

    class BaseEstimator:  # type: ignore[no-redef]
        pass

    class ClassifierMixin:  # type: ignore[no-redef]
        pass

    class RegressorMixin:  # type: ignore[no-redef]
        pass

    class TransformerMixin:  # type: ignore[no-redef]
        pass


def _require_sklearn(name: str) -> None:
    if sklearn is None:
        raise ImportError(f"{name} requires `scikit-learn` to be installed. Run `pip install scikit-learn` to "
                          "install it.")


def _validate(estimator: Any, X: Any, y: Any = None, reset: bool = True):
    """sklearn's input validation (numeric 2-D X; sets/checks ``n_features_in_``)."""
    from sklearn.utils.validation import validate_data  # scikit-learn >= 1.6
    if y is None:
        return validate_data(estimator, X, reset=reset)
    return validate_data(estimator, X, y, reset=reset, multi_output=True, y_numeric=False)


def _target_type(y: Any) -> str:
    from sklearn.utils.multiclass import type_of_target
    kind = type_of_target(y)
    if kind == "unknown":
        raise ValueError(f"Unknown label type for data: {y!r}")
    return kind


def _check_compiled(model: Any) -> None:
    if not isinstance(model, Model):
        raise TypeError(f"The wrapped `model` must be a keras Model (or a callable returning one). Received: "
                        f"{type(model).__name__}.")
    if not model.compiled or not model.loss or not model.optimizer:
        raise RuntimeError("Given model needs to be compiled, and have a loss and an optimizer.")


class _TargetReshaper(TransformerMixin, BaseEstimator):
    """1-D targets as a column for the model, and back to 1-D for the user."""

    def fit(self, y: np.ndarray) -> "_TargetReshaper":
        self.ndim_ = y.ndim
        return self

    def transform(self, y: np.ndarray) -> np.ndarray:
        return y.reshape(-1, 1) if y.ndim == 1 else y

    def inverse_transform(self, y: np.ndarray) -> np.ndarray:
        if self.ndim_ == 1 and y.ndim == 2:
            return np.squeeze(y, axis=1)
        return y


class SKLBase(BaseEstimator):
    """Shared by the three wrappers: model construction, fit, predict."""

    def __init__(self, model: Model | Callable[..., Model], warm_start: bool = False,
                 model_kwargs: dict | None = None, fit_kwargs: dict | None = None):
        _require_sklearn(type(self).__name__)
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs

    def _more_tags(self) -> dict:
        return {"non_deterministic": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        return tags

    def __sklearn_clone__(self):
        """A new unfitted estimator with the same parameters (``sklearn.base.clone``)."""
        model = self.model if callable(self.model) and not isinstance(self.model, Model) \
            else copy.deepcopy(self.model)
        return type(self)(model=model, warm_start=self.warm_start, model_kwargs=self.model_kwargs,
                          fit_kwargs=self.fit_kwargs)

    @property
    def epoch_(self) -> int:
        """The number of epochs of the last fit."""
        history = getattr(self, "history_", None)
        return len(history.epoch) if history is not None else 0

    def _get_model(self, X: np.ndarray, y: np.ndarray) -> Model:
        if self.warm_start and getattr(self, "model_", None) is not None:
            return self.model_
        if isinstance(self.model, Model):
            return clone_model(self.model)
        return self.model(X=X, y=y, **(self.model_kwargs or {}))

    def fit(self, X: Any, y: Any, **kwargs: Any) -> "SKLBase":
        """Fit the model on ``X`` (n_samples, n_features) and ``y``; ``kwargs`` go to ``Model.fit``."""
        X, y = _validate(self, X, y, reset=True)
        y = self._process_target(y, reset=True)
        model = self._get_model(X, y)
        _check_compiled(model)
        fit_kwargs = dict(self.fit_kwargs or {})
        fit_kwargs.update(kwargs)
        self.history_ = model.fit(X, y, **fit_kwargs)
        self.model_ = model
        return self

    def predict(self, X: Any) -> np.ndarray:
        """The model's predictions for ``X``, in the targets' form."""
        from sklearn.utils.validation import check_is_fitted
        check_is_fitted(self)
        X = _validate(self, X, reset=False)
        return self._reverse_process_target(self.model_.predict(X, verbose=0))

    def _process_target(self, y: np.ndarray, reset: bool = False) -> np.ndarray:
        _target_type(y)
        if reset:
            self._target_encoder = _TargetReshaper().fit(y)
        return self._target_encoder.transform(y)

    def _reverse_process_target(self, y: np.ndarray) -> np.ndarray:
        return self._target_encoder.inverse_transform(y)


class SKLearnClassifier(ClassifierMixin, SKLBase):
    """A Keras classifier as a scikit-learn estimator: one-hot targets in, labels out (``classes_``)."""

    def decision_function(self, X: Any) -> np.ndarray:
        """The model's raw outputs (class scores) for ``X``."""
        from sklearn.utils.validation import check_is_fitted
        check_is_fitted(self)
        X = _validate(self, X, reset=False)
        return self.model_.predict(X, verbose=0)

    def _process_target(self, y: np.ndarray, reset: bool = False) -> np.ndarray:
        kind = _target_type(y)
        if kind not in ("binary", "multiclass"):
            raise ValueError(f"Only binary and multiclass target types are supported. Target type: {kind}")
        if reset:
            from sklearn.pipeline import make_pipeline
            from sklearn.preprocessing import OneHotEncoder
            self._target_encoder = make_pipeline(_TargetReshaper(), OneHotEncoder(sparse_output=False)).fit(y)
            self.classes_ = np.unique(y)
            if len(self.classes_) == 1:
                raise ValueError("Classifier can't train when only one class is present.")
        return self._target_encoder.transform(y)

    def _more_tags(self) -> dict:
        return {"poor_score": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True
        return tags


class SKLearnRegressor(RegressorMixin, SKLBase):
    """A Keras regressor as a scikit-learn estimator (``score`` is R², sklearn's default)."""

    def _more_tags(self) -> dict:
        return {"poor_score": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True
        return tags


class SKLearnTransformer(TransformerMixin, SKLBase):
    """A Keras model as a scikit-learn transformer: ``transform(X)`` is ``model.predict(X)``."""

    def transform(self, X: Any) -> np.ndarray:
        """The model's outputs for ``X`` (n_samples, n_features)."""
        from sklearn.utils.validation import check_is_fitted
        check_is_fitted(self)
        X = _validate(self, X, reset=False)
        return self.model_.predict(X, verbose=0)

    def _more_tags(self) -> dict:
        return {"preserves_dtype": []}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return tags
