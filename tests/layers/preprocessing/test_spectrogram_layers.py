"""STFTSpectrogram and MelSpectrogram against real Keras 3.15.1 (torch backend, same process):
outputs within 1e-5 (they agree to the bit on CPU), output shapes, configs, weights (names,
shapes, trainability) and use inside a model with a .keras round trip."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import kerastorch as kt


def _np(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def _config(layer):
    config = dict(layer.get_config())
    config.pop("name")
    return config


STFT_CASES = [
    {},
    {"mode": "magnitude", "frame_length": 16, "frame_step": 4},
    {"mode": "psd", "frame_length": 16, "frame_step": 3, "padding": "same"},
    {"mode": "stft", "frame_length": 15, "fft_length": 16, "expand_dims": True, "window": "hamming",
     "periodic": True},
    {"mode": "angle", "frame_length": 8, "scaling": "spectrum", "data_format": "channels_first"},
    {"mode": "real", "frame_length": 8, "window": None},
    {"mode": "imag", "frame_length": 8, "expand_dims": True, "data_format": "channels_first"},
    {"mode": "log", "frame_length": 32, "frame_step": 8, "window": "blackman", "padding": "same"},
]


@pytest.mark.parametrize("kwargs", STFT_CASES, ids=lambda kw: "-".join(f"{k}={v}" for k, v in kw.items()) or "default")
def test_stft_spectrogram_equals_keras(real_keras, kwargs):
    channels_first = kwargs.get("data_format") == "channels_first"
    x = np.random.default_rng(0).standard_normal((2, 3, 300) if channels_first else (2, 300, 3)).astype("float32")
    k, t = real_keras.layers.STFTSpectrogram(**kwargs), kt.layers.STFTSpectrogram(**kwargs)
    ko, to = _np(k(x)), _np(t(x))
    assert ko.shape == to.shape == tuple(k.compute_output_shape(x.shape)) == tuple(t.compute_output_shape(x.shape))
    np.testing.assert_allclose(to, ko, atol=1e-5, rtol=0)
    assert _config(k) == _config(t)
    assert [w.path.split("/")[-1] for w in k.weights] == [w for w in ("real_kernel", "imag_kernel")
                                                         if hasattr(t, w)]
    assert len(k.trainable_weights) == len(t.trainable_weights)
    for kw, tw in zip(k.get_weights(), t.get_weights()):
        np.testing.assert_allclose(tw, kw, atol=1e-7, rtol=0)  # scipy vs torch window end points


def test_stft_spectrogram_float64_and_errors(real_keras):
    x = np.random.default_rng(1).standard_normal((1, 64, 1))
    k = real_keras.layers.STFTSpectrogram(frame_length=16, dtype="float64")
    t = kt.layers.STFTSpectrogram(frame_length=16, dtype="float64")
    out = t(x)
    assert out.dtype == torch.float64
    np.testing.assert_allclose(_np(out), _np(k(x)), atol=1e-5)
    with pytest.raises(ValueError, match="frame_step"):
        kt.layers.STFTSpectrogram(frame_length=8, frame_step=9)
    with pytest.raises(ValueError, match="fft_length"):
        kt.layers.STFTSpectrogram(frame_length=8, fft_length=4)
    with pytest.raises(ValueError, match="mode"):
        kt.layers.STFTSpectrogram(mode="power")
    with pytest.raises(ValueError, match="Padding"):
        kt.layers.STFTSpectrogram(padding="causal")
    with pytest.raises(TypeError, match="float"):
        kt.layers.STFTSpectrogram(frame_length=8)(torch.ones((1, 16, 1), dtype=torch.int32))


MEL_CASES = [
    ({}, (2, 16000)),
    ({"fft_length": 256, "sequence_stride": 64, "num_mel_bins": 40}, (3, 4000)),
    ({"fft_length": 512, "sequence_length": 400, "sequence_stride": 160, "window": "hamming", "power_to_db": False,
      "mag_exp": 1.0}, (2, 3000)),
    ({"fft_length": 128, "sequence_stride": 32, "window": None, "sampling_rate": 8000, "num_mel_bins": 16,
      "min_freq": 100.0, "max_freq": 3000.0, "top_db": 20.0, "ref_power": 2.0}, (1000,)),
]


@pytest.mark.parametrize("kwargs,shape", MEL_CASES, ids=["default", "small", "hamming-no-db", "unbatched"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_mel_spectrogram_equals_keras(real_keras, kwargs, shape, dtype):
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    k = real_keras.layers.MelSpectrogram(dtype=dtype, **kwargs)
    t = kt.layers.MelSpectrogram(dtype=dtype, **kwargs)
    ko, to = _np(k(x)), _np(t(x))
    assert to.dtype == ko.dtype == np.dtype(dtype)
    assert list(ko.shape) == list(k.compute_output_shape(x.shape)) == list(t.compute_output_shape(x.shape))
    np.testing.assert_allclose(to, ko, atol=1e-5, rtol=0)
    assert _config(k) == _config(t)
    assert t.weights == [] and k.weights == []


def test_mel_spectrogram_rejects_short_fft():
    with pytest.raises(ValueError, match="fft_length"):
        kt.layers.MelSpectrogram(fft_length=256, sequence_length=512)


def test_spectrogram_model_fits_and_round_trips(tmp_path):
    kt.utils.set_random_seed(0)
    inputs = kt.Input((256, 1))
    features = kt.layers.STFTSpectrogram(frame_length=32, frame_step=16)(inputs)
    outputs = kt.layers.Dense(2, activation="softmax")(kt.layers.GlobalAveragePooling1D()(features))
    model = kt.Model(inputs, outputs)
    model.compile("adam", "sparse_categorical_crossentropy")
    x = np.random.default_rng(0).standard_normal((8, 256, 1)).astype("float32")
    history = model.fit(x, np.arange(8) % 2, epochs=1, batch_size=4, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    path = str(tmp_path / "stft.keras")
    model.save(path)
    loaded = kt.models.load_model(path)
    np.testing.assert_allclose(_np(loaded.predict(x, verbose=0)), _np(model.predict(x, verbose=0)), atol=1e-6)
    mel = kt.Sequential([kt.Input((2048,)), kt.layers.MelSpectrogram(fft_length=256, sequence_stride=128,
                                                                        num_mel_bins=8)])
    assert tuple(mel.output_shape) == (None, 8, 17)
    mel.save(str(tmp_path / "mel.keras"))
    again = kt.models.load_model(str(tmp_path / "mel.keras"))
    y = np.random.default_rng(1).standard_normal((2, 2048)).astype("float32")
    np.testing.assert_allclose(_np(again.predict(y, verbose=0)), _np(mel.predict(y, verbose=0)), atol=1e-6)
