"""``GroupedQueryAttention`` (Ainslie et al., 2023), exported as Keras's ``GroupQueryAttention``.

``num_query_heads`` query heads share ``num_key_value_heads`` key/value heads: each key/value
head is repeated ``num_query_heads // num_key_value_heads`` times before ordinary scaled
dot-product attention. Keras's weight layout and order: EinsumDense sublayers ``query``
``(dim, query_heads, head_dim)``, ``key``, optional ``gate`` (sigmoid, multiplies the attended
values), ``value`` ``(dim, kv_heads, head_dim)``, ``attention_output`` ``(query_heads, head_dim, dim)``.
They are created on the first call (they need the value's shape). Masks (query/value/key
masks, ``attention_mask``, causal, ``sliding_window`` band ``|i - j| < window``) are and-ed, as
in Keras; a fully masked row gives zero weights. Settings, masks and build config are shared
with MultiHeadAttention (``attention_common.py``).
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from kerastorch.layers.attention.attention_common import (
    ShapesDictBuildConfig,
    check_sliding_window,
    combined_input_mask,
    projection_kwargs,
    set_weight_settings,
    weight_settings_config,
)
from kerastorch.layers.call_context import build_device_scope
from kerastorch.layers.core.einsum_dense import EinsumDense
from kerastorch.layers.layer import Layer


class GroupedQueryAttention(ShapesDictBuildConfig, Layer):
    """Grouped-query attention: fewer key/value heads than query heads.

    Example:

    >>> layer = keras.layers.GroupQueryAttention(head_dim=4, num_query_heads=4, num_key_value_heads=2)
    >>> q, v = np.ones((2, 3, 8), "float32"), np.ones((2, 5, 8), "float32")
    >>> layer(q, v).shape
    torch.Size([2, 3, 8])
    """

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0, use_bias=True,
                 sliding_window=None, flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.head_dim = head_dim
        self.num_query_heads = num_query_heads
        self.num_key_value_heads = num_key_value_heads
        if num_query_heads % num_key_value_heads != 0:
            raise ValueError("`num_query_heads` must be divisible by `num_key_value_heads`. Received: "
                             f"num_query_heads={num_query_heads}, num_key_value_heads={num_key_value_heads}")
        self.num_repeats = num_query_heads // num_key_value_heads
        self.dropout = dropout
        self.use_bias = use_bias
        self.use_gate = use_gate
        self.sliding_window = check_sliding_window(sliding_window)
        # Flash attention is a kernel choice; torch's scaled_dot_product_attention picks its own.
        self._flash_attention = flash_attention
        if flash_attention and dropout > 0.0:
            raise ValueError("Dropout is not supported when flash attention is enabled. Please set dropout to 0.0 to "
                             "use flash attention.")
        set_weight_settings(self, "", kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                            activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                            bias_constraint=bias_constraint)
        self.seed = seed
        self._inverse_sqrt_head_dim = 1.0 / math.sqrt(float(head_dim))
        self._sublayers_built = False

    def build(self, query_shape, value_shape=None, key_shape=None) -> None:
        """Create the projections; without ``value_shape`` they wait for the first call."""
        if value_shape is not None:
            self._build_sublayers(tuple(query_shape), tuple(value_shape),
                                  tuple(key_shape) if key_shape is not None else None)
        self.built = True

    def _build_sublayers(self, query_shape, value_shape, key_shape=None) -> None:
        self._build_shapes = {"query_shape": list(query_shape), "value_shape": list(value_shape)}
        if key_shape is not None:
            self._build_shapes["key_shape"] = list(key_shape)
        key_shape = value_shape if key_shape is None else key_shape
        self.feature_dim = query_shape[-1]

        def dense(equation, heads, bias_axes, name, shape, activation=None):
            layer = EinsumDense(equation, output_shape=(None, heads, self.head_dim),
                                bias_axes=bias_axes if self.use_bias else None, activation=activation, name=name,
                                **projection_kwargs(self, ""))
            layer.build(shape)
            layer.built = True
            return layer

        # Attribute order is Keras's weight order.
        self._query_dense = dense("bqm,muh->bquh", self.num_query_heads, "uh", "query", query_shape)
        self._key_dense = dense("bkm,mvh->bkvh", self.num_key_value_heads, "vh", "key", key_shape)
        if self.use_gate:
            self._gate_dense = dense("bqm,muh->bquh", self.num_query_heads, "uh", "gate", query_shape,
                                     activation="sigmoid")
        self._value_dense = dense("bkm,mvh->bkvh", self.num_key_value_heads, "vh", "value", value_shape)
        self._output_dense = EinsumDense("bquh,uhm->bqm", output_shape=(None, self.feature_dim),
                                         bias_axes="m" if self.use_bias else None, name="attention_output",
                                         **projection_kwargs(self, ""))
        self._output_dense.build((None, None, self.num_query_heads, self.head_dim))
        self._output_dense.built = True
        self._sublayers_built = True

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None, attention_mask=None,
             return_attention_scores=False, training=None, use_causal_mask=False):
        if self._flash_attention and return_attention_scores:
            raise ValueError("Returning attention scores is not supported when flash attention is enabled. Please "
                             "disable flash attention to access attention scores.")
        if key is None:
            key = value
        elif key_mask is None and key is not value:
            key_mask = getattr(key, "_keras_mask", None)
        if query_mask is None:
            query_mask = getattr(query, "_keras_mask", None)
        if value_mask is None:
            value_mask = getattr(value, "_keras_mask", None)
        if not self._sublayers_built:
            with build_device_scope(query.device):
                self._build_sublayers(tuple(query.shape), tuple(value.shape), tuple(key.shape))
        mask = self._compute_attention_mask(query, value, query_mask, value_mask, key_mask, attention_mask,
                                            use_causal_mask)
        gate = self._gate_dense(query) if self.use_gate else None
        q = self._query_dense(query)
        k = self._key_dense(key).repeat_interleave(self.num_repeats, dim=2)
        v = self._value_dense(value).repeat_interleave(self.num_repeats, dim=2)
        out, scores = self._compute_attention(q, k, v, mask, training, return_attention_scores)
        out = self._output_dense(out * gate if gate is not None else out)
        if query_mask is not None:
            out._keras_mask = query_mask
        if return_attention_scores:
            return out, scores
        return out

    def compute_mask(self, inputs, mask=None):
        return None  # the call attaches the query mask to the output itself

    def _compute_attention_mask(self, query, value, query_mask=None, value_mask=None, key_mask=None,
                                attention_mask=None, use_causal_mask=False):
        auto = combined_input_mask(query, value, query_mask, value_mask, key_mask, use_causal_mask,
                                   self.sliding_window)
        if attention_mask is not None:
            attention_mask = torch.as_tensor(attention_mask, device=query.device).to(torch.bool)
            return attention_mask if auto is None else attention_mask & auto
        return auto

    def _compute_attention(self, query, key, value, attention_mask=None, training=None,
                           return_attention_scores=False):
        dropout = self.dropout if training and self.dropout > 0 else 0.0
        q, k, v = query.transpose(1, 2), key.transpose(1, 2), value.transpose(1, 2)  # (B, heads, T, H)
        mask = attention_mask
        while mask is not None and mask.ndim < 4:
            mask = mask.unsqueeze(-3)
        if not return_attention_scores:
            if mask is not None:
                row_any = mask.any(dim=-1, keepdim=True)
                out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask | ~row_any, dropout_p=dropout,
                                                     scale=self._inverse_sqrt_head_dim)
                out = out * row_any.to(out.dtype)
            else:
                out = F.scaled_dot_product_attention(q, k, v, dropout_p=dropout, scale=self._inverse_sqrt_head_dim)
            return out.transpose(1, 2), None
        scores = torch.matmul(q * self._inverse_sqrt_head_dim, k.transpose(-1, -2))
        if mask is not None:
            large_negative = -3e4 if scores.dtype == torch.float16 else -1e9
            scores = torch.where(mask, scores, torch.tensor(large_negative, dtype=scores.dtype, device=scores.device))
        probs = torch.softmax(scores, dim=-1)
        if mask is not None:
            probs = torch.where(mask, probs, torch.zeros((), dtype=probs.dtype, device=probs.device))
        used = F.dropout(probs, dropout, training=True) if dropout > 0 else probs
        return torch.matmul(used, v).transpose(1, 2), probs

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        return query_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "head_dim": self.head_dim, "num_query_heads": self.num_query_heads,
                "num_key_value_heads": self.num_key_value_heads, "use_bias": self.use_bias,
                "use_gate": self.use_gate, "sliding_window": self.sliding_window, "dropout": self.dropout,
                **weight_settings_config(self, ""), "seed": self.seed}


GroupQueryAttention = GroupedQueryAttention
