"""The rest of Keras 2's ``keras.backend`` (``K.conv2d``, ``K.rnn``, ``K.gradients``, ``K.function`` ...).

Old custom layers and training scripts call these; Keras 3 replaced them with ``keras.ops``.
Each keeps its Keras 2 signature, defaults and layout conventions (channels_last unless
``data_format`` says otherwise; Keras 2 kernel layouts) and runs eagerly on torch through
``kerastorch.ops``. Names that only meant something in TensorFlow 1's graph mode
(``placeholder``, ``get_session`` ...) are listed in ``kerastorch._unsupported`` with what to use
instead.
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from kerastorch import ops, random
from kerastorch._core import tree
from kerastorch._core.config import epsilon, floatx, standardize_data_format, to_torch_dtype
from kerastorch.graph.keras_tensor import KerasTensor
from kerastorch.graph.ordering import map_graph
from kerastorch.ops.core import convert_to_tensor

Tensor = torch.Tensor


def _ops():
    return ops


def _t(x: Any, dtype: Any = None) -> Tensor:
    return convert_to_tensor(x, dtype=dtype)


# ---------------------------------------------------------------- convolutions and pooling

def conv1d(x: Any, kernel: Any, strides: int = 1, padding: str = "valid", data_format: str | None = None,
           dilation_rate: int = 1) -> Tensor:
    """1D convolution; ``kernel`` is ``(width, in_channels, filters)``. ``padding="causal"`` pads on the left."""
    x = _t(x)
    if padding == "causal":
        left = dilation_rate * (_t(kernel).shape[0] - 1)
        pad = (0, 0, left, 0) if standardize_data_format(data_format) == "channels_last" else (left, 0)
        x = F.pad(x, pad)
        padding = "valid"
    return _ops().conv(x, kernel, strides=strides, padding=padding, data_format=data_format,
                       dilation_rate=dilation_rate)


def conv2d(x: Any, kernel: Any, strides: Any = (1, 1), padding: str = "valid", data_format: str | None = None,
           dilation_rate: Any = (1, 1)) -> Tensor:
    """2D convolution; ``kernel`` is ``(rows, cols, in_channels, filters)``."""
    return _ops().conv(x, kernel, strides=strides, padding=padding, data_format=data_format,
                       dilation_rate=dilation_rate)


def conv3d(x: Any, kernel: Any, strides: Any = (1, 1, 1), padding: str = "valid", data_format: str | None = None,
           dilation_rate: Any = (1, 1, 1)) -> Tensor:
    return _ops().conv(x, kernel, strides=strides, padding=padding, data_format=data_format,
                       dilation_rate=dilation_rate)


def conv2d_transpose(x: Any, kernel: Any, output_shape: Any, strides: Any = (1, 1), padding: str = "valid",
                     data_format: str | None = None, dilation_rate: Any = (1, 1)) -> Tensor:
    """Transposed 2D convolution to ``output_shape`` (batch included); kernel ``(rows, cols, out, in)``.

    As TensorFlow computes it: the full transposed convolution, cropped by the "same" padding that
    the forward convolution of ``output_shape`` would use (nothing for "valid"), zero-filled where
    ``output_shape`` reaches past it.
    """
    x = _t(x)
    kernel = _t(kernel).to(x.dtype)
    channels_last = standardize_data_format(data_format) == "channels_last"
    if padding not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same'. Received: padding={padding!r}")
    strides = (strides, strides) if isinstance(strides, int) else tuple(strides)
    dilation = (dilation_rate, dilation_rate) if isinstance(dilation_rate, int) else tuple(dilation_rate)
    nchw = x.permute(0, 3, 1, 2) if channels_last else x
    full = F.conv_transpose2d(nchw, kernel.permute(3, 2, 0, 1), stride=strides, dilation=dilation)
    target = tuple(int(v) for v in (output_shape[1:3] if channels_last else output_shape[2:4]))
    out = full
    for axis, size in enumerate(target):
        k_eff = (kernel.shape[axis] - 1) * dilation[axis] + 1
        n = nchw.shape[2 + axis]
        before = max((n - 1) * strides[axis] + k_eff - size, 0) // 2 if padding == "same" else 0
        out = out.narrow(2 + axis, before, min(size, out.shape[2 + axis] - before))
        if out.shape[2 + axis] < size:
            pad = [0, 0, 0, 0]
            pad[2 * (1 - axis) + 1] = size - out.shape[2 + axis]
            out = F.pad(out, pad)
    return out.permute(0, 2, 3, 1) if channels_last else out


def depthwise_conv2d(x: Any, depthwise_kernel: Any, strides: Any = (1, 1), padding: str = "valid",
                     data_format: str | None = None, dilation_rate: Any = (1, 1)) -> Tensor:
    return _ops().depthwise_conv(x, depthwise_kernel, strides=strides, padding=padding, data_format=data_format,
                                 dilation_rate=dilation_rate)


def separable_conv2d(x: Any, depthwise_kernel: Any, pointwise_kernel: Any, strides: Any = (1, 1),
                     padding: str = "valid", data_format: str | None = None, dilation_rate: Any = (1, 1)) -> Tensor:
    return _ops().separable_conv(x, depthwise_kernel, pointwise_kernel, strides=strides, padding=padding,
                                 data_format=data_format, dilation_rate=dilation_rate)


def _pool(x: Any, pool_size: Any, strides: Any, padding: str, data_format: str | None, pool_mode: str) -> Tensor:
    if pool_mode not in ("max", "avg"):
        raise ValueError(f"Invalid pool_mode: {pool_mode!r}. Expected 'max' or 'avg'.")
    pool = _ops().max_pool if pool_mode == "max" else _ops().average_pool
    return pool(x, pool_size, strides=strides, padding=padding, data_format=data_format)


def pool2d(x: Any, pool_size: Any, strides: Any = (1, 1), padding: str = "valid", data_format: str | None = None,
           pool_mode: str = "max") -> Tensor:
    return _pool(x, pool_size, strides, padding, data_format, pool_mode)


def pool3d(x: Any, pool_size: Any, strides: Any = (1, 1, 1), padding: str = "valid",
           data_format: str | None = None, pool_mode: str = "max") -> Tensor:
    return _pool(x, pool_size, strides, padding, data_format, pool_mode)


# ---------------------------------------------------------------- padding and resizing

def _spatial_pad(x: Any, padding: Sequence, data_format: str | None) -> Tensor:
    x = _t(x)
    channels_last = standardize_data_format(data_format) == "channels_last"
    pads = [(0, 0)] + [tuple(p) for p in padding] + [(0, 0)] if channels_last else \
        [(0, 0), (0, 0)] + [tuple(p) for p in padding]
    flat = [v for pair in reversed(pads) for v in pair]  # F.pad wants last axis first
    return F.pad(x, flat)


def temporal_padding(x: Any, padding: Any = (1, 1)) -> Tensor:
    """Pad the time axis (axis 1) of ``(batch, time, features)``."""
    return _spatial_pad(x, [padding], "channels_last")


def spatial_2d_padding(x: Any, padding: Any = ((1, 1), (1, 1)), data_format: str | None = None) -> Tensor:
    return _spatial_pad(x, padding, data_format)


def spatial_3d_padding(x: Any, padding: Any = ((1, 1), (1, 1), (1, 1)), data_format: str | None = None) -> Tensor:
    return _spatial_pad(x, padding, data_format)


def resize_images(x: Any, height_factor: int, width_factor: int, data_format: str | None,
                  interpolation: str = "nearest") -> Tensor:
    """Scale rows and columns by integer factors ("nearest" repeats pixels; "bilinear" interpolates)."""
    x = _t(x)
    channels_last = standardize_data_format(data_format) == "channels_last"
    if interpolation == "nearest":
        rows, cols = (1, 2) if channels_last else (2, 3)
        return torch.repeat_interleave(torch.repeat_interleave(x, height_factor, dim=rows), width_factor, dim=cols)
    if interpolation != "bilinear":
        raise ValueError(f"interpolation should be one of 'nearest', 'bilinear'. Received: {interpolation!r}")
    nchw = x.permute(0, 3, 1, 2) if channels_last else x
    out = F.interpolate(nchw.float() if not nchw.is_floating_point() else nchw,
                        scale_factor=(height_factor, width_factor), mode="bilinear", align_corners=False)
    return out.permute(0, 2, 3, 1) if channels_last else out


def resize_volumes(x: Any, depth_factor: int, height_factor: int, width_factor: int,
                   data_format: str | None) -> Tensor:
    x = _t(x)
    first = 1 if standardize_data_format(data_format) == "channels_last" else 2
    for offset, factor in enumerate((depth_factor, height_factor, width_factor)):
        x = torch.repeat_interleave(x, factor, dim=first + offset)
    return x


def reverse(x: Any, axes: Any) -> Tensor:
    return torch.flip(_t(x), dims=(axes,) if isinstance(axes, int) else tuple(axes))


# ---------------------------------------------------------------- normalization

def batch_normalization(x: Any, mean: Any, var: Any, beta: Any, gamma: Any, axis: int = -1,
                        epsilon: float = 1e-3) -> Tensor:
    """``(x - mean) / sqrt(var + epsilon) * gamma + beta`` (``beta``/``gamma`` may be None)."""
    x = _t(x)
    out = (x - _t(mean)) / torch.sqrt(_t(var) + epsilon)
    if gamma is not None:
        out = out * _t(gamma)
    if beta is not None:
        out = out + _t(beta)
    return out


def normalize_batch_in_training(x: Any, gamma: Any, beta: Any, reduction_axes: Sequence[int],
                                epsilon: float = 1e-3) -> tuple[Tensor, Tensor, Tensor]:
    """Normalize with the batch's own moments: ``(normalized, mean, variance)``."""
    x = _t(x)
    axes = tuple(reduction_axes)
    mean = torch.mean(x, dim=axes)
    var = torch.var(x, dim=axes, unbiased=False)
    keep = [1 if i in [a % x.ndim for a in axes] else x.shape[i] for i in range(x.ndim)]
    normed = batch_normalization(x, mean.reshape(keep), var.reshape(keep),
                                 None if beta is None else _t(beta).reshape(keep),
                                 None if gamma is None else _t(gamma).reshape(keep), epsilon=epsilon)
    return normed, mean, var


