"""``BatchNormalization`` with Keras 3 semantics.

Training (``training and layer.trainable``) normalizes with the batch moments
(biased variance) and updates ``moving = moving * momentum + batch * (1 - momentum)``;
otherwise the moving statistics are used. A frozen layer (``trainable=False``)
always runs in inference mode, as in Keras 3.

The fused ``F.batch_norm`` kernel does the work. Its running-stat update uses the
*unbiased* variance and torch's momentum convention, so the layer passes scratch
buffers with ``momentum=1.0`` (they receive the exact batch mean and unbiased
variance), converts that variance to the biased one and applies Keras's update
itself. Channels-last inputs are moved to channel-first with a ``movedim`` view
(a 4D NHWC tensor becomes a channels_last-strided NCHW tensor, which torch's
kernels handle without copying).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from kerastorch import constraints, initializers, regularizers
from kerastorch.backend import config
from kerastorch.layers.layer import Layer

_HALF = (torch.float16, torch.bfloat16)


class BatchNormalization(Layer):
    """Normalize to zero mean and unit variance over the batch, then scale and shift.

    In training (``training=True``, or a model in training mode) the layer uses the batch's
    statistics and updates ``moving_mean``/``moving_variance`` (non-trainable buffers) as
    ``moving = moving * momentum + batch * (1 - momentum)``; in inference it uses the moving
    statistics. A frozen layer (``trainable=False``) always runs in inference mode, as in Keras.
    Output: ``gamma * (x - mean) / sqrt(var + epsilon) + beta``.

    Args:
        axis: The features axis (normally the channels axis), an int or a list of ints.
        momentum: Momentum of the moving statistics.
        epsilon: Added to the variance to avoid dividing by zero.
        center: Learn the offset ``beta``.
        scale: Learn the factor ``gamma``.
        beta_initializer, gamma_initializer: Initializers of ``beta`` and ``gamma``.
        moving_mean_initializer, moving_variance_initializer: Initial moving statistics.
        beta_regularizer, gamma_regularizer: Regularizers of ``beta`` and ``gamma``.
        beta_constraint, gamma_constraint: Constraints on ``beta`` and ``gamma``.
        synchronized: Accepted for Keras configs (one process: nothing to synchronize).
        **kwargs: Base layer arguments (``name``, ``dtype``, ``trainable``...).

    Call arguments:
        inputs: A tensor of any rank.
        training: Batch statistics (True) or moving statistics (False); None: the model's mode.
        mask: Optional boolean mask: masked entries are left out of the batch statistics.

    Input shape:
        Any; ``axis`` must be defined.

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.BatchNormalization()
    >>> layer(np.ones((4, 3), "float32"), training=True).shape
    torch.Size([4, 3])
    """
    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, synchronized=False, **kwargs):
        # Batch renormalization is not implemented: only its inactive values are accepted (configs carry them).
        kwargs.pop("fused", None)  # Keras 2 (tf.keras) configs carry these too
        virtual_batch_size = kwargs.pop("virtual_batch_size", None)
        adjustment = kwargs.pop("adjustment", None)
        super().__init__(**kwargs)
        if renorm or virtual_batch_size is not None or adjustment is not None:
            raise ValueError(
                f'BatchNormalization "{self.name}": batch renormalization (`renorm=True`) and the Keras 2 options '
                f"`virtual_batch_size` and `adjustment` are not supported by kerastorch. Received: renorm={renorm}, "
                f"virtual_batch_size={virtual_batch_size}, "
                f"adjustment={adjustment}.")
        if isinstance(axis, (list, tuple)):
            if len(axis) != 1:
                raise ValueError(f'BatchNormalization "{self.name}" normalizes along a single axis; received '
                                 f"axis={axis}.")
            axis = axis[0]
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = center
        self.scale = scale
        self.renorm = bool(renorm)
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum
        self.synchronized = synchronized  # multi-device sync is not applicable here; kept for configs
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim:
            raise ValueError(f'BatchNormalization "{self.name}": axis={self.axis} is out of range for inputs of '
                             f"shape {tuple(input_shape)}.")
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(f'BatchNormalization "{self.name}": axis {self.axis} of the input must have a known '
                             f"size. Received input shape {tuple(input_shape)}.")
        shape = (dim,)
        self.gamma = self.add_weight("gamma", shape, self.gamma_initializer, self.gamma_regularizer,
                                     self.gamma_constraint) if self.scale else None
        self.beta = self.add_weight("beta", shape, self.beta_initializer, self.beta_regularizer,
                                    self.beta_constraint) if self.center else None
        self.moving_mean = self.add_weight("moving_mean", shape, self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight("moving_variance", shape, self.moving_variance_initializer,
                                               trainable=False)
        self._ndim = ndim
        self.built = True

    def call(self, inputs, training=None, mask=None):
        if mask is not None and mask.ndim != inputs.ndim - 1:
            raise ValueError(f'BatchNormalization "{self.name}": the mask should have one dimension less than the '
                             f"inputs. Received: mask.shape={tuple(mask.shape)}, inputs.shape={tuple(inputs.shape)}")
        if inputs.ndim != self._ndim or inputs.shape[self.axis] != self.moving_mean.shape[0]:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected ndim={self._ndim} and '
                f"axis {self.axis} of size {self.moving_mean.shape[0]}, received input with shape "
                f"{tuple(inputs.shape)}")
        input_dtype = inputs.dtype
        x = inputs.float() if input_dtype in _HALF else inputs
        if not x.is_floating_point():
            x = x.to(self.moving_mean.dtype)
        axis = self.axis % x.ndim
        use_batch_stats = bool(training) and self.trainable
        gamma = self.gamma.to(x.dtype) if self.gamma is not None else None
        beta = self.beta.to(x.dtype) if self.beta is not None else None

        if use_batch_stats and mask is not None:
            out = self._masked_train(x, mask, axis, gamma, beta)
        else:
            xc = x if axis == 1 else x.movedim(axis, 1)
            n = xc.numel() // max(xc.shape[1], 1)
            if use_batch_stats and n > 1:
                c = xc.shape[1]
                batch_mean = torch.zeros(c, dtype=x.dtype, device=x.device)
                batch_var = torch.ones(c, dtype=x.dtype, device=x.device)
                out = F.batch_norm(xc, batch_mean, batch_var, gamma, beta, True, 1.0, self.epsilon)
                self._update_moving(batch_mean, batch_var * ((n - 1) / n))
            elif use_batch_stats:  # a single value per channel: the variance is 0
                red = [d for d in range(xc.ndim) if d != 1]
                var, mean = torch.var_mean(xc, dim=red, correction=0)
                self._update_moving(mean.detach(), var.detach())
                out = _normalize(xc, mean, var, gamma, beta, self.epsilon, 1)
            else:
                # detached: torch's kernel refuses statistics that require grad, which they do
                # inside jit_compile's gradient transform (see trainer/compiled_step.py)
                out = F.batch_norm(xc, self.moving_mean.detach().to(x.dtype),
                                   self.moving_variance.detach().to(x.dtype), gamma, beta, False, 0.0, self.epsilon)
            if axis != 1:
                out = out.movedim(1, axis)
        return out.to(input_dtype) if input_dtype in _HALF else out

    def _masked_train(self, x, mask, axis, gamma, beta):
        """Training with masked moments (Keras's weighted mean and variance)."""
        red = [d for d in range(x.ndim) if d != axis]
        w = mask.to(x.dtype).unsqueeze(-1)
        wx = w * x
        count = w.sum(dim=red, keepdim=True)
        mean = wx.sum(dim=red, keepdim=True) / (count + config.epsilon())
        var = (w * (wx - mean).square()).sum(dim=red, keepdim=True) / (count + config.epsilon())
        self._update_moving(mean.detach().reshape(-1), var.detach().reshape(-1))
        return _normalize(x, mean.reshape(-1), var.reshape(-1), gamma, beta, self.epsilon, axis)

    @torch.no_grad()
    def _update_moving(self, mean: torch.Tensor, var: torch.Tensor) -> None:
        m = self.momentum
        mm, mv = self.moving_mean, self.moving_variance
        mm.copy_(mm * m + mean.to(mm.dtype) * (1.0 - m))
        mv.copy_(mv * m + var.to(mv.dtype) * (1.0 - m))

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint),
                "synchronized": self.synchronized, "renorm": self.renorm, "renorm_clipping": self.renorm_clipping,
                "renorm_momentum": self.renorm_momentum}


def _normalize(x, mean, var, gamma, beta, epsilon, axis):
    """``(x - mean) * rsqrt(var + eps) * gamma + beta`` with per-channel vectors along ``axis``."""
    shape = [1] * x.ndim
    shape[axis] = -1
    inv = torch.rsqrt(var + epsilon)
    if gamma is not None:
        inv = inv * gamma
    out = (x - mean.reshape(shape)) * inv.reshape(shape)
    if beta is not None:
        out = out + beta.reshape(shape)
    return out
