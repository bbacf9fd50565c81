"""keras.backend dtype helpers against real Keras 3.15.1: standardize_dtype, result_type, is_*_dtype."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import kerastorch

DTYPES = ["bool", "uint8", "uint16", "uint32", "int8", "int16", "int32", "int64", "bfloat16", "float16",
          "float32", "float64", "complex64", int, float, bool]


def _outcome(fn, *args):
    try:
        return fn(*args)
    except ValueError:
        return "ValueError"


@pytest.mark.parametrize("dtype", DTYPES + [None, torch.float16, torch.int8, torch.bool, np.float64,
                                            np.dtype("int16"), "int", str, complex, "string", "nope", object])
def test_standardize_dtype(real_keras, dtype):
    assert _outcome(kerastorch.backend.standardize_dtype, dtype) == \
        _outcome(real_keras.backend.standardize_dtype, dtype)
    for name in ("is_float_dtype", "is_int_dtype"):
        assert _outcome(getattr(kerastorch.backend, name), dtype) == \
            _outcome(getattr(real_keras.backend, name), dtype)


def test_result_type_lattice(real_keras):
    for a, b in itertools.product(DTYPES, DTYPES):
        assert _outcome(kerastorch.backend.result_type, a, b) == _outcome(real_keras.backend.result_type, a, b), \
            (a, b)
    for args in [(), (None,), ("int8",), (int,), ("int8", "uint8", float), ("bfloat16", "float16")]:
        assert kerastorch.backend.result_type(*args) == real_keras.backend.result_type(*args)
    with pytest.raises(ValueError, match="float8"):
        kerastorch.backend.result_type("float8_e4m3fn", "float32")


def test_utils_standardize_dtype_is_the_backend_one():
    assert kerastorch.utils.standardize_dtype is kerastorch.backend.standardize_dtype
