"""kerastorch: the Keras API, running eagerly on PyTorch.

    import kerastorch as keras
"""
from kerastorch import (
    activations,
    applications,
    backend,
    callbacks,
    config,
    constraints,
    datasets,
    distribution,
    dtype_policies,
    initializers,
    layers,
    losses,
    metrics,
    mixed_precision,
    models,
    ops,
    optimizers,
    preprocessing,
    random,
    regularizers,
    saving,
    tree,
    utils,
)
from kerastorch._core.scopes import device, name_scope, remat
from kerastorch._core.version import __version__
from kerastorch.graph import KerasTensor
from kerastorch.initializers import Initializer
from kerastorch.layers import Input, Layer
from kerastorch.layers.input_spec import InputSpec
from kerastorch.layers.variable import Variable
from kerastorch.losses import Loss
from kerastorch.metrics import Metric
from kerastorch.mixed_precision import DTypePolicy, FloatDTypePolicy
from kerastorch.models import Model, Sequential
from kerastorch.optimizers import Optimizer
from kerastorch.regularizers import Regularizer


def version() -> str:
    """kerastorch's version (``keras.version()`` gives Keras's)."""
    return __version__


# Keras names kerastorch deliberately lacks raise a message naming the alternative (kerastorch/_unsupported.py).
from kerastorch._unsupported import module_getattr as _module_getattr  # noqa: E402

_unsupported_getattr = _module_getattr(__name__)


def __getattr__(name: str):
    # keras.wrappers loads scikit-learn (0.7 s) when it is installed: imported on first use only.
    if name == "wrappers":
        import kerastorch.wrappers as wrappers  # local import: scikit-learn only when keras.wrappers is used

        return wrappers
    return _unsupported_getattr(name)

__all__ = ["DTypePolicy", "FloatDTypePolicy", "Initializer", "InputSpec", "KerasTensor", "Loss", "Metric", "Optimizer",
           "Regularizer", "Variable", "device", "dtype_policies", "name_scope", "random", "remat", "tree", "version",
           "Input", "Layer", "Model", "Sequential", "activations", "backend", "callbacks", "config", "constraints",
           "datasets", "distribution", "initializers", "layers", "losses", "metrics", "mixed_precision", "models", "ops", "optimizers",
           "preprocessing", "regularizers", "saving", "utils", "wrappers"]
