"""Neural-network ``keras.ops``: activations, softmax, one-hot, moments, cross-entropies, the
normalization layers' math, attention, PSNR and CTC.

``keras.activations`` is built on these functions, so their formulas are Keras's. Where
torch has a fused kernel with the same math (``F.selu``, ``F.hardsigmoid`` ...) it is used.
Note ``gelu`` here defaults to the tanh approximation, as ``keras.ops.gelu`` does, while
``keras.activations.gelu`` defaults to the exact form. The spatial ops (convolution, pooling,
patches, depth/space blocks) live in ``ops._nn_spatial`` and are re-exported here, as Keras
exposes them under ``keras.ops.nn``.
"""
from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F

from kerastorch._core import config
from kerastorch.ops._nn_spatial import (  # noqa: F401 - re-exported: keras.ops.nn.conv etc. are public
    adaptive_average_pool,
    adaptive_max_pool,
    average_pool,
    conv,
    conv_transpose,
    depth_to_space,
    depthwise_conv,
    fold,
    max_pool,
    separable_conv,
    space_to_depth,
    unfold,
)
from kerastorch.ops.core import convert_to_tensor, wrap_public_ops
from kerastorch.ops.numpy import _float
from kerastorch.ops.numpy._helpers import result_type

Tensor = torch.Tensor


# ---------------------------------------------------------------- activations

def relu(x: Any) -> Tensor:
    return F.relu(convert_to_tensor(x))


def relu6(x: Any) -> Tensor:
    return F.relu6(convert_to_tensor(x))


def leaky_relu(x: Any, negative_slope: float = 0.2) -> Tensor:
    return F.leaky_relu(_float(x), negative_slope=negative_slope)


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    return F.elu(_float(x), alpha=alpha)


def selu(x: Any) -> Tensor:
    # torch's constants are the full-precision values of Keras's alpha=1.67326324, scale=1.05070098
    return F.selu(_float(x))


def celu(x: Any, alpha: float = 1.0) -> Tensor:
    return F.celu(_float(x), alpha=alpha)


def gelu(x: Any, approximate: bool = True) -> Tensor:
    return F.gelu(_float(x), approximate="tanh" if approximate else "none")


def sigmoid(x: Any) -> Tensor:
    return torch.sigmoid(_float(x))


def log_sigmoid(x: Any) -> Tensor:
    return F.logsigmoid(_float(x))


def hard_sigmoid(x: Any) -> Tensor:
    """Keras 3's hard sigmoid, ``relu6(x + 3) / 6``."""
    return F.hardsigmoid(_float(x))


def hard_silu(x: Any) -> Tensor:
    return F.hardswish(_float(x))


hard_swish = hard_silu


def silu(x: Any) -> Tensor:
    return F.silu(_float(x))


swish = silu


def softplus(x: Any) -> Tensor:
    return F.softplus(_float(x))


def softsign(x: Any) -> Tensor:
    return F.softsign(_float(x))


def mish(x: Any) -> Tensor:
    return F.mish(_float(x))


def hard_tanh(x: Any) -> Tensor:
    return F.hardtanh(_float(x))


def tanh_shrink(x: Any) -> Tensor:
    return F.tanhshrink(_float(x))


def soft_shrink(x: Any, threshold: float = 0.5) -> Tensor:
    return F.softshrink(_float(x), lambd=threshold)


def hard_shrink(x: Any, threshold: float = 0.5) -> Tensor:
    return F.hardshrink(_float(x), lambd=threshold)


def threshold(x: Any, threshold: float, default_value: float) -> Tensor:
    x = _float(x)
    return torch.where(x > threshold, x, torch.full_like(x, default_value))


def squareplus(x: Any, b: float = 4) -> Tensor:
    x = _float(x)
    return (x + torch.sqrt(x * x + b)) / 2


def sparse_plus(x: Any) -> Tensor:
    """0 below -1, ``(x + 1)^2 / 4`` on ``(-1, 1)``, ``x`` above 1."""
    x = _float(x)
    return torch.where(x <= -1, torch.zeros_like(x), torch.where(x >= 1, x, (x + 1) ** 2 / 4))


