"""``ActivityRegularization``: identity that adds ``l1 * sum|x| + l2 * sum x^2`` (per sample) to the losses."""
from __future__ import annotations

from kerastorch import regularizers
from kerastorch.layers.layer import Layer


class ActivityRegularization(Layer):
    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1 = l1
        self.l2 = l2
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("activity_regularizer", None)  # rebuilt from l1/l2, as Keras's config leaves it out
        return {**config, "l1": self.l1, "l2": self.l2}
