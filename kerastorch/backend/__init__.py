"""``keras.backend`` (``K``): the Keras 2 backend functions old scripts and custom layers call.

Keras 3 dropped most of these in favour of ``keras.ops``; here they are thin torch
implementations with Keras 2 signatures and defaults (``K.concatenate`` joins on axis -1,
``K.sqrt`` clips negatives, ``K.binary_crossentropy`` adds epsilon inside the log).
The façade sits above ``ops`` and ``activations`` and imports them at module level; the
settings it re-exports (``floatx``, ``epsilon`` ...) live in ``kerastorch._core``, below ``ops``.
"""
from __future__ import annotations

import gc
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from kerastorch import ops as _ops_module
from kerastorch._core.config import (  # noqa: F401 - public re-exports
    backend,
    dtype_name,
    epsilon,
    floatx,
    get_device,
    image_data_format,
    set_device,
    set_epsilon,
    set_floatx,
    set_image_data_format,
    standardize_data_format,
    to_torch_dtype,
)
from kerastorch._core.naming import reset_uids as _reset_name_uids
from kerastorch._core.scopes import name_scope  # noqa: F401 - K.name_scope
from kerastorch.activations.activations import relu as _relu
from kerastorch.backend.dtypes import is_float_dtype, is_int_dtype, result_type, standardize_dtype  # noqa: F401 - public
from kerastorch.backend.keras2 import (  # noqa: F401 - the rest of Keras 2's K.* set
    batch_normalization,
    categorical_focal_crossentropy,
    conv1d,
    conv2d,
    conv2d_transpose,
    conv3d,
    ctc_batch_cost,
    ctc_decode,
    depthwise_conv2d,
    foldl,
    foldr,
    function,
    gradients,
    in_top_k,
    is_sparse,
    learning_phase_scope,
    map_fn,
    moving_average_update,
    normalize_batch_in_training,
    pool2d,
    pool3d,
    resize_images,
    resize_volumes,
    reverse,
    rnn,
    scoped_learning_phase,
    separable_conv2d,
    spatial_2d_padding,
    spatial_3d_padding,
    temporal_padding,
    to_dense,
    truncated_normal,
    update,
    update_add,
    update_sub,
)
from kerastorch.ops.core import convert_to_numpy as _convert_to_numpy
from kerastorch.ops.core import convert_to_tensor as _convert_to_tensor

Tensor = torch.Tensor
_GET_UID_COUNTS: dict[str, int] = {}


def _t(x: Any, dtype: Any = None) -> Tensor:
    return _convert_to_tensor(x, dtype=dtype)


def _ops():
    return _ops_module


def _floatx_dtype() -> torch.dtype:
    return to_torch_dtype(floatx())


def _as_float(x: Any) -> Tensor:
    x = _t(x)
    return x if x.is_floating_point() else x.to(_floatx_dtype())


# ---------------------------------------------------------------- session and phase

def clear_session(free_memory: bool = True) -> None:
    """Reset layer auto-naming (``dense``, ``dense_1`` ...) and free cached memory."""
    _reset_name_uids()
    _GET_UID_COUNTS.clear()
    if free_memory:
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()


def get_uid(prefix: str = "") -> int:
    """Keras 2's per-prefix counter: 1, 2, 3 ..."""
    _GET_UID_COUNTS[prefix] = _GET_UID_COUNTS.get(prefix, 0) + 1
    return _GET_UID_COUNTS[prefix]


def reset_uids() -> None:
    _GET_UID_COUNTS.clear()
    _reset_name_uids()


def learning_phase() -> int:
    """0 (inference), or the value of an enclosing ``learning_phase_scope``.

    Training mode is the ``training`` argument that ``fit`` passes to layers.
    """
    scoped = scoped_learning_phase()
    return 0 if scoped is None else scoped


