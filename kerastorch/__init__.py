"""kerastorch: the Keras API, running eagerly on PyTorch.

    import kerastorch as keras
"""
from kerastorch import (activations, backend, callbacks, config, constraints, datasets, initializers, layers,
                        losses, metrics, mixed_precision, models, ops, optimizers, preprocessing, regularizers, saving,
                        utils)
from kerastorch.layers import Input, Layer
from kerastorch.models import Model, Sequential

__version__ = "0.1.0"

__all__ = ["Input", "Layer", "Model", "Sequential", "activations", "backend", "callbacks", "config", "constraints",
           "datasets", "initializers", "layers", "losses", "metrics", "mixed_precision", "models", "ops", "optimizers",
           "preprocessing", "regularizers", "saving", "utils"]
