from kerastorch.layers.preprocessing.normalization import Normalization
from kerastorch.layers.preprocessing.rescaling import Rescaling

__all__ = ["Normalization", "Rescaling"]