def set_learning_phase(value: int) -> None:
    warnings.warn("`set_learning_phase` has no effect in kerastorch: pass `training=True/False` "
                  "to layers, or use fit()/predict(), which set it for you.", stacklevel=2)


# ---------------------------------------------------------------- introspection

def is_tensor(x: Any) -> bool:
    return isinstance(x, Tensor)


def is_keras_tensor(x: Any) -> bool:
    """Whether ``x`` is a symbolic tensor of the functional API (not an eager torch tensor)."""
    return type(x).__name__ == "KerasTensor"


def int_shape(x: Any) -> tuple:
    """The shape as a tuple of Python ints (None for unknown dims of symbolic tensors)."""
    if hasattr(x, "shape"):
        return tuple(None if d is None else int(d) for d in x.shape)
    return tuple(_t(x).shape)


def shape(x: Any) -> Tensor:
    """The shape as an int32 tensor, like ``tf.shape``; ``K.shape(x)[0]`` is the batch size."""
    return torch.tensor(tuple(_t(x).shape), dtype=torch.int32)


def ndim(x: Any) -> int:
    return len(int_shape(x))


def dtype(x: Any) -> str:
    return dtype_name(_t(x).dtype)


def count_params(x: Any) -> int:
    return int(_t(x).numel())


# ---------------------------------------------------------------- creation and values

def variable(value: Any, dtype: Any = None, name: str | None = None, constraint: Any = None) -> Tensor:
    """A weight-like tensor (an ``nn.Parameter``, so a Layer attribute is tracked as a weight)."""
    source = value.detach() if isinstance(value, Tensor) else np.array(value)
    tensor = _t(source, dtype=dtype if dtype is not None else floatx()).clone()
    return torch.nn.Parameter(tensor, requires_grad=tensor.is_floating_point())


def constant(value: Any, dtype: Any = None, shape: Any = None, name: str | None = None) -> Tensor:
    tensor = _t(value, dtype=dtype if dtype is not None else floatx())
    if shape is not None:
        tensor = torch.broadcast_to(tensor, tuple(shape)).clone()
    return tensor


def zeros(shape: Any, dtype: Any = None, name: str | None = None) -> Tensor:
    return _ops().zeros(shape, dtype=dtype)


def ones(shape: Any, dtype: Any = None, name: str | None = None) -> Tensor:
    return _ops().ones(shape, dtype=dtype)


def eye(size: Any, dtype: Any = None, name: str | None = None) -> Tensor:
    if isinstance(size, (list, tuple)):
        return _ops().eye(size[0], size[1], dtype=dtype)
    return _ops().eye(size, dtype=dtype)


def zeros_like(x: Any, dtype: Any = None, name: str | None = None) -> Tensor:
    return _ops().zeros_like(x, dtype=dtype)


def ones_like(x: Any, dtype: Any = None, name: str | None = None) -> Tensor:
    return _ops().ones_like(x, dtype=dtype)


def _generator(seed: int | None) -> torch.Generator | None:
    return None if seed is None else torch.Generator().manual_seed(int(seed))


def random_uniform(shape: Any, minval: float = 0.0, maxval: float = 1.0, dtype: Any = None,
                   seed: int | None = None) -> Tensor:
    values = torch.empty(tuple(shape)).uniform_(minval, maxval, generator=_generator(seed))
    return values.to(device=get_device(), dtype=to_torch_dtype(dtype))


def random_normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
                  seed: int | None = None) -> Tensor:
    values = torch.empty(tuple(shape)).normal_(mean, stddev, generator=_generator(seed))
    return values.to(device=get_device(), dtype=to_torch_dtype(dtype))


def random_bernoulli(shape: Any, p: float = 0.0, dtype: Any = None, seed: int | None = None) -> Tensor:
    values = torch.empty(tuple(shape)).uniform_(generator=_generator(seed)) < p
    return values.to(device=get_device(), dtype=to_torch_dtype(dtype))


