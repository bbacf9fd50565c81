"""``keras.ops.math``: top-k, log-sum-exp, error functions and segment reductions."""
from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from kerastorch.ops.core import convert_to_tensor, wrap_public_ops
from kerastorch.ops.numpy import _float

Tensor = torch.Tensor


def top_k(x: Any, k: int, sorted: bool = True) -> tuple[Tensor, Tensor]:
    """The ``k`` largest entries along the last axis and their (int64, as Keras on torch) indices."""
    values, indices = torch.topk(convert_to_tensor(x), k, dim=-1, largest=True, sorted=sorted)
    return values, indices


def in_top_k(targets: Any, predictions: Any, k: int) -> Tensor:
    """Whether each target's score is among the ``k`` best (ties count as inside, as in Keras)."""
    predictions = convert_to_tensor(predictions)
    targets = convert_to_tensor(targets, device=predictions.device).long().reshape(-1, 1)
    kth_best = torch.topk(predictions, k, dim=-1).values[:, -1:]
    return torch.any(torch.take_along_dim(predictions, targets, dim=-1) >= kth_best, dim=1)


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    x = _float(x)
    if axis is None:
        axis = tuple(range(x.ndim))
    return torch.logsumexp(x, dim=axis, keepdim=keepdims)


def erf(x: Any) -> Tensor:
    return torch.erf(_float(x))


def erfinv(x: Any) -> Tensor:
    return torch.erfinv(_float(x))


def rsqrt(x: Any) -> Tensor:
    return torch.rsqrt(_float(x))


_SEGMENT_INIT = {"sum": 0.0, "amax": float("-inf"), "amin": float("inf"), "prod": 1.0}


def _segment_reduce(data: Any, segment_ids: Any, num_segments: int | None, reduce: str) -> Tensor:
    """Reduce rows of ``data`` into ``num_segments`` buckets, as Keras's torch backend does.

    Ids outside ``[0, num_segments)`` are dropped; an empty segment holds the reduction's
    identity (0, -inf, +inf, 1); the reduction runs in float32 and is cast back to the data's
    dtype (so an empty max/min segment of an integer tensor is whatever -inf/+inf casts to).
    """
    data = convert_to_tensor(data)
    ids = convert_to_tensor(segment_ids, device=data.device).long()
    if ids.ndim != 1 or ids.shape[0] != data.shape[0]:
        raise ValueError(f"segment_{reduce.lstrip('a')}: `segment_ids` must be 1-D with one id per row of `data`. "
                         f"Received: segment_ids.shape={tuple(ids.shape)}, data.shape={tuple(data.shape)}")
    n = int(ids.max().item()) + 1 if num_segments is None else int(num_segments)
    ids = torch.where((ids >= 0) & (ids < n), ids, n)  # out-of-range rows go to a discarded extra bucket
    index = ids.reshape((-1,) + (1,) * (data.ndim - 1)).expand_as(data)
    out = torch.full((n + 1,) + tuple(data.shape[1:]), _SEGMENT_INIT[reduce], device=data.device)
    out = out.scatter_reduce(0, index, data.float(), reduce)
    return out[:-1].to(data.dtype)


def segment_sum(data: Any, segment_ids: Any, num_segments: int | None = None,
                sorted: bool = False) -> Tensor:
    return _segment_reduce(data, segment_ids, num_segments, "sum")


def segment_max(data: Any, segment_ids: Any, num_segments: int | None = None,
                sorted: bool = False) -> Tensor:
    return _segment_reduce(data, segment_ids, num_segments, "amax")


def segment_min(data: Any, segment_ids: Any, num_segments: int | None = None,
                sorted: bool = False) -> Tensor:
    return _segment_reduce(data, segment_ids, num_segments, "amin")


def segment_prod(data: Any, segment_ids: Any, num_segments: int | None = None,
                 sorted: bool = False) -> Tensor:
    return _segment_reduce(data, segment_ids, num_segments, "prod")


def erfc(x: Any) -> Tensor:
    return torch.erfc(convert_to_tensor(x))


def logdet(x: Any) -> Tensor:
    return torch.logdet(_float(x))


def cdist(x: Any, y: Any) -> Tensor:
    """Euclidean distances between the rows of ``x`` and of ``y`` (batched over leading axes)."""
    x = convert_to_tensor(x)
    y = convert_to_tensor(y, device=x.device)
    if x.ndim < 2 or y.ndim < 2:
        raise ValueError(f"cdist: inputs must have rank >= 2. Received shapes {tuple(x.shape)}, {tuple(y.shape)}")
    if x.shape[-1] != y.shape[-1]:
        raise ValueError(f"cdist: the last dimensions must match. Received {x.shape[-1]} and {y.shape[-1]}")
    diff = x.unsqueeze(-2) - y.unsqueeze(-3)
    return torch.sqrt(torch.sum(diff * diff, dim=-1))


def extract_sequences(x: Any, sequence_length: int, sequence_stride: int) -> Tensor:
    """Frames of ``sequence_length`` samples every ``sequence_stride`` along the last axis."""
    return convert_to_tensor(x).unfold(-1, sequence_length, sequence_stride).contiguous()


# ---------------------------------------------------------------- complex views and FFTs
# Keras passes complex values as (real, imag) pairs of float tensors.

def _complex(op: str, x: Any) -> Tensor:
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"{op}: `x` must be a tuple (real, imag) of two float tensors. Received: {type(x).__name__}")
    real = convert_to_tensor(x[0])
    imag = convert_to_tensor(x[1], device=real.device)
    if real.shape != imag.shape:
        raise ValueError(f"{op}: real and imaginary parts must have the same shape. Received "
                         f"{tuple(real.shape)} and {tuple(imag.shape)}")
    if not (real.is_floating_point() and imag.is_floating_point()):
        raise ValueError(f"{op}: real and imaginary parts must be float tensors. Received dtypes "
                         f"{real.dtype} and {imag.dtype}")
    return torch.complex(real, imag)


