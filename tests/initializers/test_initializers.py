"""keras.initializers: fans, distribution limits/statistics, seeding and name resolution."""
import math

import numpy as np
import pytest
import torch

from kerastorch import initializers as I


def test_compute_fans_like_keras():
    assert I.compute_fans(()) == (1, 1)
    assert I.compute_fans((7,)) == (7, 7)
    assert I.compute_fans((3, 5)) == (3, 5)
    assert I.compute_fans((3, 3, 16, 32)) == (3 * 3 * 16, 3 * 3 * 32)  # Conv2D kernel (kh, kw, in, out)
    assert I.compute_fans((5, 4, 8)) == (20, 40)  # Conv1D kernel


@pytest.mark.parametrize("cls, limit", [
    (I.GlorotUniform, math.sqrt(6 / (200 + 100))),
    (I.HeUniform, math.sqrt(6 / 200)),
    (I.LecunUniform, math.sqrt(3 / 200)),
])
def test_uniform_presets_limits_and_variance(cls, limit):
    w = cls(seed=1)((200, 100))
    assert w.dtype == torch.float32 and w.shape == (200, 100)
    assert w.abs().max().item() <= limit
    assert w.abs().max().item() > 0.98 * limit
    assert w.var().item() == pytest.approx(limit ** 2 / 3, rel=0.05)


@pytest.mark.parametrize("cls, stddev", [
    (I.GlorotNormal, math.sqrt(2 / (400 + 200))),
    (I.HeNormal, math.sqrt(2 / 400)),
    (I.LecunNormal, math.sqrt(1 / 400)),
])
def test_truncated_normal_presets_keep_requested_std(cls, stddev):
    w = cls(seed=2)((400, 200))
    # the 0.8796 correction makes the *truncated* sample's std equal the target
    assert w.std().item() == pytest.approx(stddev, rel=0.03)
    assert w.abs().max().item() <= 2 * stddev / 0.87962566103423978 + 1e-6


def test_variance_scaling_modes_and_distributions():
    shape = (3, 3, 20, 40)  # fan_in = 180, fan_out = 360
    w = I.VarianceScaling(scale=2.0, mode="fan_out", distribution="uniform", seed=0)(shape)
    assert w.abs().max().item() <= math.sqrt(3 * 2.0 / 360)
    w = I.VarianceScaling(scale=1.0, mode="fan_in", distribution="untruncated_normal", seed=0)(shape)
    assert w.std().item() == pytest.approx(math.sqrt(1 / 180), rel=0.05)
    assert w.abs().max().item() > 2 * math.sqrt(1 / 180)  # not truncated
    assert I.VarianceScaling(distribution="normal").distribution == "truncated_normal"
    with pytest.raises(ValueError):
        I.VarianceScaling(scale=0.0)
    with pytest.raises(ValueError):
        I.VarianceScaling(mode="fan_sum")


def test_random_basic_initializers():
    w = I.RandomUniform(minval=1.0, maxval=2.0, seed=3)((1000,))
    assert 1.0 <= w.min().item() and w.max().item() < 2.0
    w = I.RandomNormal(mean=5.0, stddev=0.1, seed=3)((4000,))
    assert w.mean().item() == pytest.approx(5.0, abs=0.01) and w.std().item() == pytest.approx(0.1, rel=0.05)
    w = I.TruncatedNormal(mean=1.0, stddev=0.5, seed=3)((4000,))
    assert (w - 1.0).abs().max().item() <= 1.0 + 1e-6
    assert I.RandomNormal().stddev == 0.05 and I.RandomUniform().minval == -0.05


