"""SGD with optional (Nesterov) momentum, Keras formulas."""
from __future__ import annotations

import torch

from kerastorch.optimizers.base_optimizer import Optimizer


class SGD(Optimizer):
    """Gradient descent, with momentum when ``momentum > 0``.

    ``velocity = momentum * velocity - lr * g``; ``w += velocity``, or with
    ``nesterov=True`` ``w += momentum * velocity - lr * g``.  Without momentum
    ``w -= lr * g``.
    """

    def __init__(self, learning_rate=0.01, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name: str | None = None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        if isinstance(momentum, bool) or not isinstance(momentum, (int, float)) or not 0 <= momentum <= 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: momentum={momentum!r}")
        self.momentum = float(momentum)
        self.nesterov = nesterov

    def _slot_names(self) -> list[str]:
        return ["momentum"] if self.momentum != 0 else []

    def _update_group(self, group, grads, lr, local_step, scalars) -> None:
        params = group.params
        if self.momentum == 0:
            torch._foreach_add_(params, grads, alpha=-lr)
            return
        m = group.slots["momentum"]
        torch._foreach_mul_(m, self.momentum)
        torch._foreach_add_(m, grads, alpha=-lr)
        if self.nesterov:
            torch._foreach_add_(params, m, alpha=self.momentum)
            torch._foreach_add_(params, grads, alpha=-lr)
        else:
            torch._foreach_add_(params, m)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
