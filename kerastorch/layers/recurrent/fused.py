"""Torch's fused recurrent kernels (``torch._VF.lstm/gru/rnn_tanh/rnn_relu``) behind Keras layers.

The built-in cells keep their weights in Keras layout (``kernel (in, n*u)``, Keras gate
order); ``params`` below turns them into torch's ``[w_ih, w_hh, b_ih, b_hh]`` as views or
small concatenations, so gradients flow to the Keras-layout weights.

Keras masking semantics on the fused path: a mask is usable only when every sequence is
right-padded (``True...True False...False``) with at least one valid step; the kernels then
run on packed sequences and :func:`arrange_outputs` rebuilds Keras's per-step outputs
(masked steps repeat the last valid output, or are zeros with ``zero_output_for_mask``).
Any other mask goes to the step loop.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import _VF
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from kerastorch import activations

_TORCH_EQUIVALENTS = {
    "tanh": (torch.tanh, F.tanh),
    "sigmoid": (torch.sigmoid, F.sigmoid),
    "relu": (torch.relu, F.relu),
    "linear": (),
}


def is_activation(fn, name: str) -> bool:
    """Whether ``fn`` is Keras's activation ``name`` (or torch's own function of that name)."""
    try:
        if fn is activations.get(name):
            return True
    except ValueError:
        pass
    return any(fn is f for f in _TORCH_EQUIVALENTS.get(name, ()))


def fast_activation(fn):
    """A cheaper equivalent of ``fn`` for the step loop (skips argument conversion)."""
    if is_activation(fn, "tanh"):
        return torch.tanh
    if is_activation(fn, "sigmoid"):
        return torch.sigmoid
    if is_activation(fn, "relu"):
        return torch.relu
    if is_activation(fn, "linear"):
        return _identity
    return fn


def _identity(x):
    return x


# ------------------------------------------------------------------ gate layouts
def gru_gates_keras_to_torch(t: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Reorder GRU gate blocks Keras ``[z, r, h]`` -> torch ``[r, z, n]`` (its own inverse)."""
    z, r, h = torch.chunk(t, 3, dim=dim)
    return torch.cat([r, z, h], dim=dim)


def lstm_params(kernel, recurrent_kernel, bias):
    """torch LSTM parameters from Keras LSTM weights (gate order i, f, c, o == torch i, f, g, o).

    The kernels are made contiguous: cuDNN flattens the weights with ``view``.
    """
    if bias is None:
        return [kernel.t().contiguous(), recurrent_kernel.t().contiguous()], False
    return [kernel.t().contiguous(), recurrent_kernel.t().contiguous(), bias, torch.zeros_like(bias)], True


def gru_params(kernel, recurrent_kernel, bias):
    """torch GRU parameters from Keras ``reset_after=True`` GRU weights (bias (2, 3u))."""
    w_ih = gru_gates_keras_to_torch(kernel, 1).t().contiguous()
    w_hh = gru_gates_keras_to_torch(recurrent_kernel, 1).t().contiguous()
    if bias is None:
        return [w_ih, w_hh], False
    b = gru_gates_keras_to_torch(bias, 1)
    return [w_ih, w_hh, b[0].contiguous(), b[1].contiguous()], True


def simple_rnn_params(kernel, recurrent_kernel, bias):
    if bias is None:
        return [kernel.t().contiguous(), recurrent_kernel.t().contiguous()], False
    return [kernel.t().contiguous(), recurrent_kernel.t().contiguous(), bias, torch.zeros_like(bias)], True


# ------------------------------------------------------------------------ masks
def analyze_mask(mask: torch.Tensor | None):
    """Classify a (batch, time) boolean mask: ("none", None), ("right", lengths) or ("other", None).

    "none": no mask or every step valid. "right": right-padded with every sequence
    at least one step long (usable by packed fused kernels). Costs one host sync.
    """
    if mask is None:
        return "none", None
    lengths = mask.sum(dim=1)
    steps = torch.arange(mask.shape[1], device=mask.device)
    right_padded = torch.equal(mask, steps.unsqueeze(0) < lengths.unsqueeze(1))
    if not right_padded:
        return "other", None
    lengths = lengths.cpu()
    if int(lengths.min()) == mask.shape[1]:
        return "none", None
    if int(lengths.min()) < 1:
        return "other", None
    return "right", lengths


