"""Noise layers: identity at inference, Dropout scaling and noise_shape in training, spatial dropout
channel sharing, Gaussian layers, AlphaDropout statistics, ActivityRegularization losses, seeds."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers.layer_check import check_layer

import kerastorch as keras
from kerastorch import layers

ALL = [layers.Dropout(0.5), layers.SpatialDropout1D(0.5), layers.GaussianNoise(1.0), layers.GaussianDropout(0.5),
       layers.AlphaDropout(0.5), layers.ActivityRegularization(l1=0.1)]


@pytest.mark.parametrize("layer", ALL, ids=lambda l: type(l).__name__)
def test_identity_at_inference(layer):
    x = torch.randn(4, 6, 8)
    assert torch.equal(layer(x), x)
    assert torch.equal(layer(x, training=False), x)
    x._keras_mask = torch.ones(4, 6, dtype=torch.bool)
    assert layer(x)._keras_mask is x._keras_mask


def test_dropout_scales_kept_units_in_training():
    x = torch.ones(200, 50)
    y = layers.Dropout(0.4)(x, training=True)
    kept = y[y != 0]
    np.testing.assert_allclose(kept.numpy(), 1 / 0.6, rtol=1e-6)
    assert 0.3 < (y == 0).float().mean().item() < 0.5


def test_dropout_noise_shape_and_seed():
    x = torch.ones(8, 5, 6)
    y = layers.Dropout(0.5, noise_shape=(None, 1, 6), seed=3)(x, training=True)
    assert torch.equal(y, y[:, :1, :].expand_as(y))  # same decision along the noise_shape=1 axis
    a = layers.Dropout(0.5, seed=7)(x, training=True)
    b = layers.Dropout(0.5, seed=7)(x, training=True)
    assert torch.equal(a, b)
    with pytest.raises(ValueError):
        layers.Dropout(1.5)


def test_training_flag_from_model_context():
    inp = keras.Input((100,))
    model = keras.Model(inp, layers.Dropout(0.5)(inp))
    x = np.ones((4, 100), "float32")
    np.testing.assert_array_equal(model(x).numpy(), x)
    assert (model(x, training=True).numpy() == 0).any()


def test_spatial_dropout_drops_whole_channels():
    y = layers.SpatialDropout1D(0.5, seed=1)(torch.ones(4, 7, 16), training=True)
    assert torch.equal(y, y[:, :1, :].expand_as(y))
    y2 = layers.SpatialDropout2D(0.5)(torch.ones(2, 3, 3, 8), training=True)
    assert torch.equal(y2, y2[:, :1, :1, :].expand_as(y2))
    y3 = layers.SpatialDropout2D(0.5, data_format="channels_first")(torch.ones(2, 8, 3, 3), training=True)
    assert torch.equal(y3, y3[:, :, :1, :1].expand_as(y3))
    with pytest.raises(ValueError, match="ndim=4"):
        layers.SpatialDropout2D(0.5)(torch.ones(2, 3, 3))
    assert layers.SpatialDropout3D(0.2, data_format="channels_first").get_config()["data_format"] == \
        "channels_first"


def test_gaussian_layers_statistics():
    torch.manual_seed(0)
    x = torch.ones(400, 250)
    n = layers.GaussianNoise(0.5)(x, training=True) - 1
    assert abs(n.mean().item()) < 0.01 and abs(n.std().item() - 0.5) < 0.01
    d = layers.GaussianDropout(0.2)(x, training=True)
    assert abs(d.mean().item() - 1) < 0.01 and abs(d.std().item() - (0.2 / 0.8) ** 0.5) < 0.01


def test_alpha_dropout_keeps_selu_statistics():
    torch.manual_seed(0)
    x = torch.randn(500, 400)
    y = layers.AlphaDropout(0.2)(x, training=True)
    assert abs(y.mean().item()) < 0.02 and abs(y.std().item() - 1) < 0.02


def test_activity_regularization_adds_losses():
    layer = layers.ActivityRegularization(l1=0.1, l2=0.01)
    x = torch.tensor([[1.0, -2.0], [3.0, 0.0]])
    layer(x)
    expected = (0.1 * 6 + 0.01 * 14) / 2  # divided by the batch size, as Keras
    assert len(layer.losses) == 1
    np.testing.assert_allclose(float(layer.losses[0]), expected, rtol=1e-6)
    assert layer.get_config()["l1"] == 0.1 and "activity_regularizer" not in layer.get_config()


def test_configs_round_trip():
    for layer in [layers.Dropout(0.3, noise_shape=(None, 1), seed=2), layers.SpatialDropout1D(0.2),
                  layers.GaussianNoise(0.1, seed=1), layers.GaussianDropout(0.4), layers.AlphaDropout(0.1)]:
        cfg = layer.get_config()
        assert type(layer).from_config(cfg).get_config() == cfg
    # Keras 2 SpatialDropout configs carry noise_shape=None.
    layers.SpatialDropout1D.from_config({"name": "s", "rate": 0.1, "noise_shape": None, "seed": None})


# ------------------------------------------------------- common layer checks
def test_common_layer_checks():
    check_layer(layers.Dropout, {"rate": 0.5}, (2, 4), (2, 4), 0, 0)
