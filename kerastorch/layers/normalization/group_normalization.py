"""``GroupNormalization``: normalize each sample over groups of channels.

The channels along ``axis`` are split into ``groups``; mean and variance are taken
over each group and all non-batch axes. ``groups=-1`` means one channel per group
(instance normalization). The fused ``F.group_norm`` kernel runs on a channel-first
view of the input.
"""
from __future__ import annotations

import torch.nn.functional as F

from kerastorch import constraints, initializers, regularizers
from kerastorch.layers.layer import Layer


class GroupNormalization(Layer):
    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.groups = int(groups)
        self.axis = int(axis)
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim or self.axis % ndim == 0:
            raise ValueError(f'GroupNormalization "{self.name}": invalid axis={self.axis} for input shape '
                             f"{tuple(input_shape)} (the batch axis cannot be normalized).")
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined dimension but the layer "
                             f'"{self.name}" received an input with shape {tuple(input_shape)}.')
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups:
            raise ValueError(f'GroupNormalization "{self.name}": number of groups ({self.groups}) cannot be more '
                             f"than the number of channels ({dim}).")
        if dim % self.groups != 0:
            raise ValueError(f'GroupNormalization "{self.name}": number of groups ({self.groups}) must be a '
                             f"divisor of the number of channels ({dim}).")
        self.gamma = self.add_weight("gamma", (dim,), self.gamma_initializer, self.gamma_regularizer,
                                     self.gamma_constraint) if self.scale else None
        self.beta = self.add_weight("beta", (dim,), self.beta_initializer, self.beta_regularizer,
                                    self.beta_constraint) if self.center else None
        self.built = True

    def call(self, inputs):
        x = inputs if inputs.is_floating_point() else inputs.float()
        axis = self.axis % x.ndim
        xc = x if axis == 1 else x.movedim(axis, 1)
        gamma = self.gamma.to(x.dtype) if self.gamma is not None else None
        beta = self.beta.to(x.dtype) if self.beta is not None else None
        out = F.group_norm(xc, self.groups, gamma, beta, self.epsilon)
        return out if axis == 1 else out.movedim(1, axis)

    def get_config(self) -> dict:
        return {**super().get_config(), "groups": self.groups, "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint)}
