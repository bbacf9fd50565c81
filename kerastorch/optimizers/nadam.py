"""Nadam (Adam with Nesterov momentum), Keras's momentum-cache formula."""
from __future__ import annotations

import torch

from kerastorch.optimizers.base_optimizer import Optimizer


class Nadam(Optimizer):
    """Keras's Nadam (Dozat 2015)::

        u_t   = b1 * (1 - 0.5 * 0.96**t);   u_t1 = b1 * (1 - 0.5 * 0.96**(t+1))
        u_product *= u_t                     (optimizer-wide state, starts at 1)
        m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g**2
        m_hat = u_t1*m / (1 - u_product*u_t1) + (1-u_t)*g / (1 - u_product)
        v_hat = v / (1 - b2**t)
        w -= lr * m_hat / (sqrt(v_hat) + eps)
    """

    _interleave_slots = True  # Keras creates both slots per variable in one loop

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name: str | None = None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _slot_names(self) -> list[str]:
        return ["momentum", "velocity"]

    def _create_extra_variables(self, variables):
        return {"u_product": torch.ones((), dtype=torch.float32)}

    def _prepare_step(self, local_step: int):
        cached = self.__dict__.get("_scalars_of_step")
        if cached is not None and cached[0] == local_step:
            # Asked twice for one step (a compiled step that fell back to eager): advance u_product once.
            return cached[1]
        b1 = self.beta_1
        u_t = b1 * (1.0 - 0.5 * 0.96 ** local_step)
        u_t1 = b1 * (1.0 - 0.5 * 0.96 ** (local_step + 1))
        u_product = self._extra["u_product"]
        u_product_t = float(u_product) * u_t
        u_product.fill_(u_product_t)
        scalars = (u_t, u_t1, u_product_t, u_product_t * u_t1)
        self.__dict__["_scalars_of_step"] = (local_step, scalars)
        return scalars

    def _update_group(self, group, grads, lr, local_step, scalars) -> None:
        u_t, u_t1, u_product_t, u_product_t1 = scalars
        b1, b2 = self.beta_1, self.beta_2
        m, v = group.slots["momentum"], group.slots["velocity"]
        torch._foreach_lerp_(m, grads, 1.0 - b1)
        torch._foreach_mul_(v, b2)
        torch._foreach_addcmul_(v, grads, grads, value=1.0 - b2)
        m_hat = torch._foreach_mul(m, u_t1 / (1.0 - u_product_t1))
        torch._foreach_add_(m_hat, grads, alpha=(1.0 - u_t) / (1.0 - u_product_t))
        denom = torch._foreach_div(v, 1.0 - b2 ** local_step)
        torch._foreach_sqrt_(denom)
        torch._foreach_add_(denom, self.epsilon)
        torch._foreach_addcdiv_(group.params, m_hat, denom, value=-lr)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
