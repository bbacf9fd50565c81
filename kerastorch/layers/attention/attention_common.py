"""What MultiHeadAttention and GroupedQueryAttention share: their weight settings, the masks
they build from the inputs, and Keras's ``shapes_dict`` build config.

Both layers project with EinsumDense sublayers built from the same seven weight settings
(initializers cloned per sublayer, as Keras clones them), and both and-combine the padding
masks of query/value/key, the causal mask and the sliding-window band before attending.
"""
from __future__ import annotations

import torch

from kerastorch import constraints, initializers, regularizers

_GETTERS = {"initializer": initializers.get, "regularizer": regularizers.get, "constraint": constraints.get}
_SERIALIZERS = {"initializer": initializers.serialize, "regularizer": regularizers.serialize,
                "constraint": constraints.serialize}
WEIGHT_SETTINGS = ("kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",
                   "activity_regularizer", "kernel_constraint", "bias_constraint")


def _kind(setting: str) -> str:
    return setting.rsplit("_", 1)[1]


def set_weight_settings(layer, prefix: str, **values) -> None:
    """Resolve each setting by its Keras identifier and store it as ``layer.<prefix><setting>``
    (MultiHeadAttention keeps them private, ``_kernel_initializer``; GroupedQueryAttention public)."""
    for setting in WEIGHT_SETTINGS:
        setattr(layer, prefix + setting, _GETTERS[_kind(setting)](values[setting]))


def projection_kwargs(layer, prefix: str) -> dict:
    """The EinsumDense keyword arguments of one projection: the layer's settings, each initializer
    a fresh copy so that every projection draws its own weights."""
    kwargs = {}
    for setting in WEIGHT_SETTINGS:
        value = getattr(layer, prefix + setting)
        if _kind(setting) == "initializer" and hasattr(value, "get_config"):
            value = type(value).from_config(value.get_config())
        kwargs[setting] = value
    kwargs["dtype"] = layer._dtype_spec
    return kwargs


def weight_settings_config(layer, prefix: str) -> dict:
    """The settings as Keras writes them in ``get_config``."""
    return {setting: _SERIALIZERS[_kind(setting)](getattr(layer, prefix + setting)) for setting in WEIGHT_SETTINGS}


def check_sliding_window(sliding_window):
    if sliding_window is not None and (not isinstance(sliding_window, int) or sliding_window <= 0):
        raise ValueError("`sliding_window` must be `None` or a positive integer. "
                         f"Received: sliding_window={sliding_window}")
    return sliding_window


def combined_input_mask(query, value, query_mask=None, value_mask=None, key_mask=None, use_causal_mask=False,
                        sliding_window=None) -> torch.Tensor | None:
    """The and of the masks the inputs imply, broadcastable to (batch, query positions, key positions):
    the query's padding ``[B, T, 1]``, the value's and key's ``[B, 1, S]``, the causal lower
    triangle and the symmetric band ``|i - j| < sliding_window``; None when there is none."""
    mask = None
    if query_mask is not None:
        mask = query_mask.to(torch.bool).unsqueeze(-1)
    for padding in (value_mask, key_mask):
        if padding is not None:
            padding = padding.to(torch.bool).unsqueeze(-2)
            mask = padding if mask is None else mask & padding
    tq, tv = query.shape[1], value.shape[1]
    if use_causal_mask:
        causal = torch.ones(1, tq, tv, dtype=torch.bool, device=query.device).tril()
        mask = causal if mask is None else mask & causal
    if sliding_window is not None:
        rows = torch.arange(tq, device=query.device).reshape(1, tq, 1)
        cols = torch.arange(tv, device=query.device).reshape(1, 1, tv)
        band = (rows - cols).abs() < sliding_window
        mask = band if mask is None else mask & band
    return mask


class ShapesDictBuildConfig:
    """Keras's build config for a layer built from several shapes: ``{"shapes_dict": {"query_shape": ...}}``
    (the layer records ``self._build_shapes`` when it builds)."""

    def get_build_config(self) -> dict | None:
        shapes = getattr(self, "_build_shapes", None)
        return {"shapes_dict": dict(shapes)} if shapes else None

    def build_from_config(self, build_config: dict | None) -> None:
        shapes = (build_config or {}).get("shapes_dict")
        if shapes and not self.built:
            self.build(**shapes)
        else:
            super().build_from_config(build_config)
