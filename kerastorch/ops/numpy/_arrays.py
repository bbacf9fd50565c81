"""``ops.numpy`` array building and reshaping beyond the basics: splits, stacks, windows, products.

Also ``vectorize`` (``torch.vmap`` over NumPy gufunc signatures) and ``get_item``.
"""
from __future__ import annotations

import builtins
import functools
import re
from collections.abc import Callable
from typing import Any

import torch

from kerastorch._core import config
from kerastorch.ops.core import wrap_public_ops
from kerastorch.ops.numpy._helpers import Tensor, _t, result_type

__all__ = [
    "array", "array_split", "bartlett", "blackman", "cross", "diagflat", "diff", "dsplit", "dstack",
    "empty", "empty_like", "fliplr", "flipud", "geomspace", "get_item", "hamming", "hanning",
    "hsplit", "inner", "isin", "kaiser", "kron", "logspace", "nonzero", "rot90", "select",
    "slogdet", "tri", "unravel_index", "vander", "vdot", "vectorize", "view", "vsplit",
]


def _floatx() -> torch.dtype:
    return config.to_torch_dtype(config.floatx())


def _device() -> str:
    return config.get_device()


# ---------------------------------------------------------------- creation

def array(x: Any, dtype: Any = None) -> Tensor:
    return _t(x, dtype=dtype)


def empty(shape: Any, dtype: Any = None) -> Tensor:
    shape = (shape,) if isinstance(shape, int) else tuple(int(s) for s in shape)
    return torch.empty(shape, dtype=config.to_torch_dtype(dtype or config.floatx()), device=_device())


def empty_like(x: Any, dtype: Any = None) -> Tensor:
    x = _t(x)
    return torch.empty_like(x, dtype=x.dtype if dtype is None else config.to_torch_dtype(dtype))


def tri(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> Tensor:
    """Ones at and below the ``k``-th diagonal of an ``N x M`` matrix."""
    M = M or N
    ones = torch.ones((N, M), dtype=config.to_torch_dtype(dtype or config.floatx()), device=_device())
    return torch.tril(ones, diagonal=k)


def diagflat(x: Any, k: int = 0) -> Tensor:
    return torch.diagflat(_t(x), offset=k)


def vander(x: Any, N: int | None = None, increasing: bool = False) -> Tensor:
    x = _t(x)
    if x.ndim != 1:
        raise ValueError(f"vander: `x` must be 1-D. Received: x.shape={tuple(x.shape)}")
    return torch.vander(x, N=N, increasing=increasing).to(result_type(x.dtype))


def _space_dtype(start: Any, stop: Any, dtype: Any) -> torch.dtype:
    if dtype is not None:
        return config.to_torch_dtype(dtype)
    return result_type(getattr(start, "dtype", type(start)), getattr(stop, "dtype", type(stop)), float)


def logspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, base: float = 10,
             dtype: Any = None, axis: int = 0) -> Tensor:
    """``base ** linspace(start, stop, num)``; array bounds give one sequence per element."""
    if axis != 0:
        raise ValueError(f"logspace: only `axis=0` is supported. Received: axis={axis}")
    dtype = _space_dtype(start, stop, dtype)
    if not endpoint:
        stop = stop - (stop - start) / num
    if hasattr(start, "__len__") and hasattr(stop, "__len__"):
        start_t, stop_t = _t(start, dtype=dtype), _t(stop, dtype=dtype)
        steps = torch.arange(num, dtype=dtype, device=start_t.device) / (num - 1)
        steps = steps.reshape((num,) + (1,) * start_t.ndim)
        return base ** (start_t[None] + steps * (stop_t - start_t)[None])
    compute = torch.float32 if dtype == torch.float16 else dtype
    start = start.item() if isinstance(start, Tensor) else start
    stop = stop.item() if isinstance(stop, Tensor) else stop
    return torch.logspace(start, stop, steps=num, base=base, dtype=compute, device=_device()).to(dtype)


def geomspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, dtype: Any = None,
              axis: int = 0) -> Tensor:
    """Numbers evenly spaced on a log scale from ``start`` to ``stop`` (signs kept)."""
    if axis != 0:
        raise ValueError(f"geomspace: only `axis=0` is supported. Received: axis={axis}")
    dtype = _space_dtype(start, stop, dtype)
    start_t, stop_t = _t(start, dtype=dtype), _t(stop, dtype=dtype)
    log_start, log_stop = torch.log10(torch.abs(start_t)), torch.log10(torch.abs(stop_t))
    return logspace(log_start, log_stop, num=num, endpoint=endpoint, base=10, dtype=dtype) * torch.sign(start_t)


# ---------------------------------------------------------------- windows

def _window(op: str, x: Any) -> int:
    n = int(_t(x).item()) if not isinstance(x, int) else x
    if n < 0:
        raise ValueError(f"{op}: the window length must be non-negative. Received: {n}")
    return n


def bartlett(x: Any) -> Tensor:
    return torch.signal.windows.bartlett(_window("bartlett", x), device=_device())


def blackman(x: Any) -> Tensor:
    return torch.signal.windows.blackman(_window("blackman", x), device=_device())


