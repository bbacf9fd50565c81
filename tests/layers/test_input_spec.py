"""keras.InputSpec and its check, against real Keras 3.15.1's."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import kerastorch
from kerastorch.layers.input_spec import assert_input_compatibility

SPECS = [dict(ndim=2), dict(min_ndim=3), dict(max_ndim=1), dict(axes={-1: 4}), dict(shape=(None, 3)),
         dict(dtype="int32"), dict(shape=(None, 4, 1), allow_last_axis_squeeze=True)]
INPUTS = [np.zeros((2, 4), "float32"), np.zeros((2, 3), "float32"), np.zeros((2, 4, 1), "float32"),
          np.zeros((5,), "int32")]


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_checks_agree_with_keras(real_keras, spec):
    from keras.src.layers.input_spec import assert_input_compatibility as keras_check
    k_spec, t_spec = real_keras.InputSpec(**spec), kerastorch.InputSpec(**spec)
    assert t_spec.get_config() == k_spec.get_config() and repr(t_spec) == repr(k_spec)
    for x in INPUTS:
        outcomes = []
        for check, s, value in ((keras_check, k_spec, torch.as_tensor(x)), (assert_input_compatibility, t_spec,
                                                                             torch.as_tensor(x))):
            try:
                check(s, value, "layer")
                outcomes.append(None)
            except ValueError as error:
                outcomes.append(str(error))
        assert outcomes[0] == outcomes[1]


def test_named_and_multiple_inputs():
    specs = [kerastorch.InputSpec(ndim=2, name="a"), kerastorch.InputSpec(ndim=1, name="b")]
    assert_input_compatibility(specs, {"b": torch.zeros(3), "a": torch.zeros(2, 2)}, "merge")
    with pytest.raises(ValueError, match='Missing data for input "b"'):
        assert_input_compatibility(specs, {"a": torch.zeros(2, 2)}, "merge")
    with pytest.raises(ValueError, match="expects 2 input"):
        assert_input_compatibility(specs, [torch.zeros(2, 2)], "merge")
    with pytest.raises(TypeError, match="integer keys"):
        kerastorch.InputSpec(axes={"x": 1})
    assert kerastorch.InputSpec.from_config(kerastorch.InputSpec(ndim=3).get_config()).ndim == 3
