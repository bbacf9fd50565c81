"""keras.random against real Keras 3.15.1 on the same torch: seeded draws are the same numbers,
SeedGenerator state advances the same way, moments are the distributions', errors are clear."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import kerastorch


@pytest.fixture(autouse=True)
def cpu_device():
    # Seeded values depend on the generator's device; compare both libraries on the CPU.
    with kerastorch.device("cpu"):
        yield


def _np(x):
    return np.asarray(x.detach().cpu()) if isinstance(x, torch.Tensor) else np.asarray(x)


CALLS = [
    ("normal", ((3, 4),), {"mean": 1.0, "stddev": 2.0}),
    ("uniform", ((3, 4),), {"minval": -1.0, "maxval": 3.0}),
    ("uniform", ((),), {}),
    ("truncated_normal", ((5, 4),), {"stddev": 0.5}),
    ("randint", ((3, 4), 0, 10), {}),
    ("gamma", ((3, 4), 2.0), {}),
    ("beta", ((3, 4), 2.0, 3.0), {}),
    ("binomial", ((3, 4), 5, 0.3), {}),
    ("normal", ((2, 2),), {"dtype": "float64"}),
]


@pytest.mark.parametrize("name,args,kwargs", CALLS, ids=[f"{c[0]}{i}" for i, c in enumerate(CALLS)])
def test_integer_seed_gives_keras_values(real_keras, name, args, kwargs):
    expected = getattr(real_keras.random, name)(*args, seed=42, **kwargs)
    got = getattr(kerastorch.random, name)(*args, seed=42, **kwargs)
    np.testing.assert_array_equal(_np(got), real_keras.ops.convert_to_numpy(expected))
    assert str(got.dtype).replace("torch.", "") == real_keras.backend.standardize_dtype(expected.dtype)
    # stateless: the same integer seed gives the same values again
    np.testing.assert_array_equal(_np(getattr(kerastorch.random, name)(*args, seed=42, **kwargs)), _np(got))


def test_seed_generator_advances_like_keras(real_keras):
    k_gen, t_gen = real_keras.random.SeedGenerator(7), kerastorch.random.SeedGenerator(7)
    draws = []
    for _ in range(3):
        k = real_keras.ops.convert_to_numpy(real_keras.random.normal((2, 3), seed=k_gen))
        t = _np(kerastorch.random.normal((2, 3), seed=t_gen))
        np.testing.assert_array_equal(t, k)
        draws.append(t)
    assert not np.array_equal(draws[0], draws[1])
    np.testing.assert_array_equal(_np(t_gen.state), real_keras.ops.convert_to_numpy(k_gen.state.value))
    assert t_gen.get_config() == {"seed": 7, "name": t_gen.name}
    replay = kerastorch.random.SeedGenerator.from_config({"seed": 7, "name": "again"})
    np.testing.assert_array_equal(_np(kerastorch.random.normal((2, 3), seed=replay)), draws[0])


def test_shuffle_categorical_dropout_match_keras(real_keras):
    x = np.arange(20.0, dtype="float32").reshape(4, 5)
    np.testing.assert_array_equal(_np(kerastorch.random.shuffle(x, axis=1, seed=3)),
                                  real_keras.ops.convert_to_numpy(real_keras.random.shuffle(x, axis=1, seed=3)))
    logits = np.log(np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]], dtype="float32"))
    np.testing.assert_array_equal(
        _np(kerastorch.random.categorical(logits, 6, seed=3)),
        real_keras.ops.convert_to_numpy(real_keras.random.categorical(logits, 6, seed=3)))
    ones = torch.ones(6, 5)
    np.testing.assert_array_equal(
        _np(kerastorch.random.dropout(ones, 0.4, seed=5)),
        real_keras.ops.convert_to_numpy(real_keras.random.dropout(ones, 0.4, seed=5)))
    np.testing.assert_array_equal(
        _np(kerastorch.random.dropout(ones, 0.4, noise_shape=(6, 1), seed=5)),
        real_keras.ops.convert_to_numpy(real_keras.random.dropout(ones, 0.4, noise_shape=(6, 1), seed=5)))


def test_unseeded_draws_follow_set_random_seed(real_keras):
    real_keras.utils.set_random_seed(11)
    k = [real_keras.ops.convert_to_numpy(real_keras.random.uniform((3,))) for _ in range(2)]
    kerastorch.utils.set_random_seed(11)
    t = [_np(kerastorch.random.uniform((3,))) for _ in range(2)]
    np.testing.assert_array_equal(t[0], k[0])
    np.testing.assert_array_equal(t[1], k[1])
    assert not np.array_equal(t[0], t[1])


@pytest.mark.parametrize("name,args,mean,var", [
    ("normal", ((20000,),), 0.0, 1.0),
    ("uniform", ((20000,),), 0.5, 1 / 12),
    ("truncated_normal", ((20000,),), 0.0, 0.7737),  # N(0, 1) cut at +-2
    ("gamma", ((20000,), 3.0), 3.0, 3.0),
    ("beta", ((20000,), 2.0, 5.0), 2 / 7, 10 / (49 * 8)),
    ("binomial", ((20000,), 10, 0.3), 3.0, 2.1),
])
def test_moments_are_the_distributions(real_keras, name, args, mean, var):
    t = _np(getattr(kerastorch.random, name)(*args, seed=1)).astype("float64")
    k = real_keras.ops.convert_to_numpy(getattr(real_keras.random, name)(*args, seed=1)).astype("float64")
    for sample in (t, k):
        assert sample.mean() == pytest.approx(mean, abs=4 * np.sqrt(var / sample.size) + 1e-3)
        assert sample.var() == pytest.approx(var, rel=0.05)
    if name == "truncated_normal":
        assert np.abs(t).max() < 2.0


def test_errors_are_clear(real_keras):
    with pytest.raises(ValueError, match="SeedGenerator"):
        kerastorch.random.normal((2,), seed="abc")
    with pytest.raises(ValueError, match="must be an integer"):
        kerastorch.random.SeedGenerator(seed=1.5)
    with pytest.raises(ValueError, match="Unrecognized keyword"):
        kerastorch.random.SeedGenerator(seed=1, bad=2)
    with pytest.raises(ValueError, match="2-D"):
        kerastorch.random.categorical(np.zeros(3), 2)
    with pytest.raises(ValueError, match="randint"):
        kerastorch.random.uniform((2,), dtype="int32")
    with pytest.raises(ValueError, match="rate"):
        kerastorch.random.dropout(torch.ones(2), 1.5)


def test_unseeded_seed_generator_is_not_seeded_for_dropout():
    # Keras: a SeedGenerator made without a seed behaves like seed=None for dropout (torch's own dropout).
    gen = kerastorch.random.SeedGenerator()
    out = _np(kerastorch.random.dropout(torch.ones(1000), 0.5, seed=gen))
    assert set(np.unique(out)) <= {0.0, 2.0} and 350 < (out == 0).sum() < 650
