"""Top-level Keras 3 names: the classes and helpers ``import kerastorch as keras`` exposes."""
from __future__ import annotations

import pytest

import kerastorch


def test_base_classes_are_the_package_ones():
    assert kerastorch.Loss is kerastorch.losses.Loss
    assert kerastorch.Metric is kerastorch.metrics.Metric
    assert kerastorch.Optimizer is kerastorch.optimizers.Optimizer
    assert kerastorch.Initializer is kerastorch.initializers.Initializer
    assert kerastorch.Regularizer is kerastorch.regularizers.Regularizer
    assert isinstance(kerastorch.Input((3,)), kerastorch.KerasTensor)


def test_dtype_policies_like_keras(real_keras):
    for name in ("float32", "mixed_float16", "mixed_bfloat16", "float64"):
        k, t = real_keras.DTypePolicy(name), kerastorch.DTypePolicy(name)
        assert (t.name, t.compute_dtype, t.variable_dtype) == (k.name, k.compute_dtype, k.variable_dtype)
        assert t.get_config() == k.get_config()
        assert kerastorch.dtype_policies.serialize(t) == real_keras.dtype_policies.serialize(k)
        assert kerastorch.dtype_policies.deserialize(real_keras.dtype_policies.serialize(k)).name == name
    assert kerastorch.FloatDTypePolicy is kerastorch.DTypePolicy
    assert kerastorch.dtype_policies.get("mixed_float16").compute_dtype == "float16"
    with pytest.raises(ValueError, match="Quantized"):
        kerastorch.dtype_policies.deserialize({"class_name": "QuantizedDTypePolicy", "config": {}})
    with pytest.raises(ValueError, match="Unknown dtype policy"):
        kerastorch.DTypePolicy("int8_from_float32")


def test_version_is_a_string():
    assert kerastorch.version() == kerastorch.__version__


def test_unsupported_top_level_names_name_the_alternative():
    with pytest.raises(NotImplementedError, match=r"`keras\.export` .*torch\.export\.export"):
        kerastorch.export  # noqa: B018
    with pytest.raises(AttributeError, match=r"`keras\.Operation` .*keras\.layers\.Layer"):
        kerastorch.Operation  # noqa: B018
    assert getattr(kerastorch, "quantizers", None) is None
