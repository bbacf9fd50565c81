"""``Rescaling``: ``inputs * scale + offset`` (scalars, or per-channel arrays)."""
from __future__ import annotations

import numpy as np
import torch

from kerastorch.backend import config
from kerastorch.layers.layer import Layer


class Rescaling(Layer):
    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = _from_config_value(scale)
        self.offset = _from_config_value(offset)
        self.supports_masking = True

    def call(self, inputs):
        dtype = config.to_torch_dtype(self._variable_dtype())
        x = inputs.to(dtype) if inputs.dtype != dtype else inputs
        scale = self._as_tensor(self.scale, x)
        offset = self._as_tensor(self.offset, x)
        return x * scale + offset

    def _as_tensor(self, value, x):
        if isinstance(value, (int, float)):
            return value
        t = torch.as_tensor(np.asarray(value), dtype=x.dtype, device=x.device)
        if t.ndim > 0 and config.image_data_format() == "channels_first":
            t = t.reshape(tuple(t.shape) + (1,) * max(0, 3 - t.ndim))
        return t

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": _to_config_value(self.scale),
                "offset": _to_config_value(self.offset)}


def _from_config_value(value):
    if isinstance(value, dict) and value.get("class_name") == "__numpy__":
        return np.asarray(value["config"]["value"], dtype=value["config"].get("dtype"))
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return float(value)
    if isinstance(value, np.generic):
        return float(value)
    return value


def _to_config_value(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value
