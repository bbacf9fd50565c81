"""`TerminateOnNaN`: stop training as soon as the loss becomes NaN or inf."""
from __future__ import annotations

import math
import sys

from kerastorch.callbacks.callback import Callback, to_float


class TerminateOnNaN(Callback):
    """Checks `logs["loss"]` after every training batch.

    This reads the loss every step, which syncs with the device: that is
    the price of catching a NaN at once.

    Args:
        raise_error: if True, raise RuntimeError instead of stopping
            gracefully with `model.stop_training = True` (which still runs
            the `on_train_end` hooks).
    """

    _supports_lazy_logs = True  # reads only the loss, not every log value

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss = to_float(loss)
        if math.isnan(loss) or math.isinf(loss):
            if self.raise_error:
                raise RuntimeError(
                    f"NaN or Inf loss encountered at batch {batch}. "
                    f"Loss value: {loss}. Terminating training immediately."
                )
            sys.stdout.write(f"Batch {batch}: Invalid loss, terminating training\n")
            sys.stdout.flush()
            self.model.stop_training = True
