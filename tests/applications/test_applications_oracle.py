"""keras.applications against real Keras 3: layer names, parameter counts, and predictions from Keras-saved weights.

Real Keras (``KERAS_BACKEND=torch``) builds each architecture with ``weights=None`` at a
small input size; its BatchNormalization statistics are randomized (seeded) so they
matter, and its weights are written in the two layouts kerastorch must read: Keras 3's
``.weights.h5`` and the legacy by-layer-name HDF5 layout of the published ImageNet files.
kerastorch builds the same architecture and must match names, ``count_params`` and
predictions (<= 1e-4, relative to the largest output when that exceeds 1) after loading either file.
Nothing is downloaded.
"""
from __future__ import annotations

import os

import h5py
import numpy as np
import pytest

import kerastorch
from kerastorch import applications

slow = pytest.mark.slow

# (constructor, kwargs); the first case of each family runs by default, the rest are slow; of the families
# added later (over 20 s each on 2 busy cores) only MobileNetV3Small, the one with operation nodes, runs by default.
CASES = [
    ("VGG16", dict(input_shape=(32, 32, 3))),
    pytest.param("VGG19", dict(input_shape=(32, 32, 3), include_top=False, pooling="max"), marks=slow),
    ("ResNet50", dict(input_shape=(32, 32, 3))),
    pytest.param("ResNet101", dict(input_shape=(32, 32, 3), include_top=False, pooling="avg"), marks=slow),
    pytest.param("ResNet152", dict(input_shape=(32, 32, 3), include_top=False), marks=slow),
    ("ResNet50V2", dict(input_shape=(32, 32, 3))),
    pytest.param("ResNet101V2", dict(input_shape=(32, 32, 3), include_top=False, pooling="max"), marks=slow),
    pytest.param("ResNet152V2", dict(input_shape=(32, 32, 3), classes=10), marks=slow),
    ("MobileNet", dict(input_shape=(32, 32, 3), alpha=0.25)),
    pytest.param("MobileNet", dict(input_shape=(35, 35, 3), alpha=0.5, depth_multiplier=2, include_top=False,
                                   pooling="avg"), marks=slow),
    ("MobileNetV2", dict(input_shape=(33, 33, 3), alpha=0.35)),
    pytest.param("MobileNetV2", dict(input_shape=(32, 32, 3), alpha=1.4, include_top=False, pooling="max"),
                 marks=slow),
    ("EfficientNetB0", dict(input_shape=(32, 32, 3))),
] + [pytest.param(f"EfficientNetB{i}", dict(input_shape=(32, 32, 3), include_top=i % 2 == 0, pooling="avg"),
                  marks=slow) for i in range(1, 8)] + [
    ("DenseNet121", dict(input_shape=(32, 32, 3))),
    pytest.param("DenseNet169", dict(input_shape=(32, 32, 3), include_top=False, pooling="max"), marks=slow),
    pytest.param("DenseNet201", dict(input_shape=(32, 32, 3), include_top=False), marks=slow),
    ("Xception", dict(input_shape=(71, 71, 3))),
    pytest.param("InceptionV3", dict(input_shape=(75, 75, 3), classes=10), marks=slow),
    pytest.param("InceptionV3", dict(input_shape=(75, 75, 3), include_top=False, pooling="max"), marks=slow),
    pytest.param("InceptionResNetV2", dict(input_shape=(75, 75, 3), include_top=False, pooling="avg"), marks=slow),
    pytest.param("ConvNeXtTiny", dict(input_shape=(32, 32, 3), classes=10), marks=slow),
    pytest.param("ConvNeXtSmall", dict(input_shape=(32, 32, 3), include_top=False, pooling="avg"), marks=slow),
    pytest.param("ConvNeXtBase", dict(input_shape=(32, 32, 3), include_top=False, include_preprocessing=False),
                 marks=slow),
    pytest.param("EfficientNetV2B0", dict(input_shape=(32, 32, 3), classes=10), marks=slow),
] + [pytest.param(f"EfficientNetV2B{i}", dict(input_shape=(32, 32, 3), include_top=i % 2 == 0, pooling="max"),
                  marks=slow) for i in range(1, 4)] + [
    pytest.param("EfficientNetV2S", dict(input_shape=(32, 32, 3), include_top=False), marks=slow),
    ("MobileNetV3Small", dict(input_shape=(32, 32, 3), classes=10)),
    pytest.param("MobileNetV3Small", dict(input_shape=(33, 40, 3), alpha=0.75, minimalistic=True, include_top=False,
                                          pooling="avg"), marks=slow),
    pytest.param("MobileNetV3Large", dict(input_shape=(32, 32, 3), alpha=1.25, classifier_activation=None),
                 marks=slow),
    pytest.param("MobileNetV3Large", dict(input_shape=(32, 32, 3), minimalistic=True, include_top=False,
                                          include_preprocessing=False), marks=slow),
]


