"""``SpatialDropout1D/2D/3D``: drop whole feature maps (channels) instead of single entries."""
from __future__ import annotations

from kerastorch.backend import config
from kerastorch.layers.regularization.dropout import Dropout


class _SpatialDropout(Dropout):
    _ndim = 0

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None, **kwargs):
        noise_shape = kwargs.pop("noise_shape", None)  # Keras 2 configs carry noise_shape=None
        if noise_shape is not None:
            raise ValueError(f"{type(self).__name__} does not accept `noise_shape` (it drops whole channels). "
                             f"Received: noise_shape={noise_shape}")
        super().__init__(rate, seed=seed, name=name, dtype=dtype, **kwargs)
        self.data_format = config.standardize_data_format(data_format)

    def call(self, inputs, training=False):
        if inputs.ndim != self._ndim:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                             f"ndim={self._ndim}, found ndim={inputs.ndim}. Full shape received: "
                             f"{tuple(inputs.shape)}")
        if not training or self.rate == 0:
            return inputs
        n = self._ndim - 2
        if self.data_format == "channels_first":
            noise_shape = (inputs.shape[0], inputs.shape[1]) + (1,) * n
        else:
            noise_shape = (inputs.shape[0],) + (1,) * n + (inputs.shape[-1],)
        return self._dropout(inputs, noise_shape)

    def get_config(self) -> dict:
        cfg = {**super().get_config()}
        cfg.pop("noise_shape", None)
        cfg.pop("trainable", None)  # Keras's SpatialDropout takes no `trainable` (its config has none)
        cfg["dtype"] = self.dtype  # Keras's SpatialDropout config writes the dtype name, not the policy
        if self._ndim > 3:
            cfg["data_format"] = self.data_format
        return cfg


class SpatialDropout1D(_SpatialDropout):
    """Drops entire 1D feature maps of ``(batch, steps, channels)`` inputs."""
    _ndim = 3

    def __init__(self, rate, seed=None, name=None, dtype=None, **kwargs):
        kwargs.pop("data_format", None)
        super().__init__(rate, data_format="channels_last", seed=seed, name=name, dtype=dtype, **kwargs)


class SpatialDropout2D(_SpatialDropout):
    """Drops entire 2D feature maps of 4D inputs (NHWC, or NCHW with ``data_format="channels_first"``)."""
    _ndim = 4


class SpatialDropout3D(_SpatialDropout):
    """Drops entire 3D feature maps of 5D inputs."""
    _ndim = 5