def glu(x: Any, axis: int = -1) -> Tensor:
    return F.glu(_float(x), dim=axis)


def softmax(x: Any, axis: Any = -1) -> Tensor:
    x = _float(x)
    if isinstance(axis, int):
        return F.softmax(x, dim=axis)
    axes = tuple(range(x.ndim)) if axis is None else tuple(axis)
    return torch.exp(x - torch.logsumexp(x, dim=axes, keepdim=True))


def log_softmax(x: Any, axis: Any = -1) -> Tensor:
    x = _float(x)
    if isinstance(axis, int):
        return F.log_softmax(x, dim=axis)
    axes = tuple(range(x.ndim)) if axis is None else tuple(axis)
    return x - torch.logsumexp(x, dim=axes, keepdim=True)


# ---------------------------------------------------------------- encoding and statistics

def one_hot(x: Any, num_classes: int, axis: int = -1, dtype: Any = None, sparse: bool = False) -> Tensor:
    """One-hot rows; indices outside ``[0, num_classes)`` give all-zero rows, like Keras."""
    x = convert_to_tensor(x).long()
    valid = (x >= 0) & (x < num_classes)
    out = F.one_hot(torch.where(valid, x, 0), num_classes) * valid.unsqueeze(-1)
    out = out.to(config.to_torch_dtype(dtype))
    if axis != -1 and axis != out.ndim - 1:
        out = torch.movedim(out, -1, axis)
    return out


def multi_hot(inputs: Any, num_classes: int | None = None, axis: int = -1, dtype: Any = None,
              sparse: bool = False, **kwargs: Any) -> Tensor:
    if num_classes is None:  # Keras 2's spelling
        num_classes = kwargs.pop("num_tokens", None)
    if num_classes is None:
        raise ValueError("multi_hot: `num_classes` is required. Received: num_classes=None")
    if kwargs:
        raise TypeError(f"multi_hot got unexpected keyword arguments {sorted(kwargs)}.")
    inputs = convert_to_tensor(inputs)
    reduction_axis = 1 if inputs.ndim > 1 else 0
    return torch.amax(one_hot(inputs, num_classes, axis=axis, dtype=dtype), dim=reduction_axis)


def moments(x: Any, axes: Any, keepdims: bool = False, synchronized: bool = False) -> tuple[Tensor, Tensor]:
    """(mean, population variance) over ``axes``."""
    x = _float(x)
    axes = (axes,) if isinstance(axes, int) else tuple(axes)
    compute = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x  # half is too narrow for stats
    variance, mean = torch.var_mean(compute, dim=axes, correction=0, keepdim=keepdims)
    return mean.to(x.dtype), variance.to(x.dtype)


def normalize(x: Any, axis: int = -1, order: int = 2, epsilon: float | None = None) -> Tensor:
    x = _float(x)
    eps = config.epsilon() if epsilon is None else epsilon
    norm = torch.linalg.vector_norm(x, ord=order, dim=axis, keepdim=True)
    return x / torch.clamp(norm, min=eps)


def batch_normalization(x: Any, mean: Any, variance: Any, axis: int, offset: Any = None,
                        scale: Any = None, epsilon: float = 1e-3) -> Tensor:
    x = _float(x)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]

    def _b(v: Any) -> Tensor:
        return convert_to_tensor(v, device=x.device).to(x.dtype).reshape(shape)

    out = (x - _b(mean)) * torch.rsqrt(_b(variance) + epsilon)
    if scale is not None:
        out = out * _b(scale)
    if offset is not None:
        out = out + _b(offset)
    return out


# ---------------------------------------------------------------- cross-entropies

def _check_same_rank(target: Tensor, output: Tensor) -> None:
    if target.ndim != output.ndim:
        raise ValueError("Arguments `target` and `output` must have the same rank. Received: "
                         f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}")


