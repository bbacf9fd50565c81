"""``SpectralNormalization``: divide a wrapped layer's kernel by its spectral norm (Miyato et al., 2018).

The wrapper owns one non-trainable weight, ``vector_u`` ``(1, kernel.shape[-1])`` (truncated
normal, stddev 0.02), the running estimate of the kernel's leading right singular vector.
In a training call, ``power_iterations`` rounds of power iteration refine ``u`` and the kernel
is *assigned* ``kernel / sigma`` in place (not differentiated through, as Keras's ``assign``);
an all-zero kernel is left alone. Inference calls use the kernel as it stands.

The kernel is the wrapped layer's ``kernel`` (or ``embeddings``); it stays registered on the
wrapped layer only, and the weight order is Keras's: kernel, vector_u, then the wrapped
layer's other weights.
"""
from __future__ import annotations

import torch

from kerastorch import initializers
from kerastorch.backend import config
from kerastorch.layers.core.wrapper import Wrapper


def _l2_normalize(x: torch.Tensor) -> torch.Tensor:
    # keras.ops.normalize(x, axis=None): x * min(rsqrt(sum(x**2)), 1 / epsilon)
    inv_norm = torch.rsqrt(x.square().sum()).clamp(max=1.0 / config.epsilon())
    return x * inv_norm


class SpectralNormalization(Wrapper):
    """Spectral normalization of a wrapped layer's kernel (any layer with ``kernel`` or ``embeddings``).

    Example:

    >>> layer = keras.layers.SpectralNormalization(keras.layers.Dense(3))
    >>> layer(np.ones((2, 4), "float32"), training=True).shape
    torch.Size([2, 3])
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        super().__init__(layer, **kwargs)
        if power_iterations <= 0:
            raise ValueError("`power_iterations` should be greater than zero. Received: "
                             f"`power_iterations={power_iterations}`")
        self.power_iterations = power_iterations

    def build(self, input_shape) -> None:
        super().build(input_shape)
        if hasattr(self.layer, "kernel"):
            self._kernel_attr = "kernel"
        elif hasattr(self.layer, "embeddings"):
            self._kernel_attr = "embeddings"
        else:
            raise ValueError(f"{type(self.layer).__name__} object has no attribute 'kernel' nor 'embeddings'")
        kernel = self.kernel
        self.kernel_shape = tuple(self._keras_kernel().shape)
        self.vector_u = self.add_weight("vector_u", (1, self.kernel_shape[-1]),
                                        initializers.TruncatedNormal(stddev=0.02), trainable=False,
                                        dtype=kernel.dtype)
        self.built = True

    @property
    def kernel(self) -> torch.Tensor:
        """The wrapped layer's kernel (or embeddings), the weight being normalized."""
        return getattr(self.layer, self._kernel_attr)

    def _keras_kernel(self) -> torch.Tensor:
        # Power iteration runs on Keras's layout (conv kernels are stored in torch's layout here).
        return self.layer._weight_to_keras(self._kernel_attr, self.kernel)

    def call(self, inputs, training=False):
        if training:
            kernel = self.kernel
            if bool((kernel != 0).any()):
                new_u, new_kernel = self.normalized_weights()
                with torch.no_grad():
                    self.vector_u.copy_(new_u)
                    kernel.copy_(self.layer._weight_from_keras(self._kernel_attr, new_kernel))
        output = self.layer(inputs)
        # Keras casts to the input dtype, even integer ids (an Embedding's output then truncates).
        return output.to(inputs.dtype)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    @torch.no_grad()
    def normalized_weights(self) -> tuple[torch.Tensor, torch.Tensor]:
        """``(u, kernel / sigma)`` (Keras layout) after ``power_iterations`` rounds of power iteration."""
        kernel = self._keras_kernel()
        weights = kernel.reshape(-1, self.kernel_shape[-1])
        u = self.vector_u.to(weights.dtype)
        v = u
        for _ in range(self.power_iterations):
            v = _l2_normalize(u @ weights.T)
            u = _l2_normalize(v @ weights)
        sigma = (v @ weights) @ u.T
        return u.to(self.vector_u.dtype), (kernel / sigma).reshape(self.kernel_shape).to(kernel.dtype)

    def _weight_slots(self):
        # Keras tracks the wrapped kernel as the wrapper's own (first) variable, then vector_u,
        # then the wrapped layer's remaining weights.
        slots = super()._weight_slots()
        if not getattr(self, "_kernel_attr", None):
            return slots
        kernel_slot = next(((o, a) for o, a in slots if o is self.layer and a == self._kernel_attr), None)
        if kernel_slot is None:
            return slots
        rest = [s for s in slots if s != kernel_slot]
        return [kernel_slot] + rest

    def get_config(self) -> dict:
        return {**super().get_config(), "power_iterations": self.power_iterations}
