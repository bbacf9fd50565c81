"""``STFTSpectrogram``: a short-time Fourier transform as two strided 1-D convolutions, as Keras does.

The layer holds the DFT basis times the window as (trainable, like Keras's) ``real_kernel`` and
``imag_kernel`` weights of Keras shape ``(frame_length, 1, fft_length // 2 + 1)``, built by the
``STFT`` initializer, and convolves every channel of a ``(batch, time, channels)`` signal with
them (``frame_step`` stride, ``valid``/``same`` padding). ``mode`` picks what comes out: the
log-magnitude (default), magnitude, power spectral density, real or imaginary part, phase, or
real and imaginary stacked ("stft"). Channels are flattened into the frequency axis unless
``expand_dims`` keeps them as their own axis. The weights stay in Keras's layout (the kernel is
read as a view), so ``get_weights``/``set_weights`` and saved files are Keras's.
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import torch

from kerastorch import initializers
from kerastorch.backend import config
from kerastorch.layers.input_spec import InputSpec
from kerastorch.layers.layer import Layer
from kerastorch.ops import nn as nn_ops

Tensor = torch.Tensor
_MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")


class STFTSpectrogram(Layer):
    """Spectrogram of a ``(batch, time, channels)`` signal (``channels_first``: ``(batch, channels, time)``).

    Args:
        mode: ``"log"``, ``"magnitude"``, ``"psd"``, ``"real"``, ``"imag"``, ``"angle"`` or ``"stft"``.
        frame_length: samples per frame (the window length).
        frame_step: stride between frames; default ``frame_length // 2``.
        fft_length: FFT size (>= ``frame_length``); default the next power of two.
        window: a window name (hann, hamming, blackman, bartlett, boxcar) or ``frame_length`` values, or None.
        periodic: periodic rather than symmetric named window.
        scaling: ``"density"`` (L2 norm of the window), ``"spectrum"`` (its L1 norm) or None.
        padding: ``"valid"`` or ``"same"``.
        expand_dims: keep channels as a separate last (or, channels_first, second) axis.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
    """

    def __init__(self, mode: str = "log", frame_length: int = 256, frame_step: int | None = None,
                 fft_length: int | None = None, window: Any = "hann", periodic: bool = False,
                 scaling: str | None = "density", padding: str = "valid", expand_dims: bool = False,
                 data_format: str | None = None, **kwargs: Any) -> None:
        if frame_step is not None and (frame_step > frame_length or frame_step < 1):
            raise ValueError("`frame_step` should be a positive integer not greater than `frame_length`. "
                             f"Received frame_step={frame_step}, frame_length={frame_length}")
        if fft_length is not None and fft_length < frame_length:
            raise ValueError("`fft_length` should be not less than `frame_length`. "
                             f"Received fft_length={fft_length}, frame_length={frame_length}")
        if fft_length is not None and (fft_length & -fft_length) != fft_length:
            warnings.warn(f"`fft_length` is recommended to be a power of two. Received fft_length={fft_length}",
                          stacklevel=2)
        if mode not in _MODES:
            raise ValueError(f"Output mode is invalid, it must be one of {', '.join(_MODES)}. Received: mode={mode}")
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError("Scaling is invalid, it must be `None`, 'density' or 'spectrum'. "
                             f"Received scaling={scaling}")
        if padding not in ("valid", "same"):
            raise ValueError(f"Padding is invalid, it should be 'valid', 'same'. Received: padding={padding}")
        # Validates a window name early (the initializer raises for names it cannot build).
        initializers.STFT("real", window, scaling, periodic)
        super().__init__(**kwargs)
        self.mode = mode
        self.frame_length = frame_length
        self.frame_step = frame_step
        self._frame_step = frame_step or frame_length // 2
        self.fft_length = fft_length
        self._fft_length = fft_length or 2 ** int(math.ceil(math.log2(frame_length)))
        self.window = window
        self.periodic = periodic
        self.scaling = scaling
        self.padding = padding
        self.expand_dims = expand_dims
        self.data_format = config.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape: Any) -> None:
        shape = (self.frame_length, 1, self._fft_length // 2 + 1)
        if self.mode != "imag":
            self.real_kernel = self.add_weight(
                name="real_kernel", shape=shape,
                initializer=initializers.STFT("real", self.window, self.scaling, self.periodic))
        if self.mode != "real":
            self.imag_kernel = self.add_weight(
                name="imag_kernel", shape=shape,
                initializer=initializers.STFT("imag", self.window, self.scaling, self.periodic))
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        if inputs.dtype not in (torch.float16, torch.float32, torch.float64):
            raise TypeError(f"Invalid input type. Expected `float16`, `float32` or `float64`. Received: input "
                            f"type={inputs.dtype}")
        # Keras casts floating inputs to the compute dtype on the way in (numpy float64 included).
        inputs = inputs.to(config.to_torch_dtype(self.compute_dtype))
        real = self._apply_conv(inputs, self.real_kernel) if self.mode != "imag" else None
        imag = self._apply_conv(inputs, self.imag_kernel) if self.mode != "real" else None
        if self.mode == "real":
            return self._adjust_shapes(real)
        if self.mode == "imag":
            return self._adjust_shapes(imag)
        if self.mode == "angle":
            return self._adjust_shapes(torch.atan2(imag, real))
        if self.mode == "stft":
            return self._adjust_shapes(torch.cat([real, imag], dim=2))
        power = real * real + imag * imag
        if self.mode == "psd":
            # One-sided PSD: every bin but DC and Nyquist counts twice.
            inner = torch.nn.functional.pad(power[:, :, 1:-1, :], (0, 0, 1, 1))
            return self._adjust_shapes(power + inner)
        epsilon = config.epsilon()
        magnitude = self._adjust_shapes(torch.sqrt(torch.clamp(power, min=epsilon)))
        if self.mode == "magnitude":
            return magnitude
        return torch.log(torch.clamp(magnitude, min=epsilon))

    def _apply_conv(self, inputs: Tensor, kernel: Tensor) -> Tensor:
        """``(batch, channels, freq, frames)``: each channel convolved on its own with the kernel."""
        signal = inputs.transpose(1, 2) if self.data_format == "channels_last" else inputs
        batch, channels, time = signal.shape
        signal = signal.reshape(batch * channels, 1, time)
        out = nn_ops.conv(signal, kernel.to(signal.dtype), strides=self._frame_step, padding=self.padding,
                          data_format="channels_first")
        return out.reshape(batch, channels, out.shape[1], out.shape[2])

    def _adjust_shapes(self, outputs: Tensor) -> Tensor:
        batch, channels, freq, frames = outputs.shape
        if self.data_format == "channels_last":
            if self.expand_dims:
                return outputs.permute(0, 3, 2, 1)
            return outputs.reshape(batch, channels * freq, frames).transpose(1, 2)
        if self.expand_dims:
            return outputs.transpose(2, 3)
        return outputs.reshape(batch, channels * freq, frames)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        last = self.data_format == "channels_last"
        batch = input_shape[0]
        time, channels = (input_shape[1], input_shape[2]) if last else (input_shape[2], input_shape[1])
        freq = self._fft_length // 2 + 1
        if self.mode == "stft":
            freq *= 2
        if time is None:
            frames = None
        elif self.padding == "same":
            frames = (time + self._frame_step - 1) // self._frame_step
        else:
            frames = (time - self.frame_length) // self._frame_step + 1
        if self.expand_dims:
            return (batch, frames, freq, channels) if last else (batch, channels, frames, freq)
        flat = None if channels is None else freq * channels
        return (batch, frames, flat) if last else (batch, flat, frames)

    def get_config(self) -> dict:
        return {**super().get_config(), "mode": self.mode, "frame_length": self.frame_length,
                "frame_step": self.frame_step, "fft_length": self.fft_length, "window": self.window,
                "periodic": self.periodic, "scaling": self.scaling, "padding": self.padding,
                "data_format": self.data_format, "expand_dims": self.expand_dims}
