"""``HashedCrossing``: cross categorical features with the hashing trick, bucket for bucket as Keras.

Keras delegates to TensorFlow's ``tf.sparse.cross_hashed``; kerastorch reproduces that op in
Python so the buckets match without TensorFlow: each feature value becomes a 64-bit key (a
string's FarmHash Fingerprint64, an integer's own two's-complement value), the keys are folded
left to right into TensorFlow's default hash key ``0xDECAFCAFFE`` with ``FingerprintCat64``, and
the result modulo ``num_bins`` is the bucket. Only scalars and batches of scalars are crossed,
as in Keras (shapes ``()``, ``(batch,)``, ``(batch, 1)``). Values are hashed on the host (they
may be strings); the bins go back to the input tensor's device.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from kerastorch.backend import config
from kerastorch.layers.layer import Layer
from kerastorch.layers.preprocessing.encoding import encode_categorical_inputs
from kerastorch.layers.preprocessing.hashing import as_value_array
from kerastorch.layers.preprocessing.string_hashing import fingerprint64

_MASK64 = (1 << 64) - 1
_K_MUL = 0xC6A4A7935BD1E995
# tf.sparse.cross_hashed's `hash_key` when none is given (`_DEFAULT_HASH_KEY` in TF's sparse_ops).
_DEFAULT_HASH_KEY = 0xDECAFCAFFE
_OUTPUT_MODES = ("int", "one_hot")


def _shift_mix(value: int) -> int:
    return value ^ (value >> 47)


def fingerprint_cat64(fp1: int, fp2: int) -> int:
    """TensorFlow's ``FingerprintCat64``: combine two 64-bit fingerprints (order matters)."""
    result = fp1 ^ _K_MUL
    result ^= (_shift_mix((fp2 * _K_MUL) & _MASK64) * _K_MUL) & _MASK64
    result = (result * _K_MUL) & _MASK64
    result = (_shift_mix(result) * _K_MUL) & _MASK64
    return _shift_mix(result)


def _feature_key(value: Any) -> int:
    # TF's hashed crosser fingerprints strings but takes int64 features as they are.
    if isinstance(value, bytes):
        return fingerprint64(value)
    if isinstance(value, str):
        return fingerprint64(value.encode("utf-8"))
    return int(value) & _MASK64


def cross_hash(values: list, num_bins: int) -> int:
    """The bucket of one crossed example (``values``: one scalar per feature)."""
    hashed = _DEFAULT_HASH_KEY
    for value in values:
        hashed = fingerprint_cat64(hashed, _feature_key(value))
    return hashed % num_bins


class HashedCrossing(Layer):
    """Cross two or more scalar categorical features into ``num_bins`` buckets.

    Args:
        num_bins: number of hash buckets.
        output_mode: ``"int"`` (bucket ids, int64 by default) or ``"one_hot"``.
        sparse: must be False (Keras allows True only on TensorFlow).

    Example:
        >>> HashedCrossing(num_bins=5)((np.array(["A", "B", "A", "B", "A"]), np.array([101, 101, 101, 102, 102])))
        tensor([1, 4, 1, 1, 3])
    """

    def __init__(self, num_bins: int, output_mode: str = "int", sparse: bool = False, name: str | None = None,
                 dtype: Any = None, **kwargs: Any) -> None:
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype, **kwargs)
        if sparse:
            raise ValueError("`sparse=True` can only be used with the TensorFlow backend; kerastorch produces "
                             "dense outputs. Received: sparse=True")
        if output_mode not in _OUTPUT_MODES:
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of {_OUTPUT_MODES}. "
                             f"Received: output_mode={output_mode}")
        if not isinstance(num_bins, int) or isinstance(num_bins, bool) or num_bins <= 0:
            raise ValueError(f"`num_bins` must be a positive integer. Received: num_bins={num_bins!r}")
        self.num_bins = num_bins
        self.output_mode = output_mode
        self.sparse = sparse

    def build(self, input_shape: Any) -> None:
        self.built = True

    def _convert_inputs(self, inputs: Any) -> Any:
        return inputs  # strings stay Python/numpy values; `call` hashes them

    def call(self, inputs: Any) -> torch.Tensor:
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"`HashedCrossing` should be called on a list or tuple of inputs. Received: "
                             f"inputs={inputs}")
        if len(inputs) < 2:
            raise ValueError(f"`HashedCrossing` should be called on at least two inputs. Received: inputs={inputs}")
        arrays = [as_value_array(x) for x in inputs]
        self._check_input_shape_and_type(arrays)
        shape = arrays[0].shape
        columns = [a.reshape(-1).tolist() for a in arrays]
        bins = [cross_hash(list(row), self.num_bins) for row in zip(*columns)]
        out = torch.as_tensor(np.asarray(bins, dtype=np.int64).reshape(shape))
        device = next((x.device for x in inputs if isinstance(x, torch.Tensor)), None)
        if device is not None:
            out = out.to(device)
        return encode_categorical_inputs(out, self.output_mode, self.num_bins,
                                         config.to_torch_dtype(self._variable_dtype()))

    def _check_input_shape_and_type(self, arrays: list[np.ndarray]) -> None:
        first_shape = arrays[0].shape
        rank = len(first_shape)
        if rank > 2 or (rank == 2 and first_shape[-1] != 1):
            raise ValueError("All `HashedCrossing` inputs should have shape `()`, `(batch_size)` or "
                             f"`(batch_size, 1)`. Received shapes: {[a.shape for a in arrays]}")
        if not all(a.shape == first_shape for a in arrays[1:]):
            raise ValueError(f"All `HashedCrossing` inputs should have equal shape. Received shapes: "
                             f"{[a.shape for a in arrays]}")
        if not all(a.dtype.kind in "iuUSO" for a in arrays):
            raise ValueError("All `HashedCrossing` inputs should have an integer or string dtype. Received "
                             f"dtypes: {[str(a.dtype) for a in arrays]}; cast floats to integers first.")

    def compute_output_shape(self, input_shape: Any) -> tuple:
        if (len(input_shape) != 2 or not isinstance(input_shape[0], (tuple, list))
                or not isinstance(input_shape[1], (tuple, list))):
            raise ValueError(f"Expected as input a list/tuple of 2 tensors. Received input_shape={input_shape}")
        first = tuple(input_shape[0])
        if first and first[-1] != tuple(input_shape[1])[-1]:
            raise ValueError(f"Expected the two input tensors to have identical shapes. Received "
                             f"input_shape={input_shape}")
        if self.output_mode == "int":
            return first
        if not first:
            return (self.num_bins,)
        if first[-1] != 1:
            return first + (self.num_bins,)
        return first[:-1] + (self.num_bins,)

    def get_config(self) -> dict:
        # Keras writes this short config itself (no `trainable`, `dtype` as a plain name).
        return {"num_bins": self.num_bins, "output_mode": self.output_mode, "sparse": self.sparse,
                "name": self.name, "dtype": self.dtype}
