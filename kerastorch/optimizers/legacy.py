"""``keras.optimizers.legacy``: the Keras 2 optimizers, which Keras 3 (and kerastorch) do not have.

Every name raises the ImportError Keras 3 raises, so a Keras 2 script fails at the line that
uses a legacy optimizer, with the way out.
"""
from __future__ import annotations


class LegacyOptimizerWarning:
    """Stands for a ``keras.optimizers.legacy`` class; creating one raises ImportError."""

    def __init__(self, *args, **kwargs):
        raise ImportError("`keras.optimizers.legacy` is not supported in Keras 3 nor in kerastorch. Use the "
                          "optimizer of the same name in `keras.optimizers` (e.g. `keras.optimizers.Adam`); "
                          "its arguments are Keras 3's.")


Adagrad = Adam = Ftrl = Optimizer = RMSprop = SGD = LegacyOptimizerWarning

__all__ = ["SGD", "Adagrad", "Adam", "Ftrl", "Optimizer", "RMSprop"]
