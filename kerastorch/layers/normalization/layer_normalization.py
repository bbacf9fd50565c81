"""``LayerNormalization``: normalize each sample over ``axis`` (an int or a list of axes).

``gamma``/``beta`` have the shape of the normalized axes in the order given
(``axis=[1, 2]`` on ``(B, T, C)`` gives ``(T, C)``) and are reshaped, as Keras
does, onto the broadcast shape. When the axes are the trailing ones the fused
``F.layer_norm`` kernel is used.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from kerastorch import constraints, initializers, regularizers
from kerastorch.layers.layer import Layer


class LayerNormalization(Layer):
    """Normalize each sample over ``axis`` (by default its last axis), then scale and shift.

    Unlike ``BatchNormalization`` the statistics come from each sample alone, so training
    and inference compute the same thing.

    Args:
        axis: Axis or axes to normalize over (per sample).
        epsilon: Added to the variance to avoid dividing by zero.
        center: Learn the offset ``beta``.
        scale: Learn the factor ``gamma``.
        rms_scaling: Keras's deprecated variant: divide by ``sqrt(var + epsilon)`` without
            subtracting the mean, and scale only.
        beta_initializer, gamma_initializer: Initializers of ``beta`` and ``gamma``.
        beta_regularizer, gamma_regularizer: Regularizers of ``beta`` and ``gamma``.
        beta_constraint, gamma_constraint: Constraints on ``beta`` and ``gamma``.
        **kwargs: Base layer arguments (``name``, ``dtype``, ``trainable``...).

    Call arguments:
        inputs: A tensor.

    Input shape:
        Any.

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.LayerNormalization()
    >>> y = layer(np.arange(6, dtype="float32").reshape(2, 3))
    >>> [round(v, 3) for v in y[0].tolist()]
    [-1.224, 0.0, 1.224]
    """
    # rms_scaling comes after the positional parameters: Keras 3.15 takes it from **kwargs only.
    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, rms_scaling=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = [int(a) for a in axis]
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError("Expected an int or a list/tuple of ints for the argument 'axis', but received: "
                            f"{axis!r}")
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.rms_scaling = rms_scaling
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        ndim = len(input_shape)
        if isinstance(self.axis, int):
            self.axis = [self.axis]  # Keras stores the list form once built
        for a in self.axis:
            if not -ndim <= a < ndim:
                raise ValueError(f'LayerNormalization "{self.name}": axis {a} is out of bounds for input shape '
                                 f"{tuple(input_shape)}.")
        shape = tuple(input_shape[a] for a in self.axis)
        if any(d is None for d in shape):
            raise ValueError(f'LayerNormalization "{self.name}": the normalized axes {self.axis} must have known '
                             f"sizes. Received input shape {tuple(input_shape)}.")
        self.gamma = self.add_weight("gamma", shape, self.gamma_initializer, self.gamma_regularizer,
                                     self.gamma_constraint) if (self.scale or self.rms_scaling) else None
        self.beta = self.add_weight("beta", shape, self.beta_initializer, self.beta_regularizer,
                                    self.beta_constraint) if (self.center and not self.rms_scaling) else None
        self._axes = sorted(a % ndim for a in self.axis)
        self._ndim = ndim
        self._trailing = self._axes == list(range(ndim - len(self._axes), ndim))
        self.built = True

    def call(self, inputs):
        ref = self.gamma if self.gamma is not None else self.beta
        x = inputs
        if ref is not None and x.dtype != ref.dtype and not torch.is_autocast_enabled():
            x = x.to(ref.dtype)
        elif not x.is_floating_point():
            x = x.float()
        if x.ndim != self._ndim:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                             f"ndim={self._ndim}, received input with shape {tuple(inputs.shape)}")
        axes = self._axes
        norm_shape = [x.shape[a] for a in axes]
        if not self.rms_scaling and self._trailing:
            gamma = self.gamma.reshape(norm_shape) if self.gamma is not None else None
            beta = self.beta.reshape(norm_shape) if self.beta is not None else None
            return F.layer_norm(x, norm_shape, gamma, beta, self.epsilon)
        bshape = [x.shape[d] if d in axes else 1 for d in range(x.ndim)]
        var, mean = torch.var_mean(x, dim=axes, correction=0, keepdim=True)
        inv = torch.rsqrt(var + self.epsilon)
        if self.rms_scaling:
            return x * inv * self.gamma.to(x.dtype).reshape(bshape)
        if self.gamma is not None:
            inv = inv * self.gamma.to(x.dtype).reshape(bshape)
        res = -mean * inv
        if self.beta is not None:
            res = res + self.beta.to(x.dtype).reshape(bshape)
        return x * inv + res

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon, "center": self.center,
                "scale": self.scale, "rms_scaling": self.rms_scaling,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint)}
