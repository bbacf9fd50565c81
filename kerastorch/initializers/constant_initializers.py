"""Deterministic initializers: ``Zeros``, ``Ones``, ``Constant`` and ``Identity``."""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from kerastorch._core import config
from kerastorch.initializers.initializer import Initializer, finish, standardize_shape


class Zeros(Initializer):
    def __call__(self, shape: Any, dtype: Any = None) -> torch.Tensor:
        return torch.zeros(standardize_shape(shape), dtype=config.to_torch_dtype(dtype))


class Ones(Initializer):
    def __call__(self, shape: Any, dtype: Any = None) -> torch.Tensor:
        return torch.ones(standardize_shape(shape), dtype=config.to_torch_dtype(dtype))


class Constant(Initializer):
    """Fills with ``value``, a scalar or anything broadcastable to the requested shape."""

    def __init__(self, value: Any = 0.0):
        self.value = value

    def __call__(self, shape: Any, dtype: Any = None) -> torch.Tensor:
        dt = config.to_torch_dtype(dtype)
        value = self.value
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu()
        value = torch.as_tensor(np.asarray(value), dtype=dt)
        return finish(torch.broadcast_to(value, standardize_shape(shape)).clone(), dt)

    def get_config(self) -> dict:
        value = self.value
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().numpy()
        if isinstance(value, np.ndarray):
            value = value.tolist()
        return {"value": value}


class Identity(Initializer):
    """``gain * eye(rows, cols)``; only for 2D shapes."""

    def __init__(self, gain: float = 1.0):
        self.gain = gain

    def __call__(self, shape: Any, dtype: Any = None) -> torch.Tensor:
        shape = standardize_shape(shape)
        if len(shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        dt = config.to_torch_dtype(dtype)
        return finish(self.gain * torch.eye(*shape), dt)

    def get_config(self) -> dict:
        # Keras's Identity serializes no arguments; a non-default gain is kept (Keras's from_config
        # accepts it) so that it survives a save/load round trip.
        return {} if self.gain == 1.0 else {"gain": self.gain}


IdentityInitializer = Identity


# Window functions by scipy.signal.get_window name; each takes (length, periodic).
_WINDOWS = {
    "hann": lambda n, periodic: torch.hann_window(n, periodic=periodic, dtype=torch.float64),
    "hamming": lambda n, periodic: torch.hamming_window(n, periodic=periodic, dtype=torch.float64),
    "blackman": lambda n, periodic: torch.blackman_window(n, periodic=periodic, dtype=torch.float64),
    "bartlett": lambda n, periodic: torch.bartlett_window(n, periodic=periodic, dtype=torch.float64),
    "boxcar": lambda n, periodic: torch.ones(n, dtype=torch.float64),
}
_WINDOWS["hanning"] = _WINDOWS["hann"]
_WINDOWS["rectangular"] = _WINDOWS["boxcar"]


class STFT(Initializer):
    """Kernels of a short-time Fourier transform, for a ``Conv1D`` that computes spectrograms.

    For a shape ``(frame_length, input_channels, fft_bins)`` the kernel holds the real (cos) or
    imaginary (-sin) DFT basis, times ``window`` and divided by its ``scaling`` ("density":
    the window's L2 norm, "spectrum": its L1 norm). ``window`` is a name (hann, hamming,
    blackman, bartlett, boxcar: the scipy windows torch provides) or an array of
    ``frame_length`` values; ``periodic`` picks the periodic rather than the symmetric window.
    """

    def __init__(self, side: str = "real", window: Any = "hann", scaling: str | None = "density",
                 periodic: bool = False):
        if side not in ("real", "imag"):
            raise ValueError(f"side should be 'real' or 'imag', not {side}")
        if isinstance(window, str) and window not in _WINDOWS:
            raise ValueError(f"Unsupported window {window!r}: kerastorch provides {sorted(_WINDOWS)} "
                             "(scipy.signal's other windows are not available); pass the window values as an "
                             "array instead.")
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError("Scaling is invalid, it must be `None`, 'density' or 'spectrum'. "
                             f"Received scaling={scaling}")
        self.side = side
        self.window = window
        self.scaling = scaling
        self.periodic = periodic

    def __call__(self, shape: Any, dtype: Any = None) -> torch.Tensor:
        dt = config.to_torch_dtype(dtype)
        frame_length, _, fft_length = standardize_shape(shape)
        # Computed in the target dtype in Keras's order of operations (not in float64): the
        # rounding of the phase grows with frame_length, and STFTSpectrogram's outputs (log of
        # small magnitudes) only agree with Keras's within 1e-5 when the kernels are Keras's.
        work = dt if dt.is_floating_point else torch.float32
        freq = torch.arange(fft_length, dtype=work).reshape(1, 1, fft_length) / ((fft_length - 1) * 2)
        time = torch.arange(frame_length, dtype=work).reshape(frame_length, 1, 1)
        args = ((-2 * time) * freq) * torch.arccos(torch.tensor(-1.0, dtype=work))
        kernel = torch.cos(args) if self.side == "real" else torch.sin(args)
        if self.window is not None:
            if isinstance(self.window, str):
                win = _WINDOWS[self.window](frame_length, self.periodic).to(work)
            else:
                win = torch.as_tensor(np.asarray(self.window), dtype=work)
            if win.ndim != 1 or win.shape[-1] != frame_length:
                raise ValueError(f"The shape of `window` must be equal to [frame_length]. Received: window "
                                 f"shape={tuple(win.shape)}")
            win = win.reshape(frame_length, 1, 1)
            scaling = 1.0
            if self.scaling == "density":
                scaling = torch.sqrt(torch.sum(win ** 2))
            elif self.scaling == "spectrum":
                scaling = torch.sum(torch.abs(win))
            kernel = kernel * win / scaling
        return finish(kernel, dt)

    def get_config(self) -> dict:
        return {"side": self.side, "window": self.window, "periodic": self.periodic, "scaling": self.scaling}


STFTInitializer = STFT
