"""``keras.wrappers``: scikit-learn estimators around Keras models (``SKLearnClassifier`` ...).

scikit-learn is optional: this package imports without it, and building a wrapper then
raises an ImportError that says how to install it (as Keras does).
"""
from __future__ import annotations

from kerastorch._unsupported import module_getattr as _module_getattr
from kerastorch.wrappers.sklearn_wrapper import SKLearnClassifier, SKLearnRegressor, SKLearnTransformer

__getattr__ = _module_getattr(__name__)

__all__ = ["SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer"]