def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> Tensor:
    output = _float(output)
    target = convert_to_tensor(target, device=output.device).to(output.dtype)
    _check_same_rank(target, output)
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target, reduction="none")
    eps = config.epsilon()
    output = torch.clamp(output, eps, 1.0 - eps)
    return -(target * torch.log(output) + (1.0 - target) * torch.log(1.0 - output))


def categorical_crossentropy(target: Any, output: Any, from_logits: bool = False, axis: int = -1) -> Tensor:
    output = _float(output)
    target = convert_to_tensor(target, device=output.device).to(output.dtype)
    _check_same_rank(target, output)
    if from_logits:
        log_prob = F.log_softmax(output, dim=axis)
    else:
        # Keras rescales so rows sum to one, then clips away log(0)
        output = output / torch.sum(output, dim=axis, keepdim=True)
        eps = config.epsilon()
        log_prob = torch.log(torch.clamp(output, eps, 1.0 - eps))
    return -torch.sum(target * log_prob, dim=axis)


def sparse_categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                                    axis: int = -1) -> Tensor:
    output = _float(output)
    target = convert_to_tensor(target, device=output.device).long()
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = target.squeeze(-1)
    expected = list(output.shape)
    del expected[axis]
    if list(target.shape) != expected:
        raise ValueError("`target` must have the shape of `output` without its class axis. Received: "
                         f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}")
    if from_logits:
        log_prob = F.log_softmax(output, dim=axis)
    else:
        output = output / torch.sum(output, dim=axis, keepdim=True)
        eps = config.epsilon()
        log_prob = torch.log(torch.clamp(output, eps, 1.0 - eps))
    # Out-of-range targets contribute 0, as Keras's one-hot formulation gives.
    valid = (target >= 0) & (target < output.shape[axis])
    safe = torch.where(valid, target, 0).unsqueeze(axis)
    picked = torch.gather(log_prob, axis, safe).squeeze(axis)
    return -picked * valid.to(picked.dtype)


def dropout(x: Any, rate: float, noise_shape: Any = None, seed: int | None = None) -> Tensor:
    """Inverted dropout: keep with probability ``1 - rate`` and rescale by ``1 / (1 - rate)``."""
    x = _float(x)
    if rate <= 0:
        return x
    shape = tuple(x.shape) if noise_shape is None else tuple(
        d if n is None else int(n) for n, d in zip(noise_shape, x.shape))
    generator = None
    if seed is not None:
        generator = torch.Generator(device=x.device).manual_seed(int(seed))
    keep = torch.rand(shape, generator=generator, device=x.device) >= rate
    return x * keep.to(x.dtype) / (1.0 - rate)



# ---------------------------------------------------------------- more activations

def sparse_sigmoid(x: Any) -> Tensor:
    """0 below -1, 1 above 1, linear ``(x + 1) / 2`` in between."""
    x = _float(x)
    return torch.clamp(0.5 * (x + 1), 0.0, 1.0)


def sparsemax(x: Any, axis: int = -1) -> Tensor:
    """Euclidean projection of ``x`` onto the probability simplex along ``axis``."""
    x = _float(x)
    ordered = torch.sort(x, dim=axis, descending=True).values
    cum = torch.cumsum(ordered, dim=axis)
    shape = [1] * x.ndim
    shape[axis] = -1
    rank = torch.arange(1, x.shape[axis] + 1, dtype=x.dtype, device=x.device).reshape(shape)
    support = ordered - (cum - 1) / rank > 0
    k = support.sum(dim=axis, keepdim=True)
    tau = (torch.where(support, cum, 0).sum(dim=axis, keepdim=True) - 1) / k
    return torch.clamp(x - tau, min=0.0)


def polar(abs_: Any, angle: Any) -> Tensor:
    """The complex tensor ``abs_ * exp(1j * angle)``."""
    magnitude = _float(abs_)
    angle = convert_to_tensor(angle, device=magnitude.device)
    return torch.complex(magnitude * torch.cos(angle), magnitude * torch.sin(angle))


# ---------------------------------------------------------------- normalization layers' math

