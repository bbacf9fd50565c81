"""``MultiHeadAttention`` (Vaswani et al. 2017), with Keras's weight layout.

Four ``EinsumDense`` sublayers named ``query``, ``key``, ``value`` and ``attention_output``
(Keras 2 weight paths ``mha/query/kernel``): query/key kernels ``(dim, heads, key_dim)``
with biases ``(heads, key_dim)``, value ``(dim, heads, value_dim)``, output
``(heads, value_dim, dim)`` with bias ``(dim,)``; ``get_weights`` lists them in that order.
They are created on the first call (their shapes need the value's shape too).

The common case (attention over the sequence axis of ``(batch, seq, dim)`` inputs) runs
``torch.nn.functional.scaled_dot_product_attention`` unless the scores are requested; the
general ``attention_axes`` case uses Keras's einsum equations. Masks: the query/value/key
``_keras_mask`` (``[B, T, 1] & [B, 1, S]``), ``attention_mask`` and the causal mask are
and-ed; a fully masked row of the attention matrix gives zero weights, like Keras 3.
"""
from __future__ import annotations

import math
import string

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


class MultiHeadAttention(ShapesDictBuildConfig, Layer):
    """Multi-head attention (Vaswani et al., 2017), with Keras's weights and shapes.

    ``query``, ``key`` and ``value`` are projected per head by ``EinsumDense`` sublayers
    (``query_dense``, ``key_dense``, ``value_dense``), attention scores are
    ``softmax(q @ k^T / sqrt(key_dim))`` over the attention axes, and ``output_dense``
    projects the concatenated heads back to the query's last size (or ``output_shape``).

    Args:
        num_heads: Number of attention heads.
        key_dim: Size of each head for query and key.
        value_dim: Size of each head for value (default ``key_dim``).
        dropout: Dropout rate on the attention probabilities (in training).
        use_bias: Whether the projections use biases.
        output_shape: Last dimension(s) of the output (default: the query's last size).
        attention_axes: Axes attention runs over (default: all but batch, heads and features).
        flash_attention: Accepted for Keras compatibility (torch picks its attention kernel).
        kernel_initializer, bias_initializer: Initializers of the projections.
        kernel_regularizer, bias_regularizer, activity_regularizer: Regularizers.
        kernel_constraint, bias_constraint: Constraints on the projections.
        seed: Seed of the attention dropout.
        **kwargs: Base layer arguments (``name``, ``dtype``, ``trainable``...).

    Call arguments:
        query: ``(batch_size, target_len, query_dim)``.
        value: ``(batch_size, source_len, value_dim)``.
        key: Optional ``(batch_size, source_len, key_dim)``; defaults to ``value``.
        query_mask, value_mask, key_mask: Optional boolean padding masks (taken from the
            inputs' masks when not given).
        attention_mask: Optional boolean ``(batch_size, target_len, source_len)``: True where a
            query position may attend to a key position.
        return_attention_scores: Also return the attention probabilities
            ``(batch_size, num_heads, target_len, source_len)``.
        training: Whether dropout applies (None: the model's mode).
        use_causal_mask: Prevent each position from attending to later ones.

    Input shape:
        See the call arguments.

    Output shape:
        ``(batch_size, target_len, output_dim)``, plus the scores when requested.

    Example:

    >>> layer = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    >>> q, v = np.ones((2, 5, 8), "float32"), np.ones((2, 3, 16), "float32")
    >>> out, scores = layer(q, v, return_attention_scores=True)
    >>> out.shape, scores.shape
    (torch.Size([2, 5, 8]), torch.Size([2, 2, 5, 3]))
    """
    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True, output_shape=None,
                 attention_axes=None, sliding_window=None, flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None,
                 **kwargs):
        for legacy in ("query_shape", "key_shape", "value_shape", "softmax_robust_masking"):
            kwargs.pop(legacy, None)  # tf-keras config keys
        super().__init__(**kwargs)
        self.supports_masking = True
        self._num_heads = int(num_heads)
        self._key_dim = int(key_dim)
        self._value_dim = int(value_dim) if value_dim else self._key_dim
        self._dropout = float(dropout)
        self._use_bias = bool(use_bias)
        if output_shape:
            output_shape = (output_shape,) if isinstance(output_shape, int) else tuple(output_shape)
        self._output_shape = output_shape or None
        self._flash_attention = flash_attention
        self._use_gate = bool(use_gate)
        self._sliding_window = check_sliding_window(sliding_window)
        set_weight_settings(self, "_", kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                            activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                            bias_constraint=bias_constraint)
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes is not None and not isinstance(attention_axes, (list, tuple)):
            raise ValueError(f"`attention_axes` must be an int, list, or tuple. Received: "
                             f"attention_axes={attention_axes!r}")
        self._attention_axes = tuple(attention_axes) if attention_axes is not None else None
        self.seed = seed
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(self._key_dim))
        self._sublayers_built = False

    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)

    # ------------------------------------------------------------------ build
    def build(self, query_shape, value_shape=None, key_shape=None) -> None:
        """Create the projections; without ``value_shape`` (a build from the query alone) they wait for the call."""
        if value_shape is not None:
            self._build_sublayers(tuple(query_shape), tuple(value_shape),
                                  tuple(key_shape) if key_shape is not None else None)
        self.built = True

    def _build_sublayers(self, query_shape, value_shape, key_shape=None) -> None:
        # Keras records the shapes of build's arguments (its build_config's "shapes_dict").
        self._build_shapes = {"query_shape": list(query_shape), "value_shape": list(value_shape)}
        if key_shape is not None:
            self._build_shapes["key_shape"] = list(key_shape)
        key_shape = value_shape if key_shape is None else key_shape
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(f'MultiHeadAttention layer "{self.name}": all dimensions of `value` and `key`, except '
                             f"the last one, must be equal. Received: value_shape={value_shape} and "
                             f"key_shape={key_shape}")
        heads = self._num_heads

        def projection(shape, size, name, activation=None):
            equation, bias_axes, rank = _build_proj_equation(len(shape) - 1, bound_dims=1, output_dims=2)
            dense = EinsumDense(equation, output_shape=[None] * (rank - 3) + [heads, size],
                                bias_axes=bias_axes if self._use_bias else None, activation=activation, name=name,
                                **projection_kwargs(self, "_"))
            dense.build(shape)
            dense.built = True
            return dense, rank

        self.query_dense, rank = projection(query_shape, self._key_dim, "query")
        self.key_dense, _ = projection(key_shape, self._key_dim, "key")
        if self._use_gate:  # created between key and value: Keras's weight order
            self.gate_dense, _ = projection(query_shape, self._value_dim, "gate", activation="sigmoid")
        self.value_dense, _ = projection(value_shape, self._value_dim, "value")
        if self._attention_axes is None:
            self._attention_axes = tuple(range(1, rank - 2))
        else:
            self._attention_axes = tuple(a if a >= 0 else (rank - 1) + a for a in self._attention_axes)
        self._dot_product_equation, self._combine_equation, self._scores_rank = _build_attention_equation(
            rank, self._attention_axes)
        self._projected_rank = rank
        out_shape = list(self._output_shape) if self._output_shape else [query_shape[-1]]
        equation, bias_axes, out_rank = _build_proj_equation(len(query_shape) - 1, bound_dims=2,
                                                             output_dims=len(out_shape))
        self.output_dense = EinsumDense(equation, output_shape=[None] * (out_rank - 1 - len(out_shape)) + out_shape,
                                        bias_axes=bias_axes if self._use_bias else None, name="attention_output",
                                        **projection_kwargs(self, "_"))
        self.output_dense.build(tuple(query_shape[:-1]) + (heads, self._value_dim))
        self.output_dense.built = True
        self._sublayers_built = True

    # ------------------------------------------------------------------- call
    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None, use_causal_mask=False):
        if key is None:
            key = value
            key_mask = None
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
        gate = self.gate_dense(query) if self._use_gate else None
        q = self.query_dense(query)
        k = self.key_dense(key)
        v = self.value_dense(value)
        out, scores = self._compute_attention(q, k, v, mask, training, return_attention_scores)
        out = self.output_dense(out * gate if gate is not None else out)
        if query_mask is not None:
            out._keras_mask = query_mask
        if return_attention_scores:
            return out, scores
        return out

    def compute_mask(self, inputs, mask=None):
        return None  # the call attaches the query mask to the attention output itself

    def _compute_attention_mask(self, query, value, query_mask=None, value_mask=None, key_mask=None,
                                attention_mask=None, use_causal_mask=False):
        auto = combined_input_mask(query, value, query_mask, value_mask, key_mask, use_causal_mask,
                                   self._sliding_window)
        if attention_mask is not None:
            attention_mask = torch.as_tensor(attention_mask, device=query.device).to(torch.bool)
            self._check_attention_mask(attention_mask, query, value)
            return attention_mask if auto is None else attention_mask & auto
        if auto is not None:
            self._check_attention_mask(auto, query, value, what="mask built from the query/value masks")
        return auto

    def _compute_causal_mask(self, query, value=None):
        tq = query.shape[1]
        tv = tq if value is None else value.shape[1]
        return torch.ones(1, tq, tv, dtype=torch.bool, device=query.device).tril()

    def _check_attention_mask(self, mask, query, value, what="attention_mask") -> None:
        target = ((query.shape[0],) + tuple(query.shape[1:-1])
                  + tuple(value.shape[a] for a in self._attention_axes))
        try:
            ok = mask.ndim <= len(target) and tuple(torch.broadcast_shapes(tuple(mask.shape), target)) == target
        except RuntimeError:
            ok = False
        if not ok:
            raise ValueError(
                f'MultiHeadAttention layer "{self.name}": the {what} of shape {tuple(mask.shape)} does not broadcast '
                f"to the attention shape (batch, query positions, key positions) = {target} for query of shape "
                f"{tuple(query.shape)} and value of shape {tuple(value.shape)}.")

    def _compute_attention(self, query, key, value, attention_mask=None, training=None,
                           return_attention_scores=False):
        dropout = self._dropout if training and self._dropout > 0 else 0.0
        common = self._projected_rank == 4 and self._attention_axes == (1,)
        if common:
            q = query.transpose(1, 2)  # (B, N, T, H)
            k = key.transpose(1, 2)
            v = value.transpose(1, 2)
            mask = attention_mask.unsqueeze(1) if attention_mask is not None and attention_mask.ndim == 3 \
                else attention_mask
            if not return_attention_scores:
                if mask is not None:
                    row_any = mask.any(dim=-1, keepdim=True)
                    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask | ~row_any, dropout_p=dropout,
                                                         scale=self._inverse_sqrt_key_dim)
                    out = out * row_any.to(out.dtype)
                else:
                    out = F.scaled_dot_product_attention(q, k, v, dropout_p=dropout,
                                                         scale=self._inverse_sqrt_key_dim)
                return out.transpose(1, 2), None
            scores = torch.matmul(q * self._inverse_sqrt_key_dim, k.transpose(-1, -2))
            probs = self._masked_softmax(scores, mask)
            used = F.dropout(probs, dropout, training=True) if dropout > 0 else probs
            return torch.matmul(used, v).transpose(1, 2), probs
        scores = torch.einsum(self._dot_product_equation, key, query * self._inverse_sqrt_key_dim)
        mask = attention_mask
        if mask is not None:
            axis = -len(self._attention_axes) * 2 - 1
            while mask.ndim < scores.ndim:
                mask = mask.unsqueeze(axis)
        probs = self._masked_softmax(scores, mask)
        used = F.dropout(probs, dropout, training=True) if dropout > 0 else probs
        return torch.einsum(self._combine_equation, used, value), probs

    def _masked_softmax(self, scores, mask=None):
        n = len(self._attention_axes)
        if mask is not None:
            large_negative = -3e4 if scores.dtype == torch.float16 else -1e9
            scores = torch.where(mask, scores, torch.tensor(large_negative, dtype=scores.dtype,
                                                            device=scores.device))
        if n == 1:
            probs = torch.softmax(scores, dim=-1)
        else:
            dims = tuple(range(scores.ndim - n, scores.ndim))
            probs = torch.exp(scores - torch.logsumexp(scores, dim=dims, keepdim=True))
        if mask is not None:
            probs = torch.where(mask, probs, torch.zeros((), dtype=probs.dtype, device=probs.device))
        return probs

    # ----------------------------------------------------------------- config
    def get_config(self) -> dict:
        return {**super().get_config(), "num_heads": self._num_heads, "key_dim": self._key_dim,
                "value_dim": self._value_dim, "dropout": self._dropout, "use_bias": self._use_bias,
                "use_gate": self._use_gate,
                "output_shape": list(self._output_shape) if self._output_shape else None,
                "attention_axes": list(self._attention_axes) if self._attention_axes is not None else None,
                "sliding_window": self._sliding_window, **weight_settings_config(self, "_"), "seed": self.seed}


def _letter(i: int) -> str:
    return string.ascii_lowercase[i]


def _build_proj_equation(free_dims: int, bound_dims: int, output_dims: int):
    """Einsum equation, bias axes and output rank of a projection (Keras's construction)."""
    free = "".join(_letter(i) for i in range(free_dims))
    bound = "".join(_letter(free_dims + i) for i in range(bound_dims))
    out = "".join(_letter(free_dims + bound_dims + i) for i in range(output_dims))
    return f"{free}{bound},{bound}{out}->{free}{out}", out, len(free) + len(out)


def _build_attention_equation(rank: int, attn_axes: tuple):
    """Einsum equations for query-key scores and their combination with the values."""
    target = "".join(_letter(i) for i in range(rank))
    batch_dims = [i for i in range(rank) if i not in attn_axes and i != rank - 1]
    source = list(target)
    offset = rank
    for i in range(rank):
        if i not in batch_dims and i != rank - 1:
            source[i] = _letter(offset)
            offset += 1
    source = "".join(source)
    product = "".join([target[i] for i in batch_dims] + [target[i] for i in attn_axes]
                      + [source[i] for i in attn_axes])
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)
