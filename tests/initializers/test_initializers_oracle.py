"""Every keras.initializers class against real Keras 3.15.1: the same values for the same seed
(and after the same set_random_seed), the same default configs, clear errors."""
from __future__ import annotations

import numpy as np
import pytest

import kerastorch
from kerastorch import initializers as I

SEEDED = ["RandomNormal", "RandomUniform", "TruncatedNormal", "VarianceScaling", "GlorotNormal", "GlorotUniform",
          "HeNormal", "HeUniform", "LecunNormal", "LecunUniform", "Orthogonal"]
SHAPES = [(4, 5), (3, 3, 2, 4), (7,)]


@pytest.mark.parametrize("name", SEEDED)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_seeded_values_equal_keras(real_keras, name, shape):
    if name == "Orthogonal" and len(shape) < 2:
        pytest.skip("orthogonal needs rank >= 2 (both raise)")
    k = real_keras.ops.convert_to_numpy(getattr(real_keras.initializers, name)(seed=7)(shape))
    t = getattr(I, name)(seed=7)(shape)
    np.testing.assert_allclose(t.numpy(), k, rtol=1e-6, atol=1e-7)
    assert str(t.dtype) == "torch.float32"


def test_variance_scaling_arguments_and_axes(real_keras):
    kwargs = dict(scale=2.5, mode="fan_avg", distribution="untruncated_normal", seed=3,
                  input_axes=[0, 1], output_axes=[2])
    k = real_keras.ops.convert_to_numpy(real_keras.initializers.VarianceScaling(**kwargs)((3, 4, 5)))
    np.testing.assert_allclose(I.VarianceScaling(**kwargs)((3, 4, 5)).numpy(), k, rtol=1e-6)
    assert I.VarianceScaling(**kwargs).get_config() == real_keras.initializers.VarianceScaling(**kwargs).get_config()
    assert I.compute_fans((3, 4, 5), [0, 1], [2]) == (12, 5)


def test_unseeded_follow_set_random_seed(real_keras):
    real_keras.utils.set_random_seed(123)
    k = [real_keras.ops.convert_to_numpy(real_keras.initializers.HeNormal()((3, 3))) for _ in range(2)]
    kerastorch.utils.set_random_seed(123)
    t = [I.HeNormal()((3, 3)).numpy() for _ in range(2)]
    np.testing.assert_array_equal(t[0], k[0])
    np.testing.assert_array_equal(t[1], k[1])


def test_seed_generator_seed(real_keras):
    k_init = real_keras.initializers.RandomNormal(seed=real_keras.random.SeedGenerator(5))
    t_init = I.RandomNormal(seed=kerastorch.random.SeedGenerator(5))
    for _ in range(2):  # a SeedGenerator advances: different values per call, the same as Keras's
        np.testing.assert_array_equal(t_init((2, 2)).numpy(), real_keras.ops.convert_to_numpy(k_init((2, 2))))
    assert t_init.get_config()["seed"]["class_name"] == "SeedGenerator"


@pytest.mark.parametrize("name", ["Constant", "Identity", "Ones", "Zeros", "STFT"] + SEEDED)
def test_default_configs_equal_keras(real_keras, name):
    k, t = getattr(real_keras.initializers, name)(), getattr(I, name)()
    k_config, t_config = k.get_config(), t.get_config()
    if "seed" in k_config:  # both None: the seed is drawn at construction, not serialized
        assert k_config["seed"] is None and t_config["seed"] is None
    assert t_config == k_config


@pytest.mark.parametrize("kwargs", [{}, {"side": "imag", "window": "hamming", "scaling": "spectrum",
                                         "periodic": True}, {"window": None}, {"window": "blackman",
                                                                               "scaling": None}])
def test_stft_kernels_equal_keras(real_keras, kwargs):
    k = real_keras.ops.convert_to_numpy(real_keras.initializers.STFT(**kwargs)((16, 1, 9)))
    np.testing.assert_allclose(I.STFT(**kwargs)((16, 1, 9)).numpy(), k, rtol=1e-5, atol=3e-6)
    window = np.hanning(16)
    np.testing.assert_allclose(I.STFT(window=window)((16, 1, 9)).numpy(),
                               real_keras.ops.convert_to_numpy(real_keras.initializers.STFT(window=window)((16, 1, 9))),
                               rtol=1e-5, atol=3e-6)


def test_identity_and_constant_values(real_keras):
    np.testing.assert_array_equal(I.Identity(gain=2.0)((2, 3)).numpy(),
                                  real_keras.ops.convert_to_numpy(real_keras.initializers.Identity(gain=2.0)((2, 3))))
    assert I.Identity(gain=2.0).get_config() == {"gain": 2.0}  # kept so that it survives a round trip
    assert I.Identity.from_config(I.Identity(gain=2.0).get_config()).gain == 2.0


def test_errors_are_clear():
    with pytest.raises(ValueError, match="SeedGenerator.*or an integer"):
        I.RandomNormal(seed="x")
    with pytest.raises(ValueError, match="kerastorch provides"):
        I.STFT(window="kaiser")
    with pytest.raises(ValueError, match="'real' or 'imag'"):
        I.STFT(side="both")