def moving_average_update(x: Any, value: Any, momentum: float) -> Any:
    """``x = x * momentum + value * (1 - momentum)``, in place; returns ``x``."""
    return update(x, _t(x) * momentum + _t(value) * (1.0 - momentum))


# ---------------------------------------------------------------- losses and metrics



def categorical_focal_crossentropy(target: Any, output: Any, alpha: float = 0.25, gamma: float = 2.0,
                                   from_logits: bool = False, axis: int = -1) -> Tensor:
    output = _t(output)
    target = _t(target).to(output.dtype)
    if from_logits:
        output = torch.softmax(output, dim=axis)
    output = output / torch.sum(output, dim=axis, keepdim=True)
    output = torch.clamp(output, epsilon(), 1.0 - epsilon())
    cce = -target * torch.log(output)
    return torch.sum(alpha * torch.pow(1.0 - output, gamma) * cce, dim=axis)


def in_top_k(predictions: Any, targets: Any, k: int) -> Tensor:
    """Whether each ``targets[i]`` is among the ``k`` largest ``predictions[i]``."""
    return _ops().in_top_k(targets, predictions, k)


def ctc_batch_cost(y_true: Any, y_pred: Any, input_length: Any, label_length: Any) -> Tensor:
    """CTC loss per sample, shape ``(batch, 1)``; ``y_pred`` holds softmax outputs, blank = last class."""
    y_pred = _t(y_pred)
    num_classes = y_pred.shape[-1]
    input_length = _t(input_length).reshape(-1)
    label_length = _t(label_length).reshape(-1)
    log_probs = torch.log(y_pred + epsilon())
    loss = _ops().ctc_loss(_t(y_true), log_probs, label_length, input_length, mask_index=num_classes - 1)
    return loss.reshape(-1, 1)


