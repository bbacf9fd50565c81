"""``keras.ops.linalg``: norms and the common matrix decompositions."""
from __future__ import annotations

from typing import Any

import torch

from kerastorch._core import config
from kerastorch.ops.core import convert_to_tensor, wrap_public_ops
from kerastorch.ops.numpy import _float
from kerastorch.ops.numpy._helpers import result_type as _result_type

Tensor = torch.Tensor


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Tensor:
    """``numpy.linalg.norm`` semantics: vector norms over one axis, matrix norms over two."""
    x = convert_to_tensor(x)
    # Keras: int64 gives floatx, everything else result_type(x, float) (float64 narrows to float32)
    x = x.to(config.to_torch_dtype(config.floatx()) if x.dtype == torch.int64 else _result_type(x.dtype, float))
    if isinstance(axis, list):
        axis = tuple(axis)
    return torch.linalg.norm(x, ord=ord, dim=axis, keepdim=keepdims)


def qr(x: Any, mode: str = "reduced") -> tuple[Tensor, Tensor]:
    return tuple(torch.linalg.qr(_float(x), mode=mode))


def inv(x: Any) -> Tensor:
    return torch.linalg.inv(_float(x))


def det(x: Any) -> Tensor:
    return torch.linalg.det(_float(x))


def solve(a: Any, b: Any) -> Tensor:
    a = _float(a)
    return torch.linalg.solve(a, convert_to_tensor(b, device=a.device).to(a.dtype))


def cholesky(x: Any, upper: bool = False) -> Tensor:
    return torch.linalg.cholesky(_float(x), upper=upper)



def cholesky_inverse(x: Any, upper: bool = False) -> Tensor:
    """The inverse of ``A`` from its Cholesky factor ``x`` (lower unless ``upper``)."""
    return torch.cholesky_inverse(_float(x), upper=upper)


def eig(x: Any) -> tuple[Tensor, Tensor]:
    """Eigenvalues and right eigenvectors of a general square matrix (complex)."""
    return tuple(torch.linalg.eig(_float(x)))


def eigh(x: Any) -> tuple[Tensor, Tensor]:
    """Eigenvalues (ascending) and eigenvectors of a symmetric/Hermitian matrix."""
    return tuple(torch.linalg.eigh(_float(x)))


def lu_factor(x: Any) -> tuple[Tensor, Tensor]:
    """Packed LU factorization and zero-based pivots (SciPy's convention, as Keras)."""
    lu, pivots = torch.linalg.lu_factor(_float(x))
    return lu, pivots - 1


def solve_triangular(a: Any, b: Any, lower: bool = False) -> Tensor:
    a = _float(a)
    b = convert_to_tensor(b, device=a.device).to(a.dtype)
    if b.ndim == a.ndim - 1:
        return torch.linalg.solve_triangular(a, b.unsqueeze(-1), upper=not lower).squeeze(-1)
    return torch.linalg.solve_triangular(a, b, upper=not lower)


def svd(x: Any, full_matrices: bool = True, compute_uv: bool = True) -> Any:
    """``(u, s, vh)``, or just the singular values when ``compute_uv=False``."""
    x = _float(x)
    if not compute_uv:
        return torch.linalg.svdvals(x)
    return tuple(torch.linalg.svd(x, full_matrices=full_matrices))


def lstsq(a: Any, b: Any, rcond: float | None = None) -> Tensor:
    """The least-squares solution of ``a @ x = b``."""
    a = _float(a)
    b = convert_to_tensor(b, device=a.device).to(a.dtype)
    vector = b.ndim == 1
    if vector:
        b = b.unsqueeze(-1)
    if rcond is not None:
        out = torch.linalg.lstsq(a, b, rcond=rcond, driver="gelsd").solution
    else:
        out = torch.linalg.lstsq(a, b).solution
    return out.squeeze(-1) if vector else out


def matrix_rank(x: Any, tol: float | None = None) -> Tensor:
    return torch.linalg.matrix_rank(_float(x), atol=tol).to(torch.int32)


def pinv(x: Any, rcond: float | None = None) -> Tensor:
    """Moore-Penrose pseudo-inverse; singular values below ``rcond * max`` count as zero."""
    return torch.linalg.pinv(_float(x), rtol=rcond)


def jvp(fun: Any, primals: Any, tangents: Any, has_aux: bool = False) -> Any:
    """``(fun(*primals), J @ tangents)`` (plus ``aux`` when ``has_aux``), forward-mode."""
    return torch.func.jvp(fun, tuple(primals), tuple(tangents), has_aux=has_aux)


wrap_public_ops(globals(), exclude=("jvp",))
