"""kerastorch: the Keras API, running eagerly on PyTorch.

    import kerastorch as keras
"""
from kerastorch import activations, backend, constraints, initializers, layers, regularizers
from kerastorch.layers import Input, Layer
from kerastorch.models import Model, Sequential

__version__ = "0.1.0"

__all__ = ["Input", "Layer", "Model", "Sequential", "activations", "backend", "constraints", "initializers",
           "layers", "regularizers"]
