"""``Attention``: dot-product (Luong-style) attention over ``[query, value]`` or ``[query, value, key]``.

``scores = query @ key^T`` (times the scalar weight ``scale`` with ``use_scale``), or with
``score_mode="concat"`` ``concat_score_weight * sum(tanh(scale * (q + k)))``. Masked value
positions get ``-1e9`` before the softmax (Keras's bias, so a fully masked row falls back
to the unmasked distribution, as in Keras); the output is zeroed where the query mask is
False. Dropout applies to the attention distribution. Without requested scores, the dot
mode runs ``torch.nn.functional.scaled_dot_product_attention`` with the same additive mask.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from kerastorch.layers.layer import Layer


class Attention(Layer):
    def __init__(self, use_scale: bool = False, score_mode: str = "dot", dropout: float = 0.0, seed=None,
                 **kwargs):
        causal = kwargs.pop("causal", False)  # tf-keras <= 2.9 constructor argument
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"Invalid value for argument score_mode. Expected one of {{'dot', 'concat'}}. "
                             f"Received: score_mode={score_mode!r}")
        self.use_scale = bool(use_scale)
        self.score_mode = score_mode
        self.dropout = float(dropout)
        self.seed = seed
        self._default_causal = bool(causal)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        self._validate_inputs(input_shape)
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight("scale", (), "ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight("concat_score_weight", (), "ones")
        self.built = True

    def call(self, inputs, mask=None, training=None, return_attention_scores: bool = False,
             use_causal_mask: bool = False):
        self._validate_inputs(inputs, mask)
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask else None
        self._check_mask(q_mask, q, "query_mask")
        self._check_mask(v_mask, v, "value_mask")
        use_causal_mask = use_causal_mask or self._default_causal
        dropout = self.dropout if training and self.dropout > 0 else 0.0
        if self._can_use_sdpa() and not return_attention_scores:
            result = self._sdpa(q, k, v, v_mask, use_causal_mask, dropout)
            scores = None
        else:
            raw = self._calculate_scores(q, k)
            scores_mask = self._calculate_score_mask(raw, v_mask, use_causal_mask)
            result, scores = self._apply_scores(raw, v, scores_mask, dropout)
        if q_mask is not None:
            result = result * q_mask.unsqueeze(-1).to(result.dtype)
        if return_attention_scores:
            return result, scores
        return result

    def compute_mask(self, inputs, mask=None):
        if not mask or mask[0] is None:
            return None
        return mask[0]

    # --------------------------------------------------------------- scores
    def _calculate_scores(self, query, key):
        if self.score_mode == "dot":
            scores = torch.matmul(query, key.transpose(-1, -2))
            if self.scale is not None:
                scores = scores * self.scale
            return scores
        q = query.unsqueeze(-2)
        k = key.unsqueeze(-3)
        if self.scale is not None:
            return self.concat_score_weight * torch.sum(torch.tanh(self.scale * (q + k)), dim=-1)
        return self.concat_score_weight * torch.sum(torch.tanh(q + k), dim=-1)

    def _calculate_score_mask(self, scores, v_mask, use_causal_mask):
        if not use_causal_mask:
            return v_mask.unsqueeze(-2) if v_mask is not None else None
        tq, tv = scores.shape[-2], scores.shape[-1]
        causal = torch.ones(tq, tv, dtype=torch.bool, device=scores.device).tril().unsqueeze(0)
        if v_mask is not None:
            return v_mask.unsqueeze(-2) & causal
        return causal

    def _apply_scores(self, scores, value, scores_mask=None, dropout: float = 0.0):
        if scores_mask is not None:
            max_value = 65504.0 if scores.dtype == torch.float16 else 1.0e9
            scores = scores - max_value * (~scores_mask.to(torch.bool)).to(scores.dtype)
        weights = torch.softmax(scores, dim=-1)
        used = F.dropout(weights, dropout, training=True) if dropout > 0 else weights
        return torch.matmul(used, value), weights

    def _can_use_sdpa(self) -> bool:
        return self.score_mode == "dot" and type(self)._calculate_scores is Attention._calculate_scores

    def _sdpa(self, q, k, v, v_mask, use_causal_mask, dropout):
        if self.scale is not None:
            q = q * self.scale
        mask = self._calculate_score_mask(q.new_empty(q.shape[0], q.shape[-2], k.shape[-2]), v_mask,
                                          use_causal_mask)
        bias = None
        if mask is not None:
            max_value = 65504.0 if q.dtype == torch.float16 else 1.0e9
            bias = -max_value * (~mask.to(torch.bool)).to(q.dtype)
        return F.scaled_dot_product_attention(q, k, v, attn_mask=bias, dropout_p=dropout, scale=1.0)

    # ----------------------------------------------------------- validation
    def _validate_inputs(self, inputs, mask=None) -> None:
        name = type(self).__name__
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f'{name} layer "{self.name}" must be called on a list of inputs, namely [query, value] '
                             f"or [query, value, key]. Received: inputs={inputs!r}.")
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError(f'{name} layer "{self.name}" accepts inputs list of length 2 or 3, namely '
                             f"[query, value] or [query, value, key]. Received length: {len(inputs)}.")
        if mask is not None:
            if not isinstance(mask, (list, tuple)):
                raise ValueError(f'{name} layer "{self.name}" mask must be a list, namely [query_mask, value_mask]. '
                                 f"Received: mask={mask!r}.")
            if len(mask) < 2 or len(mask) > 3:
                raise ValueError(f'{name} layer "{self.name}" accepts mask list of length 2 or 3. Received a mask '
                                 f"list of length {len(mask)}.")

    def _check_mask(self, mask, tensor, what: str) -> None:
        if mask is None:
            return
        expected = tuple(tensor.shape[:-1])
        try:
            ok = tuple(torch.broadcast_shapes(tuple(mask.shape), expected)) == expected
        except RuntimeError:
            ok = False
        if not ok:
            raise ValueError(f'{type(self).__name__} layer "{self.name}": {what} of shape {tuple(mask.shape)} does '
                             f"not broadcast to {expected} (the input of shape {tuple(tensor.shape)} without its "
                             "feature axis).")

    def get_config(self) -> dict:
        return {**super().get_config(), "use_scale": self.use_scale, "score_mode": self.score_mode,
                "dropout": self.dropout, "seed": self.seed}
