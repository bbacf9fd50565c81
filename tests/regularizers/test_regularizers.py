"""keras.regularizers: penalty formulas, defaults, aliases and configs."""
import numpy as np
import pytest
import torch

from kerastorch import regularizers as R

W = torch.tensor([[1.0, -2.0], [0.5, 0.0]])


def test_penalty_formulas():
    assert R.L1(0.1)(W).item() == pytest.approx(0.1 * 3.5)
    assert R.L2(0.1)(W).item() == pytest.approx(0.1 * 5.25)  # no 1/2 factor
    assert R.L1L2(l1=0.1, l2=0.2)(W).item() == pytest.approx(0.1 * 3.5 + 0.2 * 5.25)
    assert R.L1L2()(W).item() == 0.0
    out = R.L2(0.1)(W)
    assert out.ndim == 0 and out.dtype == W.dtype


def test_defaults_and_aliases():
    assert R.L1().l1 == 0.01 and R.L2().l2 == 0.01
    assert (R.L1L2().l1, R.L1L2().l2) == (0.0, 0.0)
    assert R.l1 is R.L1 and R.l2 is R.L2 and R.l1_l2 is R.L1L2
    assert R.l1_l2(l1=0.01, l2=0.02).get_config() == {"l1": 0.01, "l2": 0.02}
    with pytest.raises(ValueError):
        R.L2(-1.0)


def test_gradient_flows():
    w = W.clone().requires_grad_(True)
    R.L2(0.5)(w).backward()
    assert torch.allclose(w.grad, 2 * 0.5 * W)


def test_orthogonal_regularizer():
    assert R.OrthogonalRegularizer(factor=1.0)(torch.eye(3)).item() == pytest.approx(0.0, abs=1e-7)
    x = torch.tensor([[1.0, 0.0], [1.0, 1.0]])
    # rows normalised: [1, 0] and [0.7071, 0.7071]; one off-diagonal pair with |cos| = 0.7071
    expected = 1.0 * 0.5 * (2 * np.sqrt(0.5)) / 1.0
    assert R.OrthogonalRegularizer(factor=1.0)(x).item() == pytest.approx(expected, rel=1e-6)
    with pytest.raises(ValueError):
        R.OrthogonalRegularizer(mode="diagonal")


def test_get_serialize_deserialize():
    assert isinstance(R.get("l2"), R.L2) and R.get("l2").l2 == 0.01
    assert isinstance(R.get("L1L2"), R.L1L2) and isinstance(R.get("l1_l2"), R.L1L2)
    assert R.get(None) is None
    reg = R.L1L2(l1=0.0, l2=0.003)
    assert R.get(reg) is reg
    config = R.serialize(reg)
    assert config["class_name"] == "L1L2" and config["config"] == {"l1": 0.0, "l2": 0.003}
    clone = R.deserialize(config)
    assert isinstance(clone, R.L1L2) and clone.l2 == 0.003
    keras2 = {"class_name": "L2", "config": {"l2": 9.999999747378752e-05}}  # float32 noise from h5
    assert R.get(keras2).l2 == pytest.approx(1e-4)
    with pytest.raises(ValueError, match="l2"):
        R.get("l3")