def reverse_padded(seq: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Reverse each sequence's first ``lengths[b]`` steps (batch-first), leaving the padding."""
    T = seq.shape[1]
    steps = torch.arange(T, device=seq.device).unsqueeze(0)
    lens = lengths.to(seq.device).unsqueeze(1)
    idx = torch.where(steps < lens, lens - 1 - steps, steps)
    return seq.gather(1, idx.view(*idx.shape, *([1] * (seq.ndim - 2))).expand_as(seq))


def arrange_outputs(r: torch.Tensor, lengths: torch.Tensor, go_backwards: bool,
                    zero_output_for_mask: bool):
    """Keras's processing-order outputs from packed-kernel outputs ``r`` (valid steps first).

    Forward: steps past a sequence's length repeat its last valid output (or are zeros).
    go_backwards: Keras walks the flipped, now left-padded sequence, so its first
    ``T - length`` steps are masked (zeros: the initial previous output) and the valid
    outputs follow.
    """
    B, T = r.shape[:2]
    steps = torch.arange(T, device=r.device).unsqueeze(0)
    lens = lengths.to(r.device).unsqueeze(1)
    if go_backwards:
        shift = T - lens
        idx = (steps - shift).clamp(min=0)
        valid = steps >= shift
    else:
        idx = torch.minimum(steps, lens - 1)
        valid = steps < lens
    out = r.gather(1, idx.unsqueeze(-1).expand(B, T, r.shape[-1]))
    if go_backwards or zero_output_for_mask:
        out = out * valid.unsqueeze(-1).to(out.dtype)
    return out


# ---------------------------------------------------------------------- kernels
def run(mode: str, seq: torch.Tensor, states: list, params: list, has_bias: bool,
        lengths: torch.Tensor | None = None):
    """Run a single-layer fused kernel over ``seq`` (batch, time, features), batch-first.

    ``mode`` is "lstm", "gru", "rnn_tanh" or "rnn_relu"; ``states`` are (batch, units)
    tensors ([h, c] for LSTM). Returns (outputs (batch, time, units), final states); with
    ``lengths`` the sequences are packed, outputs past a length are zeros and the final
    states are those at each sequence's last valid step.
    """
    train = torch.is_grad_enabled()
    fn = {"lstm": _VF.lstm, "gru": _VF.gru, "rnn_tanh": _VF.rnn_tanh, "rnn_relu": _VF.rnn_relu}[mode]
    hx = [s.unsqueeze(0) for s in states]
    if lengths is None:
        if mode == "lstm":
            out, h, c = fn(seq, hx, params, has_bias, 1, 0.0, train, False, True)
            return out, [h[0], c[0]]
        out, h = fn(seq, hx[0], params, has_bias, 1, 0.0, train, False, True)
        return out, [h[0]]
    packed = pack_padded_sequence(seq, lengths, batch_first=True, enforce_sorted=False)
    sorted_idx, unsorted_idx = packed.sorted_indices, packed.unsorted_indices
    hx = [h.index_select(1, sorted_idx) for h in hx]
    if mode == "lstm":
        data, h, c = fn(packed.data, packed.batch_sizes, hx, params, has_bias, 1, 0.0, train, False)
        finals = [h, c]
    else:
        data, h = fn(packed.data, packed.batch_sizes, hx[0], params, has_bias, 1, 0.0, train, False)
        finals = [h]
    out, _ = pad_packed_sequence(PackedSequence(data, packed.batch_sizes, sorted_idx, unsorted_idx),
                                 batch_first=True, total_length=seq.shape[1])
    return out, [f.index_select(1, unsorted_idx)[0] for f in finals]
