"""``Hashing``: strings or integers → one of ``num_bins`` buckets, by the same hashes Keras uses
(FarmHash Fingerprint64, or SipHash-2-4 keyed by ``salt``), so a model hashes as it did under Keras."""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from kerastorch.backend import config
from kerastorch.layers.layer import Layer
from kerastorch.layers.preprocessing.encoding import encode_categorical_inputs
from kerastorch.layers.preprocessing.string_hashing import fingerprint64, siphash24

_OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


def as_value_array(inputs: Any) -> np.ndarray:
    """Strings (lists, numpy str/object arrays) or numbers (arrays, tensors) as one numpy array."""
    if isinstance(inputs, torch.Tensor):
        return inputs.detach().cpu().numpy()
    array = np.asarray(inputs)
    if array.dtype.kind == "S":
        array = np.char.decode(array, "utf-8")
    return array


def hash_key(value: Any) -> bytes:
    """The bytes Keras hashes for a value: the UTF-8 string, or the decimal text of an integer (floats are
    truncated to integers first, as Keras casts them)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (float, np.floating)):
        value = int(value)
    return str(int(value)).encode("ascii")


class Hashing(Layer):
    """Hash each input value into ``num_bins`` buckets.

    Args:
        num_bins: number of buckets (one of them is the mask bucket 0 when ``mask_value`` is set).
        mask_value: a value that always maps to 0 (and is not hashed).
        salt: an int or a pair of ints: hash with keyed SipHash instead of FarmHash.
        output_mode: ``"int"`` (bucket ids) or ``"one_hot"`` / ``"multi_hot"`` / ``"count"``.
        sparse: must be False (dense outputs only).

    Example:
        >>> Hashing(num_bins=3)([["A"], ["B"], ["C"], ["D"], ["E"]])  # [[1], [0], [1], [1], [2]]
    """

    def __init__(self, num_bins: int, mask_value: Any = None, salt: Any = None, output_mode: str = "int",
                 sparse: bool = False, **kwargs: Any) -> None:
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else config.floatx()
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError("The `num_bins` for `Hashing` cannot be `None` or non-positive values. "
                             f"Received: num_bins={num_bins}.")
        if output_mode not in _OUTPUT_MODES:
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of {_OUTPUT_MODES}. "
                             f"Received: output_mode={output_mode}")
        if output_mode == "int" and str(self._variable_dtype()) not in ("int32", "int64", "torch.int32",
                                                                          "torch.int64"):
            raise ValueError("When `output_mode=\"int\"`, `dtype` should be an integer type, 'int32' or 'in64'. "
                             f"Received: dtype={kwargs['dtype']}")
        if sparse:
            raise ValueError("`sparse=True` is not supported: kerastorch produces dense outputs only.")
        if salt is not None:
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                salt = list(salt)
            elif isinstance(salt, int):
                salt = [salt, salt]
            else:
                raise ValueError("The `salt` argument for `Hashing` can only be a tuple of size 2 integers, or a "
                                 f"single integer. Received: salt={salt}.")
        self.num_bins, self.mask_value, self.salt = num_bins, mask_value, salt
        self.strong_hash = salt is not None
        self.output_mode, self.sparse = output_mode, sparse

    def build(self, input_shape: Any) -> None:
        self.built = True

    def _convert_inputs(self, inputs: Any) -> Any:
        return inputs  # strings stay Python/numpy values; `call` hashes them

    def call(self, inputs: Any) -> torch.Tensor:
        values = as_value_array(inputs)
        if self.output_mode == "one_hot" and values.ndim and values.shape[-1] == 1:
            values = values[..., 0]
        bins = torch.as_tensor(self.hash_values_to_bins(values))
        if isinstance(inputs, torch.Tensor):
            bins = bins.to(inputs.device)
        dtype = config.to_torch_dtype(self._variable_dtype())
        return encode_categorical_inputs(bins, self.output_mode, self.num_bins, dtype)

    def hash_values_to_bins(self, values: np.ndarray) -> np.ndarray:
        """Bucket ids (int64) for an array of values, Keras's rules for the mask bucket."""
        num_bins = self.num_bins
        masked = self.mask_value is not None and num_bins > 1
        if masked:
            num_bins -= 1
        flat = values.reshape(-1).tolist()
        if self.strong_hash:
            key0, key1 = self.salt
            hashed = [siphash24(hash_key(v), key0, key1) % num_bins for v in flat]
        else:
            hashed = [fingerprint64(hash_key(v)) % num_bins for v in flat]
        bins = np.asarray(hashed, dtype=np.int64).reshape(values.shape)
        if masked:
            bins = np.where(values == self.mask_value, 0, bins + 1)
        return bins

    def compute_output_shape(self, input_shape: Any) -> tuple:
        if self.output_mode == "int":
            return tuple(input_shape)
        if len(input_shape) == 0:
            return (self.num_bins,)
        return tuple(input_shape[:-1]) + (self.num_bins,)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_bins": self.num_bins, "salt": self.salt,
                "mask_value": self.mask_value, "output_mode": self.output_mode, "sparse": self.sparse}