def ctc_decode(y_pred: Any, input_length: Any, greedy: bool = True, beam_width: int = 100,
               top_paths: int = 1) -> tuple[list[Tensor], Tensor]:
    """Decoded label sequences (``-1``-padded, one tensor per path) and their log probabilities."""
    y_pred = _t(y_pred)
    log_probs = torch.log(y_pred + epsilon())
    decoded, scores = _ops().ctc_decode(log_probs, _t(input_length).reshape(-1),
                                        strategy="greedy" if greedy else "beam_search", beam_width=beam_width,
                                        top_paths=top_paths, mask_index=y_pred.shape[-1] - 1)
    return [decoded[i] for i in range(decoded.shape[0])], scores


# ---------------------------------------------------------------- control flow and gradients

def map_fn(fn: Callable, elems: Any, name: str | None = None, dtype: Any = None) -> Tensor:
    """``fn`` applied to each slice of ``elems`` along axis 0, stacked."""
    outputs = [fn(e) for e in _t(elems)]
    result = torch.stack([_t(o) for o in outputs])
    return result if dtype is None else result.to(to_torch_dtype(dtype))


def foldl(fn: Callable, elems: Any, initializer: Any = None, name: str | None = None) -> Any:
    """Reduce ``elems`` along axis 0 from the left: ``fn(fn(init, e0), e1) ...``."""
    elems = _t(elems)
    items = list(elems)
    acc = items.pop(0) if initializer is None else initializer
    for item in items:
        acc = fn(acc, item)
    return acc


