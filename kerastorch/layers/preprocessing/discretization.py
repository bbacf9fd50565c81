"""``Discretization``: bucket continuous values by boundaries, given or learned as quantiles by ``adapt``.

``adapt`` keeps Keras's streaming quantile summary (sorted sample boundaries with weights, compressed to
``1/epsilon`` points after each batch), so the learned boundaries are the ones Keras learns from the same
data and batches.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from kerastorch.backend import config
from kerastorch.layers.layer import Layer
from kerastorch.layers.preprocessing.encoding import encode_categorical_inputs, output_depth_shape

_OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


class Discretization(Layer):
    """Map each value to the index of its bin: ``bin_boundaries=[0., 1., 2.]`` makes bins
    ``(-inf, 0), [0, 1), [1, 2), [2, +inf)``.

    Args:
        bin_boundaries: sorted boundaries; or None and ``num_bins`` with ``adapt``.
        num_bins: number of bins learned by ``adapt`` (quantiles).
        epsilon: error tolerance of the quantile summary (smaller: more exact, more memory).
        output_mode: ``"int"`` (bin indices) or ``"one_hot"`` / ``"multi_hot"`` / ``"count"``.
        sparse: must be False (dense outputs only).

    Example:
        >>> Discretization(bin_boundaries=[0.0, 1.0, 2.0])([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]])
    """

    def __init__(self, bin_boundaries: list | None = None, num_bins: int | None = None, epsilon: float = 0.01,
                 output_mode: str = "int", sparse: bool = False, dtype: Any = None, name: str | None = None) -> None:
        super().__init__(name=name, dtype=dtype)
        if sparse:
            raise ValueError("`sparse=True` is not supported: kerastorch produces dense outputs only.")
        if output_mode not in _OUTPUT_MODES:
            raise ValueError(f"Unknown value for `output_mode`. Allowed values are: {_OUTPUT_MODES}. "
                             f"Received: output_mode={output_mode}")
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"`num_bins` must be greater than or equal to 0. Received: `num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError("Both `num_bins` and `bin_boundaries` should not be set. Received: "
                             f"`num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        self.bin_boundaries = bin_boundaries
        self.num_bins, self.epsilon, self.output_mode, self.sparse = num_bins, epsilon, output_mode, sparse
        self.summary = None if bin_boundaries else np.array([[], []], dtype="float32")

    def build(self, input_shape: Any) -> None:
        self.built = True

    def _convert_inputs(self, inputs: Any) -> torch.Tensor:
        # Nested lists are one array of values here (Keras's docstring calls), not a structure of inputs.
        return torch.as_tensor(np.asarray(inputs, dtype="float32"))

    # ------------------------------------------------------------------ adapt
    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Learn ``num_bins`` quantile boundaries from an array, or from an iterable of batches."""
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized with `bin_boundaries`, "
                             "use `num_bins` instead.")
        self.reset_state()
        if isinstance(data, (np.ndarray, torch.Tensor, list, tuple)):
            self.update_state(data)
        else:
            for i, batch in enumerate(data):
                if steps is not None and i >= steps:
                    break
                self.update_state(batch)
        self.finalize_state()

    def update_state(self, data: Any) -> None:
        if isinstance(data, torch.Tensor):
            data = data.detach().cpu().numpy()
        self.summary = _merge_summaries(_summarize(np.array(data).astype("float32"), self.epsilon), self.summary,
                                        self.epsilon)

    def finalize_state(self) -> None:
        if self.num_bins is not None:
            self.bin_boundaries = _compress_summary(self.summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def reset_state(self) -> None:
        if self.num_bins is not None:
            self.summary = np.array([[], []], dtype="float32")

    # ------------------------------------------------------------------- call
    def call(self, inputs: Any) -> torch.Tensor:
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at construction time or call "
                             "`adapt(dataset)` before you can start using the `Discretization` layer.")
        if not isinstance(inputs, torch.Tensor):
            inputs = torch.as_tensor(np.asarray(inputs, dtype="float32"))
        boundaries = torch.as_tensor(self.bin_boundaries, dtype=inputs.dtype if inputs.is_floating_point()
                                     else torch.float32, device=inputs.device)
        indices = torch.bucketize(inputs.to(boundaries.dtype), boundaries, right=True)
        dtype = torch.int32 if self.output_mode == "int" else config.to_torch_dtype(self._variable_dtype())
        return encode_categorical_inputs(indices, self.output_mode, len(self.bin_boundaries) + 1, dtype)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins
        input_shape = tuple(input_shape)
        if self.output_mode in ("multi_hot", "count") and len(input_shape) >= 2:
            return (input_shape[0],) + input_shape[2:] + (depth,)
        return output_depth_shape(input_shape, self.output_mode, depth)

    def get_config(self) -> dict:
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode, "sparse": self.sparse, "name": self.name,
                "dtype": super().get_config().get("dtype")}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Discretization":
        # A layer adapted with num_bins keeps both: rebuild with num_bins, then restore the boundaries.
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            config = dict(config)
            boundaries = config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = boundaries
            return layer
        return cls(**config)


def _summarize(values: np.ndarray, epsilon: float) -> np.ndarray:
    """Every ``step``-th sorted value with weight ``step``: a compact approximation of the distribution."""
    values = np.sort(np.reshape(values, [-1]))
    step = max(values.size / (1.0 / epsilon), 1)
    boundaries = values[int(step - 1)::int(step)]
    return np.stack([boundaries, np.ones_like(boundaries) * step])


def _merge_summaries(prev: np.ndarray, new: np.ndarray, epsilon: float) -> np.ndarray:
    merged = np.concatenate((prev, new), axis=1)
    return _compress_summary(np.take(merged, np.argsort(merged[0]), axis=1), epsilon)


def _compress_summary(summary: np.ndarray, epsilon: float) -> np.ndarray:
    """Interpolate the summary at the quantiles ``epsilon, 2·epsilon, …, 1``."""
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum_weights = summary[1].cumsum()
    cum_percents = cum_weights / cum_weights[-1]
    new_bins = np.interp(percents, cum_percents, summary[0])
    new_cum = np.interp(percents, cum_percents, cum_weights)
    new_weights = new_cum - np.concatenate((np.array([0]), new_cum[:-1]))
    return np.stack((new_bins, new_weights)).astype("float32")
