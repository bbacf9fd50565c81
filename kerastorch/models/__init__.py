"""``keras.models``: model classes and whole-model loading."""
from kerastorch.models.functional import Functional
from kerastorch.models.model import Model
from kerastorch.models.sequential import Sequential

__all__ = ["Functional", "Model", "Sequential"]