def get_value(x: Any) -> Any:
    """A NumPy value of ``x``: tensors, variables, or objects with ``.numpy()`` (e.g. a learning rate)."""
    if isinstance(x, Tensor):
        return _convert_to_numpy(x)
    if hasattr(x, "numpy"):
        return x.numpy()
    if isinstance(getattr(x, "value", None), Tensor):
        return get_value(x.value)
    return np.asarray(x)


def batch_get_value(tensors: Sequence) -> list:
    return [get_value(x) for x in tensors]


def eval(x: Any) -> Any:  # noqa: A001 - Keras name
    return get_value(x)


def set_value(x: Any, value: Any) -> None:
    """Overwrite a tensor/Parameter in place (or call ``x.assign(value)`` on variable-like objects)."""
    if isinstance(x, Tensor):
        with torch.no_grad():
            x.copy_(torch.as_tensor(np.asarray(value) if not isinstance(value, Tensor) else value,
                                    dtype=x.dtype).to(x.device))
        return
    if hasattr(x, "assign"):
        x.assign(value)
        return
    raise TypeError(f"`set_value` needs a tensor or an object with `.assign()`; received "
                    f"{type(x).__name__}. For a plain attribute such as a learning rate given as a "
                    "float, set the attribute directly (e.g. `optimizer.learning_rate = 1e-3`).")


def batch_set_value(tuples: Sequence) -> None:
    for x, value in tuples:
        set_value(x, value)


def cast_to_floatx(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=floatx() if floatx() != "bfloat16" else "float32")


def cast(x: Any, dtype: Any) -> Tensor:
    return _t(x).to(to_torch_dtype(dtype))


def stop_gradient(variables: Any) -> Any:
    if isinstance(variables, (list, tuple)):
        return [stop_gradient(v) for v in variables]
    return _t(variables).detach()


def print_tensor(x: Any, message: str = "", summarize: int = 3) -> Any:
    print(message, x)
    return x


# ---------------------------------------------------------------- reductions and math

def _axis(axis: Any) -> Any:
    return tuple(axis) if isinstance(axis, list) else axis


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return torch.mean(_as_float(x), dim=_axis(axis), keepdim=keepdims)


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001 - Keras name
    return _ops().sum(x, axis=_axis(axis), keepdims=keepdims)