@pytest.fixture(scope="module")
def real_keras():
    os.environ["KERAS_BACKEND"] = "torch"
    return pytest.importorskip("keras")


# The deeper EfficientNetV2 cases (B1 up) amplify float32 rounding chaotically (relative error x1e5 over
# 40 blocks, checked layer by layer) when BatchNormalization may scale by up to 1.5/sqrt(0.5):
# they get contracting scales (gamma <= 0.9) so that the comparison is about the architecture.
_TEMPERED = {"EfficientNetV2B1", "EfficientNetV2B2", "EfficientNetV2B3", "EfficientNetV2S"}


def _randomize_statistics(real_keras, model, rng, gamma_max: float = 1.5) -> None:
    """Give BatchNormalization non-trivial statistics and affine weights (fresh ones are 0/1), and
    ConvNeXt's layer scales (fresh ones are 1e-6, which would hide its blocks) sizable values."""
    for layer in model.layers:
        if type(layer).__name__ == "LayerScale":
            layer.weights[0].assign(rng.uniform(0.05, 0.3, size=layer.weights[0].shape).astype("float32"))
        if isinstance(layer, real_keras.layers.BatchNormalization):
            for w in layer.weights:
                n = w.path.split("/")[-1]
                if n in ("gamma", "moving_variance"):
                    high = gamma_max if n == "gamma" else 1.5
                    w.assign(rng.uniform(0.5, high, size=w.shape).astype("float32"))
                elif n in ("beta", "moving_mean"):
                    w.assign((0.1 * rng.normal(size=w.shape)).astype("float32"))


def _save_legacy_weights(real_keras, model, path) -> None:
    from keras.src.legacy.saving import legacy_h5_format
    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, model)


@pytest.mark.parametrize("name,kwargs", CASES)
def test_matches_real_keras(real_keras, tmp_path, name, kwargs):
    real_keras.backend.clear_session()
    real_keras.utils.set_random_seed(0)
    ref = getattr(real_keras.applications, name)(weights=None, **kwargs)
    _randomize_statistics(real_keras, ref, np.random.default_rng(0), 0.9 if name in _TEMPERED else 1.5)
    x = np.random.default_rng(1).uniform(-1, 1, size=(2,) + tuple(kwargs["input_shape"])).astype("float32")
    expected = np.asarray(ref.predict(x, verbose=0))
    # 1e-4 absolute on probabilities; features without a top (values up to ~100 after 50+
    # layers of float32 sums in a different order) get 1e-4 relative to their largest value.
    atol = 1e-4 * max(1.0, float(np.abs(expected).max()))
    ref.save_weights(tmp_path / "w.weights.h5")
    _save_legacy_weights(real_keras, ref, tmp_path / "w_legacy.h5")

    kerastorch.backend.clear_session()
    model = getattr(applications, name)(weights=None, **kwargs)
    assert [l.name for l in model.layers] == [l.name for l in ref.layers]
    # Operation nodes (MobileNetV3's `x + 3.0`, ConvNeXt's residual `+`) are not layers, but are in the graph.
    assert [o.name for o in model.operations] == [o.name for o in ref.operations]
    assert model.count_params() == ref.count_params()
    assert model.output_shape == ref.output_shape
    for path in ("w.weights.h5", "w_legacy.h5"):
        model.load_weights(tmp_path / path)
        got = model.predict(x, verbose=0)
        np.testing.assert_allclose(got, expected, atol=atol, rtol=1e-4, err_msg=path)
    # The path form of `weights=` loads the same file at construction.
    kerastorch.backend.clear_session()
    again = getattr(applications, name)(weights=str(tmp_path / "w_legacy.h5"), **kwargs)
    np.testing.assert_allclose(again.predict(x, verbose=0), expected, atol=atol, rtol=1e-4)