def hamming(x: Any) -> Tensor:
    return torch.signal.windows.hamming(_window("hamming", x), device=_device())


def hanning(x: Any) -> Tensor:
    return torch.signal.windows.hann(_window("hanning", x), device=_device())


def kaiser(x: Any, beta: float) -> Tensor:
    return torch.signal.windows.kaiser(_window("kaiser", x), beta=float(beta), device=_device())


# ---------------------------------------------------------------- splitting, stacking, flipping

def _sections(indices_or_sections: Any) -> Any:
    if isinstance(indices_or_sections, int):
        return indices_or_sections
    return [int(i) for i in (_t(indices_or_sections).tolist()
                             if isinstance(indices_or_sections, Tensor) else indices_or_sections)]


def array_split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[Tensor]:
    """Like ``split`` but an int need not divide the axis: the first parts get one more."""
    return list(torch.tensor_split(_t(x), _sections(indices_or_sections), dim=axis))


def hsplit(x: Any, indices_or_sections: Any) -> list[Tensor]:
    return list(torch.hsplit(_t(x), _sections(indices_or_sections)))


def vsplit(x: Any, indices_or_sections: Any) -> list[Tensor]:
    return list(torch.vsplit(_t(x), _sections(indices_or_sections)))


def dsplit(x: Any, indices_or_sections: Any) -> list[Tensor]:
    return list(torch.dsplit(_t(x), _sections(indices_or_sections)))


def dstack(xs: Any) -> Tensor:
    tensors = [_t(x) for x in xs]
    return torch.dstack(tensors)  # torch's own promotion, as Keras on torch (no 64-bit narrowing)


def fliplr(x: Any) -> Tensor:
    return torch.fliplr(_t(x))


def flipud(x: Any) -> Tensor:
    return torch.flipud(_t(x))


def rot90(array: Any, k: int = 1, axes: Any = (0, 1)) -> Tensor:
    x = _t(array)
    if x.ndim < 2:
        raise ValueError(f"rot90: `array` must have at least 2 dimensions. Received: array.ndim={x.ndim}")
    if len(axes) != 2 or axes[0] == axes[1]:
        raise ValueError(f"rot90: `axes` must be two different axes. Received: axes={axes}")
    dims = tuple(a % x.ndim if -x.ndim <= a < x.ndim else a for a in axes)
    if not builtins.all(0 <= a < x.ndim for a in dims):
        raise ValueError(f"rot90: axes {axes} are out of range for a tensor of rank {x.ndim}.")
    return torch.rot90(x, k=k, dims=dims)


def diff(a: Any, n: int = 1, axis: int = -1) -> Tensor:
    return torch.diff(_t(a), n=n, dim=axis)


# ---------------------------------------------------------------- products

def inner(x1: Any, x2: Any) -> Tensor:
    a, b = _t(x1), _t(x2)
    out = result_type(a.dtype, b.dtype)
    compute = result_type(out, float)
    if compute == torch.float16:
        compute = torch.float32
    return torch.inner(a.to(compute), b.to(a.device, compute)).to(out)


def vdot(x1: Any, x2: Any) -> Tensor:
    a, b = _t(x1), _t(x2)
    out = result_type(a.dtype, b.dtype)
    compute = result_type(out, float)
    if compute == torch.float16:
        compute = torch.float32
    return torch.vdot(a.reshape(-1).to(compute), b.reshape(-1).to(a.device, compute)).to(out)


def kron(x1: Any, x2: Any) -> Tensor:
    a, b = _t(x1), _t(x2)
    return torch.kron(a, b.to(a.device))


def cross(x1: Any, x2: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis: int | None = None) -> Tensor:
    """Cross product of 3-vectors along ``axis`` (``axisa``/``axisb``/``axisc`` move the vector axes)."""
    a, b = _t(x1), _t(x2)
    b = b.to(a.device)
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = torch.movedim(a, axisa, -1), torch.movedim(b, axisb, -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError("cross: the vector axes must have size 2 or 3. "
                         f"Received shapes {tuple(a.shape)} and {tuple(b.shape)}")
    dtype = result_type(a.dtype, b.dtype)
    compute = torch.float32 if dtype == torch.float16 else dtype
    a, b = a.to(compute), b.to(compute)
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return (a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]).to(dtype)
    if a.shape[-1] == 2:
        a = torch.nn.functional.pad(a, (0, 1))
    if b.shape[-1] == 2:
        b = torch.nn.functional.pad(b, (0, 1))
    shape = torch.broadcast_shapes(a.shape, b.shape)
    out = torch.linalg.cross(a.expand(shape), b.expand(shape), dim=-1)
    return torch.movedim(out, -1, axisc).to(dtype)


# ---------------------------------------------------------------- indexing and selection

def get_item(x: Any, key: Any) -> Any:
    """``x[key]``."""
    return _t(x)[key]


