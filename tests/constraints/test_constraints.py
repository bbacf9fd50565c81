"""keras.constraints: projection formulas (with Keras's epsilon) and name resolution."""
import numpy as np
import pytest
import torch

from kerastorch import constraints as C
from kerastorch.backend import epsilon

W = np.array([[3.0, 0.1, 0.0], [4.0, 0.2, 0.0]], dtype="float32")  # column norms 5, ~0.2236, 0


def col_norms(w):
    return np.sqrt((w ** 2).sum(axis=0, keepdims=True))


def close(t, expected):
    np.testing.assert_allclose(t.numpy(), expected, rtol=1e-6, atol=1e-7)


def test_max_norm():
    norms = col_norms(W)
    out = C.MaxNorm(max_value=2)(torch.tensor(W))
    close(out, W * (np.clip(norms, 0, 2) / (epsilon() + norms)))
    assert np.linalg.norm(out.numpy()[:, 0]) == pytest.approx(2.0, rel=1e-5)
    assert not torch.isnan(out).any()  # the zero column stays zero thanks to epsilon


def test_max_norm_axis_and_defaults():
    c = C.MaxNorm()
    assert (c.max_value, c.axis) == (2, 0)
    out = C.MaxNorm(max_value=1.0, axis=1)(torch.tensor(W))
    row = np.sqrt((W ** 2).sum(axis=1, keepdims=True))
    close(out, W * (np.clip(row, 0, 1) / (epsilon() + row)))


def test_non_neg_and_unit_norm():
    w = torch.tensor([[-1.0, 2.0], [0.5, -0.0]])
    close(C.NonNeg()(w), [[0.0, 2.0], [0.5, 0.0]])
    close(C.UnitNorm()(torch.tensor(W)), W / (epsilon() + col_norms(W)))


def test_min_max_norm_with_rate():
    norms = col_norms(W)
    c = C.MinMaxNorm(min_value=0.5, max_value=1.0, rate=0.5)
    desired = 0.5 * np.clip(norms, 0.5, 1.0) + 0.5 * norms
    close(c(torch.tensor(W)), W * (desired / (epsilon() + norms)))
    assert C.MinMaxNorm().get_config() == {"min_value": 0.0, "max_value": 1.0, "rate": 1.0, "axis": 0}


def test_conv_kernel_axes():
    kernel = torch.randn(3, 3, 2, 4)
    out = C.MaxNorm(max_value=0.5, axis=[0, 1, 2])(kernel)
    norms = out.square().sum(dim=(0, 1, 2)).sqrt()
    assert (norms <= 0.5 + 1e-5).all()


def test_get_serialize_deserialize():
    for name, cls in [("max_norm", C.MaxNorm), ("MaxNorm", C.MaxNorm), ("non_neg", C.NonNeg),
                      ("NonNeg", C.NonNeg), ("unit_norm", C.UnitNorm), ("min_max_norm", C.MinMaxNorm),
                      ("maxnorm", C.MaxNorm)]:
        assert type(C.get(name)) is cls
    assert C.get(None) is None
    assert C.max_norm is C.MaxNorm and C.non_neg is C.NonNeg
    c = C.MaxNorm(max_value=3, axis=[0, 1])
    config = C.serialize(c)
    assert config["class_name"] == "MaxNorm" and config["config"] == {"max_value": 3, "axis": [0, 1]}
    assert C.deserialize(config).get_config() == c.get_config()
    assert C.get(c) is c
    with pytest.raises(ValueError, match="max_norm"):
        C.get("max_normm")