def test_seeding():
    a, b = I.GlorotUniform(seed=7), I.GlorotUniform(seed=7)
    assert torch.equal(a((4, 4)), a((4, 4)))  # same values on every call
    assert torch.equal(a((4, 4)), b((4, 4)))
    assert not torch.equal(a((4, 4)), I.GlorotUniform(seed=8)((4, 4)))
    # Keras 3: an unseeded initializer draws its seed once, at construction, from Python's
    # `random`; so it repeats its values, two instances differ, and set_random_seed replays them.
    import kerastorch
    kerastorch.utils.set_random_seed(0)
    unseeded = I.GlorotUniform()
    first = unseeded((4, 4))
    assert torch.equal(first, unseeded((4, 4)))
    assert not torch.equal(first, I.GlorotUniform()((4, 4)))
    kerastorch.utils.set_random_seed(0)
    assert torch.equal(first, I.GlorotUniform()((4, 4)))
    assert I.GlorotUniform().get_config()["seed"] is None
    assert I.RandomNormal(seed=1)((2,), dtype="float64").dtype == torch.float64


def test_constant_ones_zeros_identity():
    assert I.Zeros()((2, 3)).sum().item() == 0
    assert I.Ones()((2, 3), dtype="int32").dtype == torch.int32
    assert I.Constant(0.5)((2,)).tolist() == [0.5, 0.5]
    assert I.Constant([1.0, 2.0])((2, 2)).tolist() == [[1.0, 2.0], [1.0, 2.0]]
    assert torch.equal(I.Identity(gain=2.0)((2, 3)), 2.0 * torch.eye(2, 3))
    with pytest.raises(ValueError):
        I.Identity()((2, 2, 2))


@pytest.mark.parametrize("shape", [(6, 6), (4, 10), (10, 4), (3, 3, 2, 5)])
def test_orthogonal(shape):
    w = I.Orthogonal(gain=1.5, seed=4)(shape).double()
    flat = w.reshape(-1, shape[-1])
    rows, cols = flat.shape
    gram = flat.T @ flat if rows >= cols else flat @ flat.T
    np.testing.assert_allclose(gram.numpy(), 1.5 ** 2 * np.eye(min(rows, cols)), atol=1e-5)
    with pytest.raises(ValueError):
        I.Orthogonal()((5,))


def test_get_by_names_and_configs():
    for name, cls in [("glorot_uniform", I.GlorotUniform), ("GlorotUniform", I.GlorotUniform),
                      ("he_normal", I.HeNormal), ("lecun_uniform", I.LecunUniform),
                      ("orthogonal", I.OrthogonalInitializer), ("Orthogonal", I.OrthogonalInitializer),
                      ("zeros", I.Zeros), ("zero", I.Zeros), ("ones", I.Ones), ("uniform", I.RandomUniform),
                      ("normal", I.RandomNormal), ("truncated_normal", I.TruncatedNormal),
                      ("identity", I.Identity), ("variance_scaling", I.VarianceScaling)]:
        assert type(I.get(name)) is cls, name
    assert I.get(None) is None
    assert isinstance(I.get(I.HeUniform), I.HeUniform)  # a class is instantiated
    inst = I.Constant(3.0)
    assert I.get(inst) is inst
    legacy = {"class_name": "VarianceScaling",
              "config": {"scale": 2.0, "mode": "fan_avg", "distribution": "normal", "seed": None,
                         "dtype": "float32"}}  # TF1-era config with dtype
    vs = I.get(legacy)
    assert (vs.scale, vs.mode, vs.distribution) == (2.0, "fan_avg", "truncated_normal")
    with pytest.raises(ValueError, match="glorot_uniform"):
        I.get("glorot_unifrom")


def test_serialize_roundtrip():
    for init in [I.GlorotUniform(seed=3), I.RandomNormal(1.0, 2.0), I.Constant(1.5),
                 I.VarianceScaling(0.5, "fan_out", "uniform"), I.Orthogonal(gain=2.0), I.Identity(3.0)]:
        config = I.serialize(init)
        assert config["class_name"] == type(init).__name__
        assert config["module"] == "keras.initializers"
        clone = I.deserialize(config)
        assert type(clone) is type(init) and clone.get_config() == init.get_config()
    assert I.serialize(I.GlorotUniform(seed=3))["config"] == {"seed": 3, "input_axes": None, "output_axes": None}