def isin(x1: Any, x2: Any, assume_unique: bool = False, invert: bool = False) -> Tensor:
    a, b = _t(x1), _t(x2)
    b = b.to(a.device)
    if a.dtype == torch.bool and b.dtype == torch.bool:
        a, b = a.to(torch.int32), b.to(torch.int32)
    elif a.dtype == torch.bool:
        a = a.to(b.dtype)
    elif b.dtype == torch.bool:
        b = b.to(a.dtype)
    return torch.isin(a, b, assume_unique=assume_unique, invert=invert)


def nonzero(x: Any) -> Tensor:
    """Indices of non-zero entries as an int32 tensor of shape ``(ndim, count)``."""
    return torch.nonzero(_t(x)).T.to(torch.int32)


def select(condlist: Any, choicelist: Any, default: Any = 0) -> Tensor:
    """The first choice whose condition holds, per element; ``default`` where none does."""
    if len(condlist) != len(choicelist):
        raise ValueError("select: `condlist` and `choicelist` must have the same length. "
                         f"Received: {len(condlist)} conditions and {len(choicelist)} choices")
    if not condlist:
        raise ValueError("select: `condlist` must not be empty.")
    conds = [_t(c) for c in condlist]
    choices = [_t(c) for c in choicelist]
    out = _t(default, device=choices[0].device)
    for c, v in reversed(list(zip(conds, choices))):
        out = torch.where(c.to(v.device), v, out)
    return out


def unravel_index(indices: Any, shape: Any) -> tuple[Tensor, ...]:
    idx = _t(indices)
    dtype = result_type(idx.dtype)
    return tuple(i.to(dtype) for i in torch.unravel_index(idx, tuple(int(s) for s in shape)))


def view(x: Any, dtype: Any = None) -> Tensor:
    """The bits of ``x`` reinterpreted as ``dtype`` (the last axis rescales with the itemsize)."""
    x = _t(x)
    return x if dtype is None else x.view(config.to_torch_dtype(dtype))


def slogdet(x: Any) -> tuple[Tensor, Tensor]:
    """Sign and natural log of the absolute determinant."""
    sign, logabs = torch.linalg.slogdet(_t(x))
    return sign, logabs


# ---------------------------------------------------------------- vectorize

_DIMS = r"\w+"
_CORE = rf"\((?:{_DIMS}(?:,{_DIMS})*)?\)"
_SIGNATURE = re.compile(rf"^{_CORE}(?:,{_CORE})*->{_CORE}(?:,{_CORE})*$")


def _parse_signature(signature: str) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    compact = signature.replace(" ", "")
    if not _SIGNATURE.match(compact):
        raise ValueError(f"vectorize: not a valid gufunc signature: {signature!r}. "
                         "Expected e.g. '(n),(n)->()'.")
    inputs, outputs = compact.split("->")

    def parse(part: str) -> list[tuple[str, ...]]:
        return [tuple(d for d in group.split(",") if d) for group in re.findall(r"\((.*?)\)", part)]

    return parse(inputs), parse(outputs)


def vectorize(pyfunc: Callable, *, excluded: Any = None, signature: str | None = None) -> Callable:
    """Turn ``pyfunc`` on core slices into a function broadcasting over the leading (loop) axes.

    Without ``signature`` every argument's core is a scalar. ``excluded`` names positional
    indices or keywords passed through unvectorized.
    """
    excluded = set(excluded or ())
    in_cores, out_cores = _parse_signature(signature) if signature is not None else (None, None)

    @functools.wraps(pyfunc)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        fixed_kwargs = {k: v for k, v in kwargs.items() if k in excluded}
        mapped_kwargs = {k: v for k, v in kwargs.items() if k not in excluded}
        if mapped_kwargs:
            raise ValueError("vectorize: keyword arguments must be listed in `excluded`. "
                             f"Received: {sorted(mapped_kwargs)}")
        positions = [i for i in range(len(args)) if i not in excluded and args[i] is not None]
        tensors = [_t(args[i]) for i in positions]
        cores = in_cores if in_cores is not None else [()] * len(tensors)
        if len(cores) != len(tensors):
            raise TypeError(f"vectorize: the signature expects {len(cores)} inputs, got {len(tensors)}.")
        loop_shapes = [t.shape[:t.ndim - len(c)] for t, c in zip(tensors, cores)]
        batch = torch.broadcast_shapes(*loop_shapes) if loop_shapes else torch.Size()
        flat = [t.expand(batch + t.shape[t.ndim - len(c):]).reshape((-1,) + tuple(t.shape[t.ndim - len(c):]))
                for t, c in zip(tensors, cores)]

        def call(*slices: Tensor) -> Any:
            full = list(args)
            for i, s in zip(positions, slices):
                full[i] = s
            return pyfunc(*full, **fixed_kwargs)

        outputs = torch.vmap(call)(*flat) if flat else call()
        single = not isinstance(outputs, (tuple, list))
        result = [o.reshape(batch + o.shape[1:]) for o in ((outputs,) if single else outputs)]
        if out_cores is not None and len(out_cores) != len(result):
            raise ValueError(f"vectorize: `pyfunc` returned {len(result)} outputs, the signature "
                             f"declares {len(out_cores)}.")
        return result[0] if single else tuple(result)

    return wrapped


wrap_public_ops(globals(), exclude=("vectorize",))