def foldr(fn: Callable, elems: Any, initializer: Any = None, name: str | None = None) -> Any:
    """Reduce ``elems`` along axis 0 from the right."""
    items = list(_t(elems))
    acc = items.pop() if initializer is None else initializer
    for item in reversed(items):
        acc = fn(acc, item)
    return acc


def gradients(loss: Any, variables: Any) -> list:
    """d loss / d variables, eagerly (``None`` for variables the loss does not depend on).

    ``loss`` must have been computed from ``variables`` with autograd on (as in a custom step);
    unlike TensorFlow 1 there is no graph to differentiate later.
    """
    single = isinstance(variables, Tensor)
    variables = [variables] if single else list(variables)
    if not isinstance(loss, Tensor) or loss.grad_fn is None:
        raise ValueError("K.gradients needs a loss tensor computed from the variables with gradients enabled "
                         "(eager autograd). Compute the loss inside the same code path, or use "
                         "torch.autograd.grad / a custom train_step.")
    grads = torch.autograd.grad(loss.sum() if loss.ndim else loss, variables, allow_unused=True,
                                retain_graph=True)
    return list(grads)


def rnn(step_function: Callable, inputs: Any, initial_states: Sequence, go_backwards: bool = False,
        mask: Any = None, constants: Sequence | None = None, unroll: bool = False, input_length: int | None = None,
        time_major: bool = False, zero_output_for_mask: bool = False,
        return_all_outputs: bool = True) -> tuple[Tensor, Tensor, list]:
    """Iterate ``step_function(x_t, states + constants) -> (output_t, new_states)`` over time.

    Returns ``(last_output, outputs, new_states)``; ``outputs`` is ``(batch, time, ...)`` (time first
    when ``time_major``). Masked steps keep the previous states and repeat the previous output (or
    zeros with ``zero_output_for_mask``), as in Keras.
    """
    inputs = _t(inputs)
    if not time_major:
        inputs = inputs.transpose(0, 1)
    steps = inputs.shape[0]
    if mask is not None:
        mask = _t(mask).bool()
        mask = mask.transpose(0, 1) if not time_major else mask
    states = list(initial_states)
    constants = list(constants or [])
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    outputs = []
    previous_output = None
    for t in order:
        output, new_states = step_function(inputs[t], states + constants)
        new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
        if mask is not None:
            keep = mask[t]
            if previous_output is None:
                previous_output = torch.zeros_like(output)
            fallback = torch.zeros_like(output) if zero_output_for_mask else previous_output
            output = torch.where(keep.reshape(keep.shape + (1,) * (output.ndim - 1)), output, fallback)
            new_states = [torch.where(keep.reshape(keep.shape + (1,) * (n.ndim - 1)), n, s)
                          for n, s in zip(new_states, states)]
        previous_output = output
        states = new_states
        outputs.append(output)
    stacked = torch.stack(outputs if return_all_outputs else outputs[-1:])
    if not time_major:
        stacked = stacked.transpose(0, 1)
    return outputs[-1], stacked, states