def _trailing(axes: list[int], ndim: int) -> bool:
    """Whether ``axes`` are the last ones, the layout torch's fused layer/RMS norm kernels expect."""
    return axes == list(range(ndim - len(axes), ndim))


def _norm_axes(axis: Any, ndim: int) -> list[int]:
    axes = [axis] if isinstance(axis, int) else list(axis)
    return sorted(a % ndim for a in axes)


def layer_normalization(x: Any, gamma: Any = None, beta: Any = None, axis: Any = -1,
                        epsilon: float | None = None, **kwargs: Any) -> Tensor:
    """``(x - mean) / sqrt(var + epsilon) * gamma + beta`` over ``axis``, computed in >= float32.

    ``rms_scaling=True`` (deprecated in Keras) divides by the standard deviation without centring.
    """
    rms_scaling = kwargs.pop("rms_scaling", False)
    if kwargs:
        raise TypeError(f"layer_normalization got unexpected keyword arguments {sorted(kwargs)}.")
    eps = config.epsilon() if epsilon is None else epsilon
    x = convert_to_tensor(x)
    original = x.dtype
    compute = torch.promote_types(x.dtype, torch.float32) if x.dtype != torch.float64 else x.dtype
    if not (x.is_floating_point() or x.is_complex()):
        compute = torch.float32
    x = x.to(compute)
    gamma = None if gamma is None else convert_to_tensor(gamma, device=x.device).to(compute)
    beta = None if beta is None else convert_to_tensor(beta, device=x.device).to(compute)
    axes = _norm_axes(axis, x.ndim)
    shape = [x.shape[d] if d in axes else 1 for d in range(x.ndim)]

    def _b(v: Tensor | None) -> Tensor | None:
        return v if v is None or v.ndim == x.ndim or axes == [x.ndim - 1] else v.reshape(shape)

    if rms_scaling:
        out = x * torch.rsqrt(torch.var(x, dim=axes, correction=0, keepdim=True) + eps)
        if gamma is not None:
            out = out * _b(gamma)
    elif _trailing(axes, x.ndim):
        out = F.layer_norm(x, tuple(x.shape[d] for d in axes), gamma, beta, eps)
    else:
        variance, mean = torch.var_mean(x, dim=axes, correction=0, keepdim=True)
        inv = torch.rsqrt(variance + eps)
        if gamma is not None:
            inv = inv * _b(gamma)
        out = x * inv - mean * inv
        if beta is not None:
            out = out + _b(beta)
    return out.to(original)


def rms_normalization(x: Any, scale: Any = None, axis: Any = -1, epsilon: float | None = None) -> Tensor:
    """``x / sqrt(mean(x**2) + epsilon) * scale`` over ``axis``, computed in >= float32."""
    eps = config.epsilon() if epsilon is None else epsilon
    x = convert_to_tensor(x)
    original = x.dtype
    compute = x.dtype if x.dtype == torch.float64 else torch.float32
    x = x.to(compute)
    scale = None if scale is None else convert_to_tensor(scale, device=x.device).to(compute)
    if x.ndim == 0:
        x = x.reshape(1)
    axes = _norm_axes(axis, x.ndim)
    if _trailing(axes, x.ndim):
        out = F.rms_norm(x, tuple(x.shape[d] for d in axes), scale, eps)
    else:
        out = x * torch.rsqrt(torch.mean(x * x, dim=axes, keepdim=True) + eps)
        if scale is not None:
            out = out * scale
    return out.to(original)


# ---------------------------------------------------------------- attention, metrics, CTC

