"""What a layer knows about weights files: its place in the Keras 3 object tree, and how
arrays of old (Keras 1/2) files are upgraded to today's layout.

``Layer._keras3_tree()`` returns a ``Layout``: how many variables the layer's own
``vars/`` group holds and which sub-groups follow. The default (``keras3_tree``) mirrors
the module tree, as Keras 3 does: own variables, then each sublayer under its attribute
name (the public property name when a private attribute has one); lists and dicts of
sublayers become a group whose members are named ``snake_case(class)[_k]``. kerastorch's
layers are built like Keras's (an LSTM has a ``cell``, Bidirectional a ``forward_layer``
and a ``backward_layer``, MultiHeadAttention its four ``*_dense`` sublayers), so the
default fits them; a layer whose modules differ from Keras's overrides the hook.

``Layer._upgrade_legacy_weights(arrays, keras_version, backend)`` gets the arrays of a
legacy file in Keras order. The default hands each weighted sublayer its share (so
wrappers and nested models reach the layers that know their own history); layers whose
stored layout changed over Keras's history override it with the primitives below.
Conversions are chosen from the arrays' count and shapes compared with the shapes the
layer expects, so they also work on files whose version attributes are missing or wrong.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from torch import nn

from kerastorch._core.naming import to_snake_case


class Layout(NamedTuple):
    """Where a layer's weights (``get_weights()`` order) sit in a Keras 3 weights file."""
    name: str
    own: int
    children: list  # [(group name, Layout)]


# --------------------------------------------------------------------- the Keras 3 object tree
def keras3_tree(layer) -> Layout:
    """The default ``_keras3_tree``: own variables, then sublayers by attribute name."""
    own = len(layer._own_weight_entries())
    children = []
    containers = []
    for attr, child in layer._modules.items():
        if child is None:
            continue
        if isinstance(child, (nn.ModuleList, nn.ModuleDict)):
            containers.append((attr, child))
            continue
        children.append((public_attr(layer, attr, child), child_tree(child)))
    for attr, container in containers:
        items = container.values() if isinstance(container, nn.ModuleDict) else list(container)
        names = group_names(items)
        group = attr[1:] if attr.startswith("_") and not attr.startswith("__") else attr
        children.append((group, Layout(attr, 0, [(n, child_tree(item)) for n, item in zip(names, items)])))
    return Layout(layer.name, own, children)


def child_tree(child) -> Layout:
    """The layout of a sublayer, or of a plain torch module (its parameters and float buffers)."""
    if hasattr(child, "_keras3_tree"):
        return child._keras3_tree()
    n = sum(1 for _ in child.parameters()) + sum(1 for b in child.buffers() if b.is_floating_point())
    return Layout(type(child).__name__, n, [])


def public_attr(owner, attr: str, child) -> str:
    """Keras 3 names the group after the public property when a private attribute has one."""
    if attr.startswith("_") and not attr.startswith("__"):
        public = attr[1:]
        if getattr(type(owner), public, None) is not None and getattr(owner, public, None) is child:
            return public
    return attr


def group_names(items) -> list[str]:
    """Keras 3's group names for a list of layers: snake_case(class), de-duplicated with _1, _2..."""
    used: dict[str, int] = {}
    names = []
    for item in items:
        base = to_snake_case(type(item).__name__)
        if base in used:
            used[base] += 1
            names.append(f"{base}_{used[base]}")
        else:
            used[base] = 0
            names.append(base)
    return names


def keras_shapes(layer) -> list[tuple]:
    """The Keras-layout shape of every weight of ``layer`` (no values copied)."""
    shapes = []
    for owner, attr in layer._weight_slots():
        if hasattr(owner, "_keras_shape"):
            shapes.append(owner._keras_shape(attr))
        else:
            shapes.append(tuple(getattr(owner, attr).shape))
    return shapes


# --------------------------------------------------------------------- legacy weights
def upgrade_sublayers(layer, arrays: list, keras_version, backend) -> list:
    """The default ``_upgrade_legacy_weights``: each weighted sublayer upgrades its own share.

    Applies only when the layer has no variables of its own and the file holds exactly as
    many arrays as the sublayers have; anything else is returned as read (and a count
    mismatch is reported by the loader).
    """
    if layer._own_weight_entries():
        return arrays
    subs = [(c, len(c._weight_slots())) for c in layer._child_modules() if hasattr(c, "_upgrade_legacy_weights")]
    subs = [(c, n) for c, n in subs if n]
    if not subs or sum(n for _, n in subs) != len(arrays):
        return arrays
    out, pos = [], 0
    for child, n in subs:
        out += child._upgrade_legacy_weights(arrays[pos:pos + n], keras_version, backend)
        pos += n
    return out


def merge_keras1_gates(arrays: list, order: tuple) -> list:
    """Keras 1's per-gate ``[W, U, b] * n_gates`` merged into kernel, recurrent kernel and bias, gates reordered."""
    n = len(arrays) // 3
    groups = [arrays[3 * g:3 * g + 3] for g in range(n)]
    groups = [groups[i] for i in order[:n]]
    return [np.concatenate([g[j] for g in groups], axis=-1) for j in range(3)]


def per_gate(kernels: np.ndarray, func, n_gates: int) -> np.ndarray:
    """``func`` applied to each gate's block of a fused kernel."""
    return np.hstack([func(k) for k in np.hsplit(kernels, n_gates)])


def cudnn_input_kernel(kernel: np.ndarray) -> np.ndarray:
    """CuDNN keeps each gate's input kernel in Fortran order: same shape, transposed layout."""
    return kernel.T.reshape(kernel.shape, order="F")


def fit_kernel(kernel: np.ndarray, expected: tuple, transpose_conv: bool = False) -> np.ndarray:
    """``kernel`` transposed into ``expected`` when it is stored in an old layout (else unchanged)."""
    if tuple(kernel.shape) == tuple(expected):
        return kernel
    n = len(expected)
    if kernel.ndim == n + 1 and kernel.shape[-1] == 1 and n == 3:
        # Keras 1 Conv1D: (filters, input_dim, filter_length, 1)
        candidate = np.transpose(kernel, (2, 3, 1, 0))[:, 0, :, :]
        if candidate.shape == tuple(expected):
            return candidate
    if kernel.ndim != n:
        return kernel
    spatial = tuple(range(2, n))
    perms = []
    if transpose_conv:
        perms += [spatial + (0, 1), tuple(range(n - 2)) + (n - 1, n - 2)]
    perms += [spatial + (1, 0)]  # (filters, in, *k) -> (*k, in, filters): Theano / channels_first
    if n == 4:
        perms.append((3, 2, 0, 1))  # what tf-keras tries on any mismatch
    for perm in perms:
        if tuple(kernel.shape[i] for i in perm) == tuple(expected):
            return np.transpose(kernel, perm)
    return kernel


def flip_spatial(kernel: np.ndarray) -> np.ndarray:
    """Theano's convolution kernels are flipped compared with TensorFlow's correlation."""
    slices = [slice(None, None, -1)] * (kernel.ndim - 2) + [slice(None), slice(None)]
    return np.ascontiguousarray(kernel[tuple(slices)])


def upgrade_conv_kernel(layer, arrays: list, backend, transpose_conv: bool = False) -> list:
    """A convolution's arrays with its kernel in today's layout (and un-flipped if Theano wrote it)."""
    if not arrays:
        return arrays
    arrays = list(arrays)
    arrays[0] = fit_kernel(np.asarray(arrays[0]), keras_shapes(layer)[0], transpose_conv)
    if backend == "theano":
        arrays[0] = flip_spatial(arrays[0])
    return arrays
