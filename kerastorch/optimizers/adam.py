"""Adam, Keras formula: epsilon is added to ``sqrt(v)``, bias correction folded into ``alpha``."""
from __future__ import annotations

import math

import torch

from kerastorch.optimizers.base_optimizer import Optimizer


class Adam(Optimizer):
    """Adam (Kingma & Ba), as Keras computes it::

        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g**2
        alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)
        w -= alpha * m / (sqrt(v) + epsilon)

    With ``amsgrad=True`` the running maximum of ``v`` replaces ``v``.
    """

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name: str | None = None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad

    def _slot_names(self) -> list[str]:
        return ["momentum", "velocity"] + (["velocity_hat"] if self.amsgrad else [])

    def _slot_groups(self) -> list[list[str]]:
        # Keras: m0, v0, m1, v1, ... then velocity_hat0, velocity_hat1, ...
        return [["momentum", "velocity"]] + ([["velocity_hat"]] if self.amsgrad else [])

    def _update_group(self, group, grads, lr, local_step, scalars) -> None:
        b1, b2 = self.beta_1, self.beta_2
        m, v = group.slots["momentum"], group.slots["velocity"]
        if not self.amsgrad and _fused_adam_usable(group.params, grads):
            # torch's fused Adam computes lr/c1 * m / (sqrt(v)/c2 + eps'), with c_i the bias
            # corrections; eps' = epsilon / c2 makes that exactly Keras's lr*c2/c1 * m / (sqrt(v) + eps).
            c2 = math.sqrt(1.0 - b2 ** local_step)
            step = self._fused_step_tensor(group.params[0].device)
            step.fill_(float(local_step))
            torch._fused_adam_(group.params, grads, m, v, [], [step] * len(m), lr=lr, beta1=b1, beta2=b2,
                               weight_decay=0.0, eps=self.epsilon / c2, amsgrad=False, maximize=False)
            return
        torch._foreach_lerp_(m, grads, 1.0 - b1)
        torch._foreach_mul_(v, b2)
        torch._foreach_addcmul_(v, grads, grads, value=1.0 - b2)
        if self.amsgrad:
            v_hat = group.slots["velocity_hat"]
            torch._foreach_maximum_(v_hat, v)
            v = v_hat
        alpha = lr * math.sqrt(1.0 - b2 ** local_step) / (1.0 - b1 ** local_step)
        denom = torch._foreach_sqrt(v)
        torch._foreach_add_(denom, self.epsilon)
        torch._foreach_addcdiv_(group.params, m, denom, value=-alpha)

    def _uses_fused_kernel(self, variables: list[torch.Tensor]) -> bool:
        return not self.amsgrad and _fused_adam_usable(variables, [])

    def _fused_step_tensor(self, device: torch.device) -> torch.Tensor:
        cache = self.__dict__.setdefault("_fused_steps", {})
        if device not in cache:
            cache[device] = torch.zeros((), dtype=torch.float32, device=device)
        return cache[device]

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "amsgrad": self.amsgrad})
        return config


def _fused_adam_usable(params: list[torch.Tensor], grads: list[torch.Tensor]) -> bool:
    """torch's fused Adam kernel runs on CPU and CUDA float tensors with dense gradients."""
    if not hasattr(torch, "_fused_adam_") or not params or torch.compiler.is_compiling():
        # Inside a compiled train step the foreach formula below is what inductor fuses; the
        # fused op's shared step tensor cannot be functionalized.
        return False
    p = params[0]
    return p.device.type in ("cpu", "cuda") and p.dtype in (torch.float32, torch.float16, torch.bfloat16) \
        and not any(g.is_sparse for g in grads)