def function(inputs: Any, outputs: Any, updates: Any = None, name: str | None = None, **kwargs: Any) -> Callable:
    """``K.function([model.input], [layer.output])``: a callable from input values to output values.

    Built on a functional ``Model`` over the given symbolic tensors; called with a list of arrays it
    returns a list of NumPy arrays, as Keras 2's did. ``updates`` (TF1 assign ops) are not supported.
    """
    if updates:
        raise ValueError("K.function(updates=...) ran TensorFlow 1 assign ops; kerastorch has no graph to run "
                         "them in. Update variables in Python (variable.assign) or in a custom train_step.")
    single_input = not isinstance(inputs, (list, tuple))
    single_output = not isinstance(outputs, (list, tuple))
    flat_inputs = [inputs] if single_input else list(inputs)
    flat_outputs = [outputs] if single_output else list(outputs)
    for t in flat_inputs + flat_outputs:
        if type(t) is not KerasTensor:
            raise TypeError(f"K.function takes symbolic tensors (keras.Input and layer outputs). Received: {t!r}")
    nodes, _ = map_graph(flat_inputs, flat_outputs)
    steps = [node for node in nodes if not node.is_input]

    def run(values: Any) -> Any:
        args = [values] if single_input else list(values)
        known = {id(kt): _t(v) for kt, v in zip(flat_inputs, args)}
        with torch.no_grad():
            for node in steps:  # the graph in Keras's order, each layer in inference mode
                out = node.run(known)
                for kt, value in zip(node.flat_outputs, tree.flatten(out)):
                    known[id(kt)] = value
        result = [np.asarray(known[id(t)].detach().cpu()) for t in flat_outputs]
        return result[0] if single_output else result

    return run


# ---------------------------------------------------------------- variables and phases

def update(x: Any, new_x: Any) -> Any:
    """Assign ``new_x`` to ``x`` in place; returns ``x``."""
    if hasattr(x, "assign"):
        return x.assign(new_x)
    with torch.no_grad():
        x.copy_(_t(new_x).to(dtype=x.dtype, device=x.device))
    return x


def update_add(x: Any, increment: Any) -> Any:
    return update(x, _t(x) + _t(increment))


def update_sub(x: Any, decrement: Any) -> Any:
    return update(x, _t(x) - _t(decrement))




def truncated_normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
                     seed: int | None = None) -> Tensor:
    return random.truncated_normal(shape, mean=mean, stddev=stddev, dtype=dtype or floatx(), seed=seed)






def is_sparse(tensor: Any) -> bool:
    return isinstance(tensor, Tensor) and tensor.layout != torch.strided


def to_dense(tensor: Any) -> Tensor:
    return tensor.to_dense() if is_sparse(tensor) else tensor


_LEARNING_PHASE: list[int] = []


def scoped_learning_phase() -> int | None:
    return _LEARNING_PHASE[-1] if _LEARNING_PHASE else None


@contextlib.contextmanager
def learning_phase_scope(value: int) -> Iterator[None]:
    """Within the block ``K.learning_phase()`` (and so ``K.in_train_phase``) reads ``value``.

    Layers take ``training`` from their call argument, not from this scope (as in Keras 3).
    """
    if value not in (0, 1):
        raise ValueError(f"Expected learning phase to be 0 or 1. Received: {value!r}")
    _LEARNING_PHASE.append(int(value))
    try:
        yield
    finally:
        _LEARNING_PHASE.pop()
