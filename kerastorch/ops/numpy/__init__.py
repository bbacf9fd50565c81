"""NumPy-style ``keras.ops`` (``keras.ops.numpy``) on torch tensors.

Argument names and defaults follow Keras (``axis``/``keepdims``, ``x1``/``x2``), and so
do its dtype rules where they differ from torch's: the results are the dtypes Keras 3.15.1
gives on its torch backend (its promotion lattice in ``_helpers.result_type``, which also
narrows 64-bit results to 32 bits for many ops; means and roots of integers are floats;
small-int sums accumulate in int32; index results are int32).

This file only re-exports; the functions live in section modules, each wrapping its own public
functions for symbolic tensors (``wrap_public_ops``) and naming them in ``__all__``:

- ``_arithmetic``: elementwise arithmetic, rounding, exp/log/trig, comparison and logic;
- ``_reductions``: sums, means, extrema, cumulative and arg reductions, linear algebra;
- ``_creation``: zeros/ones/full, eye, arange, linspace, meshgrid;
- ``_shapes``: reshaping, joining, splitting, padding, indexing and sorting;
- ``_math``: further elementwise math (inverse trig, hyperbolic, bitwise ...);
- ``_statistics``: NaN-aware reductions, quantiles, histograms, searching;
- ``_arrays``: further splits/stacks/windows/products, ``vectorize``.

Imports go one way: every section imports ``_helpers`` (the bottom: conversion, promotion,
axis handling), and a section calling another's function imports it from that module
(``_reductions`` from ``_arithmetic``, ``_statistics`` from ``_reductions``). All are
re-exported here, so ``ops.numpy`` is one namespace as in Keras. The sections shadow
builtins (``sum``, ``max``, ``abs`` ...), so inside them builtins are spelled ``builtins.x``.
"""
from kerastorch.ops.numpy._arithmetic import *  # noqa: F403 - a section's public names
from kerastorch.ops.numpy._arrays import *  # noqa: F403 - a section's public names
from kerastorch.ops.numpy._creation import *  # noqa: F403 - a section's public names
from kerastorch.ops.numpy._helpers import _float, _promoted  # noqa: F401 - ops.math/linalg/nn, activations, backend use them
from kerastorch.ops.numpy._math import *  # noqa: F403 - a section's public names
from kerastorch.ops.numpy._reductions import *  # noqa: F403 - a section's public names
from kerastorch.ops.numpy._shapes import *  # noqa: F403 - a section's public names
from kerastorch.ops.numpy._statistics import *  # noqa: F403 - a section's public names
