"""Learning rate schedules against the Keras 3 formulas at chosen steps."""
import math

import pytest

from kerastorch.optimizers import schedules


def test_exponential_decay():
    s = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    assert s(0) == pytest.approx(0.1)
    assert s(5) == pytest.approx(0.1 * 0.5 ** 0.5)
    stair = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
    assert stair(19) == pytest.approx(0.05) and stair(20) == pytest.approx(0.025)


def test_piecewise_constant_decay():
    s = schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    assert [s(0), s(10), s(11), s(20), s(21)] == [1.0, 1.0, 0.5, 0.5, 0.1]
    with pytest.raises(ValueError, match="1 less"):
        schedules.PiecewiseConstantDecay([1, 2], [1.0])


def test_polynomial_decay():
    s = schedules.PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.01, power=0.5)
    assert s(0) == pytest.approx(0.1)
    assert s(4) == pytest.approx(0.09 * math.sqrt(0.6) + 0.01)
    assert s(50) == pytest.approx(0.01)
    cyc = schedules.PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.0, cycle=True)
    assert cyc(15) == pytest.approx(0.1 * (1 - 15 / 20))


def test_inverse_time_decay():
    s = schedules.InverseTimeDecay(0.1, decay_steps=2, decay_rate=0.5)
    assert s(3) == pytest.approx(0.1 / (1 + 0.5 * 1.5))
    stair = schedules.InverseTimeDecay(0.1, decay_steps=2, decay_rate=0.5, staircase=True)
    assert stair(3) == pytest.approx(0.1 / 1.5)


def test_cosine_decay_with_warmup():
    s = schedules.CosineDecay(0.1, decay_steps=100, alpha=0.1)
    assert s(0) == pytest.approx(0.1)
    assert s(50) == pytest.approx(0.1 * (0.9 * 0.5 * (1 + math.cos(math.pi * 0.5)) + 0.1))
    assert s(1000) == pytest.approx(0.01)
    w = schedules.CosineDecay(0.0, decay_steps=10, warmup_target=1.0, warmup_steps=4)
    assert w(2) == pytest.approx(0.5)
    assert w(4) == pytest.approx(1.0)
    assert w(9) == pytest.approx(0.5 * (1 + math.cos(math.pi * 0.5)))
    assert w(100) == pytest.approx(0.0, abs=1e-12)


def test_cosine_decay_restarts():
    s = schedules.CosineDecayRestarts(1.0, first_decay_steps=10, t_mul=2.0, m_mul=0.5)
    assert s(0) == pytest.approx(1.0)
    assert s(5) == pytest.approx(0.5)
    assert s(10) == pytest.approx(0.5)  # first restart: peak * m_mul
    assert s(20) == pytest.approx(0.25 * (1 + math.cos(math.pi * 0.5)))  # second period is 20 steps long
    flat = schedules.CosineDecayRestarts(1.0, first_decay_steps=4, t_mul=1.0)
    assert flat(6) == pytest.approx(0.5)


def test_serialize_round_trip():
    s = schedules.PolynomialDecay(0.1, 10, power=2.0)
    config = schedules.serialize(s)
    assert config["class_name"] == "PolynomialDecay"
    again = schedules.deserialize(config)
    assert again.get_config() == s.get_config()
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.ExponentialDecay(0.1, 0, 0.5)