def max(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001 - Keras name
    return _ops().max(x, axis=_axis(axis), keepdims=keepdims)


def min(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001 - Keras name
    return _ops().min(x, axis=_axis(axis), keepdims=keepdims)


def prod(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return _ops().prod(x, axis=_axis(axis), keepdims=keepdims)


def std(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return _ops().std(x, axis=_axis(axis), keepdims=keepdims)


def var(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return _ops().var(x, axis=_axis(axis), keepdims=keepdims)


def any(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001 - Keras name
    return _ops().any(x, axis=_axis(axis), keepdims=keepdims)


def all(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001 - Keras name
    return _ops().all(x, axis=_axis(axis), keepdims=keepdims)


def argmax(x: Any, axis: int = -1) -> Tensor:
    return torch.argmax(_t(x), dim=axis)


def argmin(x: Any, axis: int = -1) -> Tensor:
    return torch.argmin(_t(x), dim=axis)


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return _ops().logsumexp(x, axis=_axis(axis), keepdims=keepdims)


def cumsum(x: Any, axis: int = 0) -> Tensor:
    return torch.cumsum(_t(x), dim=axis)


def cumprod(x: Any, axis: int = 0) -> Tensor:
    return torch.cumprod(_t(x), dim=axis)


def square(x: Any) -> Tensor:
    return torch.square(_t(x))


def sqrt(x: Any) -> Tensor:
    """Keras 2 clips negatives to 0 first, so ``K.sqrt`` never returns NaN."""
    return torch.sqrt(torch.clamp(_as_float(x), min=0.0))


def exp(x: Any) -> Tensor:
    return torch.exp(_as_float(x))


def log(x: Any) -> Tensor:
    return torch.log(_as_float(x))


def abs(x: Any) -> Tensor:  # noqa: A001 - Keras name
    return torch.abs(_t(x))


def sign(x: Any) -> Tensor:
    return torch.sign(_t(x))


def round(x: Any) -> Tensor:  # noqa: A001 - Keras name
    return torch.round(_t(x))


def pow(x: Any, a: Any) -> Tensor:  # noqa: A001 - Keras name
    return torch.pow(_t(x), a)


def sin(x: Any) -> Tensor:
    return torch.sin(_as_float(x))


def cos(x: Any) -> Tensor:
    return torch.cos(_as_float(x))


def clip(x: Any, min_value: Any, max_value: Any) -> Tensor:
    """Keras 2 rules: ``max_value=None`` means no upper bound; ``max_value < min_value`` uses ``min_value``."""
    if max_value is not None and min_value is not None and max_value < min_value:
        max_value = min_value
    return torch.clamp(_t(x), min=min_value, max=max_value)


def maximum(x: Any, y: Any) -> Tensor:
    return _ops().maximum(x, y)


def minimum(x: Any, y: Any) -> Tensor:
    return _ops().minimum(x, y)


def equal(x: Any, y: Any) -> Tensor:
    return _ops().equal(x, y)


def not_equal(x: Any, y: Any) -> Tensor:
    return _ops().not_equal(x, y)


def greater(x: Any, y: Any) -> Tensor:
    return _ops().greater(x, y)


def greater_equal(x: Any, y: Any) -> Tensor:
    return _ops().greater_equal(x, y)


def less(x: Any, y: Any) -> Tensor:
    return _ops().less(x, y)


def less_equal(x: Any, y: Any) -> Tensor:
    return _ops().less_equal(x, y)


def switch(condition: Any, then_expression: Any, else_expression: Any) -> Any:
    """``then`` where ``condition`` else ``else``; callables are called first, as in Keras 2."""
    then_value = then_expression() if callable(then_expression) else then_expression
    else_value = else_expression() if callable(else_expression) else else_expression
    cond = _t(condition)
    if cond.ndim == 0:
        return then_value if bool(cond) else else_value
    return _ops().where(cond, then_value, else_value)


def l2_normalize(x: Any, axis: Any = None) -> Tensor:
    """``x / sqrt(max(sum(x^2), 1e-12))``, as ``tf.math.l2_normalize``."""
    x = _as_float(x)
    square_sum = torch.sum(torch.square(x), dim=_axis(axis), keepdim=True)
    return x * torch.rsqrt(torch.clamp(square_sum, min=1e-12))


# ---------------------------------------------------------------- linear algebra

def dot(x: Any, y: Any) -> Tensor:
    """NumPy-style dot: ``(..., k) . (..., k, n)`` sums ``x``'s last axis with ``y``'s second-to-last."""
    return _ops().dot(x, y)


def batch_dot(x: Any, y: Any, axes: Any = None) -> Tensor:
    """Per-sample dot product of two batched tensors over ``axes`` (Keras 2 semantics).

    Rank-2 inputs give a ``(batch, 1)`` result, e.g. ``(32, 20) . (32, 20) -> (32, 1)``.
    """
    x, y = _ops().numpy._promoted(_t(x), _t(y))
    x_ndim, y_ndim = x.ndim, y.ndim
    if x_ndim < 2 or y_ndim < 2:
        raise ValueError(f"batch_dot needs tensors of rank >= 2. Received: x.shape={tuple(x.shape)}, "
                         f"y.shape={tuple(y.shape)}")
    if axes is None:
        axes = [x_ndim - 1, y_ndim - 1 if y_ndim == 2 else y_ndim - 2]
    elif isinstance(axes, int):
        axes = [axes, axes]
    a0 = axes[0] % x_ndim
    a1 = axes[1] % y_ndim
    if a0 == 0 or a1 == 0:
        raise ValueError(f"Cannot perform batch_dot over axis 0 (the batch axis). Received: axes={axes}")
    if x.shape[a0] != y.shape[a1]:
        raise ValueError(f"Cannot do batch_dot on inputs with shapes {tuple(x.shape)} and "
                         f"{tuple(y.shape)} with axes={axes}: {x.shape[a0]} != {y.shape[a1]}.")
    # Bring the summed axis of x last and that of y to position 1, then batch-matmul.
    x = torch.movedim(x, a0, -1)
    y = torch.movedim(y, a1, 1)
    x_mid, y_rest = x.shape[1:-1], y.shape[2:]
    x3 = x.reshape(x.shape[0], -1, x.shape[-1])
    y3 = y.reshape(y.shape[0], y.shape[1], -1)
    out = torch.bmm(x3, y3).reshape((x.shape[0],) + tuple(x_mid) + tuple(y_rest))
    if out.ndim == 1:  # both were rank 2: Keras 2 keeps a trailing unit axis
        out = out.unsqueeze(-1)
    return out


def transpose(x: Any) -> Tensor:
    return _ops().transpose(x)


def permute_dimensions(x: Any, pattern: Sequence[int]) -> Tensor:
    return _t(x).permute(*pattern)


# ---------------------------------------------------------------- shapes

def concatenate(tensors: Sequence, axis: int = -1) -> Tensor:
    return _ops().concatenate(tensors, axis=axis)


def stack(x: Sequence, axis: int = 0) -> Tensor:
    return _ops().stack(x, axis=axis)


def reshape(x: Any, shape: Any) -> Tensor:
    return torch.reshape(_t(x), tuple(int(d) for d in shape))


def expand_dims(x: Any, axis: int = -1) -> Tensor:
    return torch.unsqueeze(_t(x), axis)


def squeeze(x: Any, axis: int) -> Tensor:
    return torch.squeeze(_t(x), dim=axis)


def flatten(x: Any) -> Tensor:
    return torch.reshape(_t(x), (-1,))


def batch_flatten(x: Any) -> Tensor:
    x = _t(x)
    return torch.reshape(x, (x.shape[0], -1))


def repeat(x: Any, n: int) -> Tensor:
    """``(batch, dim) -> (batch, n, dim)``."""
    x = _t(x)
    if x.ndim != 2:
        raise ValueError(f"K.repeat expects a 2D tensor. Received: shape={tuple(x.shape)}")
    return x.unsqueeze(1).expand(-1, n, -1).clone()


def repeat_elements(x: Any, rep: int, axis: int) -> Tensor:
    return torch.repeat_interleave(_t(x), rep, dim=axis)


def tile(x: Any, n: Any) -> Tensor:
    return torch.tile(_t(x), (n,) if isinstance(n, int) else tuple(n))


def gather(reference: Any, indices: Any) -> Tensor:
    return _ops().take(reference, indices, axis=0)


def one_hot(indices: Any, num_classes: int) -> Tensor:
    return _ops().one_hot(indices, num_classes)


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: Any = "int32") -> Tensor:
    return _ops().arange(start, stop, step, dtype=dtype)


def bias_add(x: Any, bias: Any, data_format: str | None = None) -> Tensor:
    x, bias = _t(x), _t(bias)
    if standardize_data_format(data_format) == "channels_first" and x.ndim > 2:
        bias = bias.reshape(bias.shape[:1] + (1,) * (x.ndim - 2) + tuple(bias.shape[1:]))
    return x + bias


# ---------------------------------------------------------------- activations and losses

def relu(x: Any, alpha: float = 0.0, max_value: float | None = None, threshold: float = 0.0) -> Tensor:
    return _relu(x, negative_slope=alpha, max_value=max_value, threshold=threshold)


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    return _ops().elu(x, alpha=alpha)


def sigmoid(x: Any) -> Tensor:
    return _ops().sigmoid(x)


def hard_sigmoid(x: Any) -> Tensor:
    """Keras 2's ``clip(0.2 x + 0.5, 0, 1)``."""
    return torch.clamp(0.2 * _as_float(x) + 0.5, 0.0, 1.0)


def tanh(x: Any) -> Tensor:
    return torch.tanh(_as_float(x))


def softmax(x: Any, axis: int = -1) -> Tensor:
    return _ops().softmax(x, axis=axis)


def softplus(x: Any) -> Tensor:
    return _ops().softplus(x)


def softsign(x: Any) -> Tensor:
    return _ops().softsign(x)


def categorical_crossentropy(target: Any, output: Any, from_logits: bool = False, axis: int = -1) -> Tensor:
    return _ops().categorical_crossentropy(target, output, from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                                    axis: int = -1) -> Tensor:
    return _ops().sparse_categorical_crossentropy(target, output, from_logits=from_logits, axis=axis)


def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> Tensor:
    """Keras 2 formula: clip to ``[eps, 1 - eps]``, then ``-(t log(p + eps) + (1 - t) log(1 - p + eps))``."""
    output = _as_float(output)
    target = _t(target).to(device=output.device, dtype=output.dtype)
    if from_logits:
        return torch.nn.functional.binary_cross_entropy_with_logits(output, target, reduction="none")
    eps = epsilon()
    output = torch.clamp(output, eps, 1.0 - eps)
    return -(target * torch.log(output + eps) + (1.0 - target) * torch.log(1.0 - output + eps))


def dropout(x: Any, level: float, noise_shape: Any = None, seed: int | None = None) -> Tensor:
    return _ops().nn.dropout(x, level, noise_shape=noise_shape, seed=seed)


def in_train_phase(x: Any, alt: Any, training: Any = None) -> Any:
    """``x`` when training, else ``alt``; ``training=None`` means the (always 0) learning phase."""
    if training is None:
        training = learning_phase()
    chosen = x if bool(training) else alt
    return chosen() if callable(chosen) else chosen


def in_test_phase(x: Any, alt: Any, training: Any = None) -> Any:
    return in_train_phase(alt, x, training=training)


# Keras 2 names with no torch meaning raise a message naming the alternative (kerastorch/_unsupported.py).
from kerastorch._unsupported import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr(__name__)


# Keras 2 functions built on the ones above (kept here: keras2.py cannot import this package's __init__)
def binary_focal_crossentropy(target: Any, output: Any, apply_class_balancing: bool = False, alpha: float = 0.25,
                              gamma: float = 2.0, from_logits: bool = False) -> Tensor:
    """Element-wise focal loss: ``(1 - p_t) ** gamma`` times the binary cross-entropy."""
    output = _t(output)
    target = _t(target).to(output.dtype)
    if from_logits:
        output = torch.sigmoid(output)
    bce = binary_crossentropy(target, output)
    p_t = target * output + (1 - target) * (1 - output)
    loss = torch.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        loss = (target * alpha + (1 - target) * (1 - alpha)) * loss
    return loss


def random_binomial(shape: Any, p: float = 0.0, dtype: Any = None, seed: int | None = None) -> Tensor:
    """Keras 2's name for ``random_bernoulli``: 1 with probability ``p``."""
    return random_bernoulli(shape, p=p, dtype=dtype, seed=seed)


def random_normal_variable(shape: Any, mean: float, scale: float, dtype: Any = None, name: str | None = None,
                           seed: int | None = None) -> Tensor:
    return variable(random_normal(shape, mean=mean, stddev=scale, dtype=dtype, seed=seed), dtype=dtype, name=name)


def random_uniform_variable(shape: Any, low: float, high: float, dtype: Any = None, name: str | None = None,
                            seed: int | None = None) -> Tensor:
    return variable(random_uniform(shape, minval=low, maxval=high, dtype=dtype, seed=seed), dtype=dtype, name=name)
