"""``Dense``: ``activation(inputs @ kernel + bias)``.

The kernel is stored as Keras stores it, ``(input_dim, units)``: ``x @ W`` on
that layout is as fast as ``F.linear`` on the transposed one, so no conversion
is needed anywhere.
"""
from __future__ import annotations

import torch

from kerastorch import activations, constraints, initializers, regularizers
from kerastorch.layers.core.lora import LoRAMixin
from kerastorch.layers.input_spec import InputSpec, assert_input_compatibility
from kerastorch.layers.layer import Layer


class Dense(LoRAMixin, Layer):
    """Densely connected layer: ``activation(inputs @ kernel + bias)``.

    The product contracts the last axis of ``inputs`` with the first axis of ``kernel``,
    so leading axes are kept: ``(batch, d0, d1)`` inputs give ``(batch, d0, units)``.

    Args:
        units: Positive integer, size of the last axis of the output.
        activation: Activation applied to the output (name, callable or None for linear).
        use_bias: Whether to add a bias vector.
        kernel_initializer: Initializer of the ``(input_dim, units)`` kernel.
        bias_initializer: Initializer of the ``(units,)`` bias.
        kernel_regularizer: Regularizer on the kernel (also on the LoRA factors).
        bias_regularizer: Regularizer on the bias.
        activity_regularizer: Regularizer on the output.
        kernel_constraint: Constraint applied to the kernel after each optimizer step.
        bias_constraint: Constraint applied to the bias after each optimizer step.
        lora_rank: If set, build with LoRA of this rank: the kernel is frozen and a trainable
            low-rank update ``(lora_alpha / lora_rank) * lora_kernel_a @ lora_kernel_b`` is added
            (see ``enable_lora``).
        lora_alpha: Scale numerator of the LoRA update; defaults to ``lora_rank``. As in
            Keras 3.15, building with ``lora_rank`` resets it to ``lora_rank``.
        **kwargs: Base layer arguments (``name``, ``dtype``, ``trainable``, ``input_shape``...).

    Call arguments:
        inputs: Tensor of shape ``(batch, ..., input_dim)``.

    Input shape:
        ``(batch_size, ..., input_dim)``, at least 2-D.

    Output shape:
        ``(batch_size, ..., units)``.

    Example:

    >>> layer = keras.layers.Dense(4, activation="relu")
    >>> layer(np.ones((2, 3), "float32")).shape
    torch.Size([2, 4])
    """

    def __init__(self, units: int, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank: int | None = None,
                 lora_alpha: float | None = None, quantization_config=None, **kwargs):
        if not isinstance(units, int) or units <= 0:
            raise ValueError("Received an invalid value for `units`, expected a positive integer. "
                             f"Received: units={units}")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if quantization_config is not None:
            raise ValueError(f'Dense "{self.name}": quantization is not supported by kerastorch. Received: '
                             f"quantization_config={quantization_config!r}; pass None.")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._init_lora(lora_rank, lora_alpha)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f'The last dimension of the inputs to Dense layer "{self.name}" should be defined. '
                             f"Found None. Full input shape received: {input_shape}")
        self.kernel = self.add_weight("kernel", (input_dim, self.units), self.kernel_initializer,
                                      self.kernel_regularizer, self.kernel_constraint)
        self.bias = self.add_weight("bias", (self.units,), self.bias_initializer, self.bias_regularizer,
                                    self.bias_constraint) if self.use_bias else None
        self.built = True
        if self.lora_rank:
            self.enable_lora(self.lora_rank)  # Keras 3.15 passes no lora_alpha here (it becomes the rank)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        # Read the weights from the parameter dict: nn.Module.__getattr__ costs ~0.6 us per lookup,
        # a visible share of a small layer's call (trainable weights always live there).
        params = self._parameters
        kernel = self._lora_weight() if self.lora_enabled else params.get("kernel")
        if kernel is None:
            kernel = self.kernel
        bias = params.get("bias")
        if bias is None and self.use_bias:
            bias = self.bias
        if inputs.dtype != kernel.dtype and not torch.is_autocast_enabled():
            inputs = inputs.to(kernel.dtype)
        # Keras's input spec (min_ndim=2, axis -1 = input_dim), checked where it costs nothing:
        # the rank here, the last axis when the product fails on it.
        ndim = inputs.ndim
        if ndim < 2:
            assert_input_compatibility(InputSpec(min_ndim=2), inputs, self.name)
        flat = inputs if ndim == 2 else inputs.reshape(-1, inputs.shape[-1])
        try:
            # One fused GEMM (over the flattened leading axes): ~2x faster than matmul + bias.
            out = torch.mm(flat, kernel) if bias is None else torch.addmm(bias, flat, kernel)
        except RuntimeError:
            assert_input_compatibility(InputSpec(axes={-1: kernel.shape[0]}), inputs, self.name)
            raise
        if ndim != 2:
            out = out.reshape(*inputs.shape[:-1], self.units)
        return activations.activate_own_output(self.activation, out)

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units, "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                # Keras's Dense writes activity_regularizer only when one is set (its base Layer does)
                **({"activity_regularizer": regularizers.serialize(self.activity_regularizer)}
                   if self.activity_regularizer is not None else {}),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "quantization_config": None, **self._lora_config()}
