"""Attention layers: Attention (Luong), AdditiveAttention (Bahdanau), MultiHeadAttention."""
from kerastorch.layers.attention.additive_attention import AdditiveAttention
from kerastorch.layers.attention.attention import Attention
from kerastorch.layers.attention.multi_head_attention import MultiHeadAttention

__all__ = ["AdditiveAttention", "Attention", "MultiHeadAttention"]