def dot_product_attention(query: Any, key: Any, value: Any, bias: Any = None, mask: Any = None,
                          scale: float | None = None, is_causal: bool = False, flash_attention: bool | None = None,
                          attn_logits_soft_cap: float | None = None) -> Tensor:
    """Scaled dot-product attention on ``(batch, seq, heads, dim)`` tensors (grouped-query aware).

    ``attn_logits_soft_cap`` is accepted for signature parity; like Keras's torch backend it
    does not change the result.
    """

    q, k, v = (convert_to_tensor(t) for t in (query, key, value))
    if q.ndim != 4 or k.ndim != 4 or v.ndim != 4:
        raise ValueError("dot_product_attention: query, key and value must be 4-D (batch, seq, heads, dim). "
                         f"Received: {tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}")
    if bias is not None and mask is not None:
        raise ValueError("dot_product_attention: pass only one of `bias` and `mask`. Received both.")
    dtype = result_type(q.dtype, k.dtype, v.dtype)
    q, k, v = q.to(dtype), k.to(q.device, dtype), v.to(q.device, dtype)
    attn_mask = None
    if mask is not None:
        mask = convert_to_tensor(mask, device=q.device).to(torch.bool)
        if is_causal:
            causal = torch.ones((q.shape[1], k.shape[1]), dtype=torch.bool, device=q.device).tril()
            mask = mask & causal
            is_causal = False
        large_negative = -0.7 * (65500.0 if dtype == torch.float16 else 3.38953e38)
        attn_mask = torch.where(mask, torch.zeros((), dtype=dtype, device=q.device),
                                torch.tensor(large_negative, dtype=dtype, device=q.device))
    if bias is not None:
        attn_mask = convert_to_tensor(bias, device=q.device).to(dtype)
    q, k, v = (t.transpose(1, 2) for t in (q, k, v))
    if q.shape[1] > k.shape[1] > 1:
        groups = q.shape[1] // k.shape[1]
        k, v = k.repeat_interleave(groups, dim=1), v.repeat_interleave(groups, dim=1)
    out = F.scaled_dot_product_attention(q.contiguous(), k.contiguous(), v.contiguous(),
                                         attn_mask=None if attn_mask is None else attn_mask.contiguous(),
                                         is_causal=is_causal, scale=scale)
    return out.transpose(1, 2)


def psnr(x1: Any, x2: Any, max_val: Any) -> Tensor:
    """Peak signal-to-noise ratio in dB: ``20 log10(max_val) - 10 log10(mse)``."""
    a = convert_to_tensor(x1)
    b = convert_to_tensor(x2, device=a.device)
    if a.shape != b.shape:
        raise ValueError(f"psnr: `x1` and `x2` must have the same shape. Received {tuple(a.shape)} and "
                         f"{tuple(b.shape)}")
    max_val = convert_to_tensor(max_val, dtype=a.dtype, device=a.device)
    mse = torch.mean((a - b) ** 2)
    return 20 * torch.log10(max_val) - 10 * torch.log10(mse)


def ctc_loss(target: Any, output: Any, target_length: Any, output_length: Any, mask_index: int = 0) -> Tensor:
    """Per-sample CTC negative log-likelihood; ``output`` holds ``(batch, time, classes)`` logits."""
    output = convert_to_tensor(output)
    output = output.to(torch.float64 if output.dtype == torch.float64 else torch.float32)
    target = convert_to_tensor(target, device=output.device)
    log_probs = F.log_softmax(output.transpose(0, 1), dim=-1)
    return F.ctc_loss(log_probs, target.long(), convert_to_tensor(output_length).long(),
                      convert_to_tensor(target_length).long(), blank=mask_index, reduction="none")


def _ctc_greedy(x: Tensor, lengths: Tensor, merge_repeated: bool, mask_index: int) -> tuple[Tensor, Tensor]:
    batch, steps, _ = x.shape
    scores, best = torch.max(x, dim=-1)
    best = best.to(torch.int32)
    beyond = torch.arange(steps, device=x.device)[None, :] >= lengths[:, None]
    best = torch.where(beyond, mask_index, best)
    scores = torch.where(beyond, 0.0, scores)
    if merge_repeated:
        repeat = F.pad(best[:, 1:] == best[:, :-1], (1, 0))
        best = torch.where(repeat, mask_index, best)
    blank = best == mask_index
    best = torch.where(blank, -1, best)
    # move the kept labels to the front of each row, keeping their order
    order = torch.where(blank, steps, torch.arange(steps, device=x.device)[None, :].expand(batch, steps))
    best = torch.take_along_dim(best, torch.argsort(order, dim=-1, stable=True), dim=-1)
    return best[None], -scores.sum(dim=1, keepdim=True)


