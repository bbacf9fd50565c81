"""``DropoutRNNCell``: the dropout-mask bookkeeping shared by the built-in RNN cells.

Keras draws one dropout mask per sequence (not per step): the RNN layer asks the
cell for its masks before the loop, every step reuses them, and the layer resets
them afterwards. A cell with ``dropout_mask_count`` set (implementation 1, used
when ``recurrent_dropout > 0``) draws one mask per gate.
"""
from __future__ import annotations

import torch


class DropoutRNNCell:
    """Mixin for cells with ``dropout`` / ``recurrent_dropout`` rates."""

    dropout: float = 0.0
    recurrent_dropout: float = 0.0

    def _create_dropout_mask(self, like: torch.Tensor, rate: float):
        count = getattr(self, "dropout_mask_count", None)
        generator = getattr(self, "_generator", None)

        def one():
            keep = 1.0 - rate
            if generator is not None and like.device.type == "cpu":
                draw = torch.rand(like.shape, generator=generator, dtype=like.dtype)
            else:
                draw = torch.rand(like.shape, dtype=like.dtype, device=like.device)
            return (draw < keep).to(like.dtype) / keep

        if count is None:
            return one()
        return [one() for _ in range(count)]

    def get_dropout_mask(self, step_input: torch.Tensor):
        """The input dropout mask(s) for this sequence, drawn on first use; None if dropout is 0."""
        if getattr(self, "_dropout_mask", None) is None and self.dropout > 0:
            self._dropout_mask = self._create_dropout_mask(step_input, self.dropout)
        return getattr(self, "_dropout_mask", None)

    def get_recurrent_dropout_mask(self, step_state: torch.Tensor):
        if getattr(self, "_recurrent_dropout_mask", None) is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._create_dropout_mask(step_state, self.recurrent_dropout)
        return getattr(self, "_recurrent_dropout_mask", None)

    def reset_dropout_mask(self) -> None:
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self) -> None:
        self._recurrent_dropout_mask = None

    def _init_seed(self, seed) -> None:
        self.seed = seed
        self._generator = None
        if seed is not None:
            self._generator = torch.Generator()
            self._generator.manual_seed(int(seed))

    def _dense_input_projection(self, x: torch.Tensor, training, n_gates: int, bias) -> torch.Tensor:
        """``x @ kernel + bias`` for one step or a whole sequence, with Keras's input dropout
        (one mask, or one per gate for implementation 1). Shared by the LSTM and GRU cells."""
        kernel = self.kernel
        if x.dtype != kernel.dtype:
            x = x.to(kernel.dtype)
        dp = None
        if training and 0.0 < self.dropout < 1.0:
            dp = self.get_dropout_mask(x if x.ndim == self._step_ndim else x[0])
        if dp is None:
            z = torch.matmul(x, kernel)
        elif isinstance(dp, list):
            z = torch.cat([torch.matmul(x * m, k) for m, k in zip(dp, torch.chunk(kernel, n_gates, dim=1))],
                          dim=-1)
        else:
            z = torch.matmul(x * dp, kernel)
        return z if bias is None else z + bias
