"""Keras 3's ``keras.backend`` dtype helpers: ``standardize_dtype``, ``result_type``,
``is_float_dtype``, ``is_int_dtype``.

Dtypes are Keras's strings ("float32", "int8", ...). ``result_type`` applies Keras's
promotion lattice (JAX-like, not NumPy's: ``int32 + float16 -> float16``, Python scalars
are weak), which ``kerastorch.ops`` already implements; this module only speaks strings.
"""
from __future__ import annotations

from typing import Any

from kerastorch._core.config import floatx
from kerastorch.ops.numpy._helpers import _dtype_key, _join  # the one implementation of the lattice

ALLOWED_DTYPES = ("float16", "float32", "float64", "uint8", "uint16", "uint32", "uint64", "int8", "int16",
                  "int32", "int64", "bfloat16", "bool", "string", "float8_e4m3fn", "float8_e5m2", "complex64",
                  "complex128")
FLOAT8_TYPES = ("float8_e4m3fn", "float8_e5m2")
# Python types and the "int" spelling, as Keras maps them on the torch backend.
PYTHON_DTYPES = {bool: "bool", int: "int32", float: "float32", str: "string", "int": "int32",
                 complex: "complex64"}


def standardize_dtype(dtype: Any) -> str:
    """Keras's name for ``dtype``: None -> floatx, ``int`` -> "int32", torch/NumPy dtypes -> their name."""
    if dtype is None:
        return floatx()
    if isinstance(dtype, (type, str)) and dtype in PYTHON_DTYPES:
        dtype = PYTHON_DTYPES[dtype]
    if hasattr(dtype, "name"):
        dtype = dtype.name
    elif hasattr(dtype, "__name__"):
        dtype = dtype.__name__
    elif "torch" in str(dtype):
        dtype = str(dtype).split(".")[-1]
    if dtype not in ALLOWED_DTYPES:
        raise ValueError(f"Invalid dtype: {dtype}")
    return dtype


def is_float_dtype(dtype: Any) -> bool:
    return standardize_dtype(dtype).startswith(("float", "bfloat"))


def is_int_dtype(dtype: Any) -> bool:
    return standardize_dtype(dtype).startswith(("int", "uint"))


def result_type(*dtypes: Any) -> str:
    """The dtype Keras's promotion rules give for ``dtypes`` (floatx when none are given)."""
    if not dtypes:
        return floatx()
    for dtype in dtypes:
        if dtype in FLOAT8_TYPES:
            raise ValueError("There is no implicit conversions from float8 dtypes to others. You must cast it "
                             f"internally. Received: {dtypes}")
    return _join(tuple(_dtype_key(d) for d in dtypes))