def _logaddexp(a: float, b: float) -> float:
    if a == float("-inf"):
        return b
    if b == float("-inf"):
        return a
    top = max(a, b)
    return top + math.log1p(math.exp(-abs(a - b)))


def _extend(beams: dict, prefix: tuple, blank: float, label: float) -> None:
    """Add probability mass (log space) ending in a blank / a label to ``prefix``'s beam entry."""
    cur = beams.setdefault(prefix, [float("-inf"), float("-inf")])
    cur[0] = _logaddexp(cur[0], blank)
    cur[1] = _logaddexp(cur[1], label)


def _ctc_beam_search(x: Tensor, lengths: Tensor, beam_width: int, top_paths: int,
                     mask_index: int) -> tuple[Tensor, Tensor]:
    """Prefix beam search over log-probabilities; paths padded with -1, scores are log-probabilities."""
    log_probs = F.log_softmax(x, dim=-1)
    batch, steps, classes = x.shape
    neg_inf = float("-inf")
    all_paths, all_scores = [], []
    for b in range(batch):
        lp = log_probs[b].tolist()
        # prefix -> (log p ending in blank, log p ending in a label)
        beams: dict[tuple, tuple[float, float]] = {(): (0.0, neg_inf)}
        for t in range(int(lengths[b])):
            nxt: dict[tuple, list[float]] = {}
            for prefix, (p_blank, p_label) in beams.items():
                total = _logaddexp(p_blank, p_label)
                for c in range(classes):
                    p = lp[t][c]
                    if c == mask_index:
                        _extend(nxt, prefix, total + p, neg_inf)
                    elif prefix and prefix[-1] == c:
                        _extend(nxt, prefix + (c,), neg_inf, p_blank + p)  # a repeat needs a blank between
                        _extend(nxt, prefix, neg_inf, p_label + p)
                    else:
                        _extend(nxt, prefix + (c,), neg_inf, total + p)
            ranked = sorted(nxt.items(), key=lambda kv: -_logaddexp(kv[1][0], kv[1][1]))
            beams = {k: (v[0], v[1]) for k, v in ranked[:beam_width]}
        ranked = sorted(beams.items(), key=lambda kv: -_logaddexp(kv[1][0], kv[1][1]))
        ranked = (ranked + [((), (neg_inf, neg_inf))] * top_paths)[:top_paths]
        paths = torch.full((top_paths, steps), -1, dtype=torch.int32)
        for i, (prefix, _) in enumerate(ranked):
            paths[i, :len(prefix)] = torch.tensor(prefix, dtype=torch.int32)
        all_paths.append(paths)
        all_scores.append(torch.tensor([_logaddexp(*s) for _, s in ranked], dtype=x.dtype))
    return torch.stack(all_paths).permute(1, 0, 2).to(x.device), torch.stack(all_scores).to(x.device)


def ctc_decode(inputs: Any, sequence_lengths: Any, strategy: str = "greedy", beam_width: int = 100,
               top_paths: int = 1, merge_repeated: bool = True, mask_index: int = 0) -> tuple[Tensor, Tensor]:
    """Decode ``(batch, time, classes)`` scores: ``(paths (top_paths, batch, time), scores)``, -1 padded."""
    x = convert_to_tensor(inputs)
    x = x.to(torch.float64 if x.dtype == torch.float64 else torch.float32)
    lengths = convert_to_tensor(sequence_lengths, device=x.device).to(torch.int32)
    if mask_index is None:
        mask_index = x.shape[-1] - 1
    if strategy == "greedy":
        return _ctc_greedy(x, lengths, merge_repeated, mask_index)
    if strategy == "beam_search":
        return _ctc_beam_search(x, lengths, beam_width, top_paths, mask_index)
    raise ValueError(f"ctc_decode: `strategy` must be 'greedy' or 'beam_search'. Received: strategy={strategy!r}")


wrap_public_ops(globals())