def fft(x: Any) -> tuple[Tensor, Tensor]:
    out = torch.fft.fft(_complex("fft", x))
    return out.real, out.imag


def fft2(x: Any) -> tuple[Tensor, Tensor]:
    out = torch.fft.fft2(_complex("fft2", x))
    return out.real, out.imag


def ifft2(x: Any) -> tuple[Tensor, Tensor]:
    out = torch.fft.ifft2(_complex("ifft2", x))
    return out.real, out.imag


def rfft(x: Any, fft_length: int | None = None) -> tuple[Tensor, Tensor]:
    out = torch.fft.rfft(convert_to_tensor(x), n=fft_length, dim=-1)
    return out.real, out.imag


def irfft(x: Any, fft_length: int | None = None) -> Tensor:
    return torch.fft.irfft(_complex("irfft", x), n=fft_length, dim=-1)


def view_as_complex(x: Any) -> Tensor:
    """A ``(..., 2)`` float tensor read as complex numbers."""
    x = convert_to_tensor(x)
    if x.ndim == 0 or x.shape[-1] != 2:
        raise ValueError(f"view_as_complex: the last axis must have size 2. Received: x.shape={tuple(x.shape)}")
    return torch.complex(x[..., 0], x[..., 1])


def view_as_real(x: Any) -> Tensor:
    x = convert_to_tensor(x)
    if not x.is_complex():
        raise ValueError(f"view_as_real: `x` must be complex. Received: x.dtype={x.dtype}")
    return torch.stack([x.real, x.imag], dim=-1)


def _window(op: str, window: Any, length: int, dtype: torch.dtype, device: Any) -> Tensor | None:
    if window is None:
        return None
    if isinstance(window, str):
        if window == "hann":
            return torch.hann_window(length, periodic=True, dtype=dtype, device=device)
        if window == "hamming":
            return torch.hamming_window(length, periodic=True, dtype=dtype, device=device)
        raise ValueError(f"{op}: a string `window` must be 'hann' or 'hamming'. Received: window={window!r}")
    win = convert_to_tensor(window, device=device).to(dtype)
    if win.ndim != 1 or win.shape[0] != length:
        raise ValueError(f"{op}: `window` must have shape ({length},). Received: {tuple(win.shape)}")
    return win


def stft(x: Any, sequence_length: int, sequence_stride: int, fft_length: int, window: Any = "hann",
         center: bool = True) -> tuple[Tensor, Tensor]:
    """Short-time Fourier transform along the last axis: ``(real, imag)`` of shape (..., frames, bins)."""
    x = convert_to_tensor(x)
    if x.dtype not in (torch.float32, torch.float64):
        raise TypeError(f"stft: `x` must be float32 or float64. Received: x.dtype={x.dtype}")
    if fft_length < sequence_length:
        raise ValueError(f"stft: `fft_length` must be >= `sequence_length`. Received: fft_length={fft_length}, "
                         f"sequence_length={sequence_length}")
    win = _window("stft", window, sequence_length, x.dtype, x.device)
    if win is None:
        win = torch.ones(sequence_length, dtype=x.dtype, device=x.device)
    batch = x.shape[:-1]
    out = torch.stft(x.reshape(-1, x.shape[-1]), n_fft=fft_length, hop_length=sequence_stride,
                     win_length=sequence_length, window=win, center=center, return_complex=True)
    out = out.reshape(tuple(batch) + tuple(out.shape[-2:])).transpose(-2, -1)
    return out.real, out.imag


def _overlap_add(frames: Tensor, stride: int) -> Tensor:
    *batch, count, length = frames.shape
    flat = frames.reshape(-1, count, length).transpose(1, 2)  # (B, length, count)
    size = stride * (count - 1) + length
    out = F.fold(flat, output_size=(1, size), kernel_size=(1, length), stride=(1, stride))
    return out.reshape(tuple(batch) + (size,))


def istft(x: Any, sequence_length: int, sequence_stride: int, fft_length: int, length: int | None = None,
          window: Any = "hann", center: bool = True) -> Tensor:
    """Inverse of :func:`stft` (weighted overlap-add)."""
    spec = _complex("istft", x)
    dtype = spec.real.dtype
    win = _window("istft", window, sequence_length, dtype, spec.device)
    if sequence_length == fft_length and center and win is not None:
        batch = spec.shape[:-2]
        flat = spec.reshape((-1,) + tuple(spec.shape[-2:])).transpose(-2, -1)
        out = torch.istft(flat, n_fft=fft_length, hop_length=sequence_stride, win_length=sequence_length,
                          window=win, center=center, length=length, return_complex=False)
        return out.reshape(tuple(batch) + (out.shape[-1],))
    frames = torch.fft.irfft(spec, n=fft_length, dim=-1)
    expected = fft_length + sequence_stride * (frames.shape[-2] - 1)
    if win is not None:
        left = (fft_length - sequence_length) // 2
        win = F.pad(win, (left, fft_length - sequence_length - left))
        overlaps = -(-fft_length // sequence_stride)
        denom = F.pad(win * win, (0, overlaps * sequence_stride - fft_length))
        denom = denom.reshape(overlaps, sequence_stride).sum(0, keepdim=True).tile(overlaps, 1).reshape(-1)
        frames = frames * (win / denom[:fft_length])
    out = _overlap_add(frames, sequence_stride)
    start = fft_length // 2 if center else 0
    if length is not None:
        end = start + length
    elif center:
        end = out.shape[-1] - fft_length // 2
    else:
        end = expected
    return out[..., start:end]


wrap_public_ops(globals())
