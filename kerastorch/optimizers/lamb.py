"""LAMB (You et al., 2019): Adam's direction rescaled per variable by ``||w|| / ||update||``."""
from __future__ import annotations

import torch

from kerastorch.optimizers.base_optimizer import Optimizer


class Lamb(Optimizer):
    """Layer-wise adaptive moments, Keras formula::

        m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g**2
        u = (m / (1 - b1**t)) / (sqrt(v / (1 - b2**t)) + epsilon)
        w -= lr * (||w|| / ||u|| if both are > 0 else 1) * u
    """

    _interleave_slots = True  # Keras creates both slots per variable in one loop

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name: str | None = None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _slot_names(self) -> list[str]:
        return ["momentum", "velocity"]

    def _update_group(self, group, grads, lr, local_step, scalars) -> None:
        b1, b2 = self.beta_1, self.beta_2
        m, v = group.slots["momentum"], group.slots["velocity"]
        torch._foreach_lerp_(m, grads, 1.0 - b1)
        torch._foreach_mul_(v, b2)
        torch._foreach_addcmul_(v, grads, grads, value=1.0 - b2)
        c1, c2 = 1.0 - b1 ** local_step, 1.0 - b2 ** local_step
        for w, m_i, v_i in zip(group.params, m, v):
            update = (m_i / c1) / (torch.sqrt(v_i / c2) + self.epsilon)
            w_norm = torch.linalg.vector_norm(w)
            u_norm = torch.linalg.vector_norm(update)
            ratio = torch.where((w_norm > 0) & (u_norm > 0), w_norm / u_norm, torch.ones_like(w_norm))
            w.sub_(ratio * lr * update)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
