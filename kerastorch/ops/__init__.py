"""``keras.ops`` on torch tensors: ``from kerastorch import ops; ops.matmul(a, b)``.

The functions live in submodules named like Keras's (``ops.numpy``, ``ops.nn``, ``ops.math``,
``ops.linalg``, ``ops.core``, ``ops.image``, ``ops.einops``); this package re-exports them flat,
as ``keras.ops`` does (except ``ops.image``, which like Keras's stays a namespace only).
"""
from kerastorch.ops.core import (  # noqa: F401
    cast, cond, convert_to_numpy, convert_to_tensor, dtype, fori_loop, is_tensor, map, scatter,
    scatter_update, shape, slice, slice_update, stop_gradient, unstack, vectorized_map,
    while_loop,
)
from kerastorch.ops.numpy import (  # noqa: F401
    abs, absolute, add, all, amax, amin, any, append, arange, argmax, argmin, argsort, average,
    broadcast_to, ceil, clip, concatenate, copy, cos, count_nonzero, cumprod, cumsum, diag,
    diagonal, divide, divide_no_nan, dot, einsum, equal, exp, expand_dims, expm1, eye, flip,
    floor, floor_divide, full, full_like, greater, greater_equal, hstack, identity, isfinite,
    isinf, isnan, less, less_equal, linspace, log, log10, log1p, log2, logical_and, logical_not,
    logical_or, logical_xor, matmul, max, maximum, mean, meshgrid, min, minimum, mod, moveaxis,
    multiply, nan_to_num, ndim, negative, not_equal, ones, ones_like, outer, pad, power, prod,
    ravel, reciprocal, repeat, reshape, roll, round, sign, sin, size, sort, split, sqrt, square,
    squeeze, stack, std, subtract, sum, swapaxes, take, take_along_axis, tan, tanh, tensordot,
    tile, trace, transpose, tril, triu, true_divide, unique, var, vstack, where, zeros,
    zeros_like,
)
from kerastorch.ops.nn import (  # noqa: F401
    batch_normalization, binary_crossentropy, categorical_crossentropy, celu, dropout, elu,
    gelu, glu, hard_shrink, hard_sigmoid, hard_silu, hard_swish, hard_tanh, leaky_relu,
    log_sigmoid, log_softmax, mish, moments, multi_hot, normalize, one_hot, relu, relu6, selu,
    sigmoid, silu, soft_shrink, softmax, softplus, softsign, sparse_categorical_crossentropy,
    sparse_plus, squareplus, swish, tanh_shrink, threshold,
)
from kerastorch.ops.math import (  # noqa: F401
    erf, erfinv, in_top_k, logsumexp, rsqrt, segment_max, segment_sum, top_k,
)
from kerastorch.ops.linalg import (  # noqa: F401
    cholesky, det, inv, norm, qr, solve,
)
from kerastorch.ops import core, einops, image, linalg, math, nn, numpy  # noqa: F401,E402


def _export_flat() -> None:
    # The sections added later are re-exported by walking their public callables, so the flat
    # namespace cannot drift from the submodules (the explicit imports above stay greppable).
    namespace = globals()
    for module in (core, numpy, nn, math, linalg, einops):
        for name in dir(module):
            value = getattr(module, name)
            if name.startswith("_") or name in namespace or not callable(value) or isinstance(value, type):
                continue
            if getattr(value, "__module__", "").startswith("kerastorch.ops"):
                namespace[name] = value


_export_flat()
del _export_flat
