"""``MelSpectrogram``: audio ``(batch, samples)`` -> mel-scaled (dB) spectrogram ``(batch, mels, frames)``.

As Keras: a centred, reflect-padded STFT (``keras.ops.stft``, a periodic hann/hamming window),
magnitude raised to ``mag_exp``, projected on ``num_mel_bins`` triangular mel filters (the HTK mel
scale, Keras's ``linear_to_mel_weight_matrix``: the DC bin gets no weight), and, with
``power_to_db``, ``10 * log10`` relative to ``ref_power``, floored ``top_db`` below the largest
value of the whole batch (Keras takes that maximum over the batch, not per example). The mel
matrix is built once per (spectrogram bins, dtype, device) and cached; it is not a weight, so
the layer has no variables, as in Keras.
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch.backend import config
from kerastorch.layers.layer import Layer
from kerastorch.ops import math as math_ops
from kerastorch.ops.core import convert_to_tensor

Tensor = torch.Tensor

_MEL_BREAK_FREQUENCY_HERTZ = 700.0
_MEL_HIGH_FREQUENCY_Q = 1127.0


def _hertz_to_mel(frequencies: Tensor) -> Tensor:
    return _MEL_HIGH_FREQUENCY_Q * torch.log(1.0 + frequencies / _MEL_BREAK_FREQUENCY_HERTZ)


def _linspace(start: Tensor, stop: Tensor, num: int) -> Tensor:
    # Keras's torch linspace for tensor end points: start + (arange / (num - 1)) * (stop - start),
    # which rounds differently from torch.linspace; the filters must be Keras's to the last bit.
    steps = torch.arange(num, dtype=start.dtype, device=start.device) / (num - 1)
    return start[None] + steps * (stop - start)[None]


def linear_to_mel_weight_matrix(num_mel_bins: int = 20, num_spectrogram_bins: int = 129,
                                sampling_rate: float = 8000, lower_edge_hertz: float = 125.0,
                                upper_edge_hertz: float = 3800.0, dtype: torch.dtype = torch.float32,
                                device: Any = None) -> Tensor:
    """``(num_spectrogram_bins, num_mel_bins)`` triangular filters, computed in ``dtype`` as Keras does."""
    sampling_rate_t = torch.tensor(sampling_rate, dtype=dtype, device=device)
    lower = torch.tensor(lower_edge_hertz, dtype=dtype, device=device)
    upper = torch.tensor(upper_edge_hertz, dtype=dtype, device=device)
    zero = torch.tensor(0.0, dtype=dtype, device=device)
    # The DC bin carries no mel weight (bands_to_zero = 1 in Keras/TF).
    linear = _linspace(zero, sampling_rate_t / 2.0, num_spectrogram_bins)[1:]
    spectrogram_bins_mel = _hertz_to_mel(linear).unsqueeze(1)
    edges = _linspace(_hertz_to_mel(lower), _hertz_to_mel(upper), num_mel_bins + 2)
    lower_mel, center_mel, upper_mel = (edges[i:i + num_mel_bins].reshape(1, num_mel_bins) for i in range(3))
    lower_slopes = (spectrogram_bins_mel - lower_mel) / (center_mel - lower_mel)
    upper_slopes = (upper_mel - spectrogram_bins_mel) / (upper_mel - center_mel)
    weights = torch.maximum(zero, torch.minimum(lower_slopes, upper_slopes))
    return torch.nn.functional.pad(weights, (0, 0, 1, 0))


class MelSpectrogram(Layer):
    """Mel spectrogram of raw audio (``(samples,)`` or ``(batch, samples)``).

    Args:
        fft_length: FFT size.
        sequence_stride: hop between frames, in samples.
        sequence_length: window length (default ``fft_length``; at most ``fft_length``).
        window: ``"hann"``, ``"hamming"`` or None.
        sampling_rate: samples per second of the input.
        num_mel_bins: number of mel filters (output rows).
        min_freq, max_freq: filter-bank edges in Hz (``max_freq`` defaults to ``sampling_rate / 2``).
        power_to_db: convert the power to decibels.
        top_db: dynamic range kept below the maximum, in dB.
        mag_exp: exponent of the magnitude (2: power).
        min_power: floor before the logarithm.
        ref_power: power that maps to 0 dB.
    """

    def __init__(self, fft_length: int = 2048, sequence_stride: int = 512, sequence_length: int | None = None,
                 window: str | None = "hann", sampling_rate: int = 16000, num_mel_bins: int = 128,
                 min_freq: float = 20.0, max_freq: float | None = None, power_to_db: bool = True,
                 top_db: float = 80.0, mag_exp: float = 2.0, min_power: float = 1e-10, ref_power: float = 1.0,
                 **kwargs: Any) -> None:
        self.fft_length = fft_length
        self.sequence_stride = sequence_stride
        self.sequence_length = sequence_length or fft_length
        if self.fft_length < self.sequence_length:
            raise ValueError("`fft_length` must be greater than or equal to `sequence_length`. Received: "
                             f"`sequence_length`={self.sequence_length}, `fft_length`={self.fft_length}.")
        self.window = window
        self.sampling_rate = sampling_rate
        self.num_mel_bins = num_mel_bins
        self.min_freq = min_freq
        self.max_freq = max_freq or int(sampling_rate / 2)
        self.power_to_db = power_to_db
        self.top_db = top_db
        self.mag_exp = mag_exp
        self.min_power = min_power
        self.ref_power = ref_power
        super().__init__(**kwargs)
        self._mel_cache: dict[tuple, Tensor] = {}

    def build(self, input_shape: Any) -> None:
        self.built = True

    def call(self, inputs: Any) -> Tensor:
        compute = config.to_torch_dtype(self.compute_dtype)
        # keras.ops.stft runs in float32/float64 only; other compute dtypes go through float32.
        dtype = compute if compute in (torch.float32, torch.float64) else torch.float32
        x = convert_to_tensor(inputs).to(dtype)
        real, imag = math_ops.stft(x, sequence_length=self.sequence_length, sequence_stride=self.sequence_stride,
                                   fft_length=self.fft_length, window=self.window, center=True)
        # The exponent as a float32 tensor, as Keras's ops.power passes it: torch's pow takes another
        # path for a Python scalar and rounds differently.
        spec = torch.pow(torch.sqrt(real * real + imag * imag),
                         torch.tensor(self.mag_exp, dtype=torch.float32, device=real.device))
        # Keras's tensordot promotes (float64 spectrogram, float32 filters) to float32 (its dtype
        # lattice), so the projection and the dB scale run in float32 at any compute dtype.
        outputs = torch.tensordot(spec.to(torch.float32), self._mel_matrix(spec.shape[-1], spec.device), dims=1)
        if self.power_to_db:
            outputs = self._dbscale(outputs)
        return outputs.transpose(-1, -2).to(compute)

    def _mel_matrix(self, num_spectrogram_bins: int, device: Any) -> Tensor:
        # Keras builds the matrix in float32 whatever the signal's dtype.
        key = (num_spectrogram_bins, str(device))
        matrix = self._mel_cache.get(key)
        if matrix is None:
            matrix = linear_to_mel_weight_matrix(self.num_mel_bins, num_spectrogram_bins, self.sampling_rate,
                                                 self.min_freq, self.max_freq, torch.float32, device)
            self._mel_cache[key] = matrix
        return matrix

    def _dbscale(self, inputs: Tensor) -> Tensor:
        log_spec = 10.0 * torch.log10(torch.clamp(inputs, min=self.min_power))
        # Keras turns ref_power into a float32 tensor, so its offset is a float32 value at any dtype.
        ref = torch.tensor(float(self.ref_power), dtype=torch.float32, device=log_spec.device).abs()
        log_spec = log_spec - 10.0 * torch.log10(torch.clamp(ref, min=self.min_power))
        return torch.maximum(log_spec, log_spec.max() - self.top_db)

    def compute_output_shape(self, input_shape: Any) -> list:
        def frames(samples: int | None) -> int | None:
            return None if samples is None else (samples + self.sequence_stride + 1) // self.sequence_stride

        if len(input_shape) == 1:
            return [self.num_mel_bins, frames(input_shape[0])]
        return [input_shape[0], self.num_mel_bins, frames(input_shape[1])]

    def get_config(self) -> dict:
        return {**super().get_config(), "fft_length": self.fft_length, "sequence_stride": self.sequence_stride,
                "sequence_length": self.sequence_length, "window": self.window,
                "sampling_rate": self.sampling_rate, "num_mel_bins": self.num_mel_bins,
                "min_freq": self.min_freq, "max_freq": self.max_freq, "power_to_db": self.power_to_db,
                "top_db": self.top_db, "mag_exp": self.mag_exp, "min_power": self.min_power,
                "ref_power": self.ref_power}
