"""``EinsumDense``: ``activation(einsum(equation, inputs, kernel) + bias)``.

The kernel and bias shapes are derived from the equation, the input shape and
``output_shape`` exactly as Keras derives them (so weights load unchanged);
``torch.einsum`` computes the product.
"""
from __future__ import annotations

import re

import torch

from kerastorch import activations, constraints, initializers, regularizers
from kerastorch.layers.core.lora import LoRAMixin
from kerastorch.layers.layer import Layer


class EinsumDense(LoRAMixin, Layer):
    def __init__(self, equation, output_shape, activation=None, bias_axes=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank: int | None = None, lora_alpha: float | None = None,
                 gptq_unpacked_column_size=None, quantization_config=None, **kwargs):
        # gptq_unpacked_column_size: Keras 3 GPTQ bookkeeping, meaningless without quantization (accepted, unused)
        super().__init__(**kwargs)
        if quantization_config is not None:
            raise ValueError(f'EinsumDense "{self.name}": quantization is not supported by kerastorch. Received: '
                             f"quantization_config={quantization_config!r}; pass None.")
        self.equation = equation
        self.partial_output_shape = (output_shape,) if isinstance(output_shape, int) else tuple(output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._init_lora(lora_rank, lora_alpha)

    def build(self, input_shape) -> None:
        try:
            kernel_shape, bias_shape, full_output_shape = analyze_einsum_string(
                self.equation, self.bias_axes, tuple(input_shape), self.partial_output_shape)
        except ValueError as e:
            raise ValueError(f'EinsumDense "{self.name}" (input shape {tuple(input_shape)}): {e}') from None
        if any(d is None for d in kernel_shape):
            raise ValueError(f'EinsumDense "{self.name}": the kernel shape {tuple(kernel_shape)} derived from '
                             f"equation {self.equation!r}, input shape {tuple(input_shape)} and output_shape "
                             f"{self.partial_output_shape} is not fully defined.")
        self.full_output_shape = tuple(full_output_shape)
        self.kernel = self.add_weight("kernel", tuple(kernel_shape), self.kernel_initializer,
                                      self.kernel_regularizer, self.kernel_constraint)
        self.bias = self.add_weight("bias", tuple(bias_shape), self.bias_initializer, self.bias_regularizer,
                                    self.bias_constraint) if bias_shape is not None else None
        self.built = True
        if self.lora_rank:
            self.enable_lora(self.lora_rank, lora_alpha=self.lora_alpha)

    def call(self, inputs):
        kernel = self._lora_weight() if self.lora_enabled else self.kernel
        if inputs.dtype != kernel.dtype and not torch.is_autocast_enabled():
            inputs = inputs.to(kernel.dtype)
        x = torch.einsum(self.equation, inputs, kernel)
        if self.bias is not None:
            x = x + self.bias
        return self.activation(x) if self.activation is not None else x

    def get_config(self) -> dict:
        return {**super().get_config(), "output_shape": list(self.partial_output_shape), "equation": self.equation,
                "activation": activations.serialize(self.activation), "bias_axes": self.bias_axes,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "quantization_config": None, **self._lora_config()}


# ------------------------------------------------------------ shape analysis
def analyze_einsum_string(equation: str, bias_axes, input_shape: tuple, output_shape):
    """(kernel_shape, bias_shape or None, full_output_shape) for ``equation`` (Keras's derivation)."""
    dots = re.sub(r"\.\.\.", "0", equation.replace(" ", ""))
    m = re.fullmatch(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", dots)
    if m:
        return _analyze_split(m, bias_axes, input_shape, output_shape)
    m = re.fullmatch(r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", dots)
    if m:
        return _analyze_split(m, bias_axes, input_shape, output_shape, left_elided=True)
    m = re.fullmatch(r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", dots)
    if m:
        return _analyze_split(m, bias_axes, input_shape, output_shape)
    raise ValueError(f"Invalid einsum equation '{equation}'. Equations must be in the form "
                     "[X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....")


def _analyze_split(match, bias_axes, input_shape, output_shape, left_elided=False):
    input_spec, weight_spec, output_spec = match.group(1), match.group(2), match.group(3)
    elided = len(input_shape) - len(input_spec)
    output_shape = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    output_shape.insert(0, input_shape[0])
    if elided > 0 and left_elided:
        for i in range(1, elided):
            output_shape.insert(1, input_shape[i])
    elif elided > 0:
        for i in range(len(input_shape) - elided, len(input_shape)):
            output_shape.append(input_shape[i])

    if left_elided:
        input_dim_map = {d: (i + elided) - len(input_shape) for i, d in enumerate(input_spec)}
        output_dim_map = {d: i + elided for i, d in enumerate(output_spec)}
    else:
        input_dim_map = {d: i for i, d in enumerate(input_spec)}
        output_dim_map = {d: i for i, d in enumerate(output_spec)}
    if max(output_dim_map.values(), default=-1) >= len(output_shape):
        raise ValueError(f"output_shape {tuple(output_shape[1:])} does not match the output spec '{output_spec}' "
                         "(give one size, or None, per output dimension after the batch axis).")

    for d in input_spec:
        in_size = input_shape[input_dim_map[d]]
        if d in output_dim_map:
            out_size = output_shape[output_dim_map[d]]
            if out_size is not None and out_size != in_size:
                raise ValueError(f"Input shape and output shape do not match at shared dimension '{d}'. Input "
                                 f"shape is {in_size}, and output shape is {out_size}.")
    for d in output_spec:
        if d not in input_spec and d not in weight_spec:
            raise ValueError(f"Dimension '{d}' was specified in the output '{output_spec}' but has no "
                             f"corresponding dim in the input spec '{input_spec}' or weight spec '{weight_spec}'")

    weight_shape = []
    for d in weight_spec:
        if d in input_dim_map:
            weight_shape.append(input_shape[input_dim_map[d]])
        elif d in output_dim_map:
            weight_shape.append(output_shape[output_dim_map[d]])
        else:
            raise ValueError(f"Weight dimension '{d}' did not have a match in either the input spec "
                             f"'{input_spec}' or the output spec '{output_spec}'. For this layer, the weight must "
                             "be fully specified.")

    if bias_axes is not None:
        num_left_elided = elided if left_elided else 0
        idx_map = {c: output_shape[i + num_left_elided] for i, c in enumerate(output_spec)}
        for c in bias_axes:
            if c not in output_spec:
                raise ValueError(f"Bias dimension '{c}' was requested, but is not part of the output spec "
                                 f"'{output_spec}'")
        first = min(output_spec.find(c) for c in bias_axes)
        bias_shape = [idx_map[c] if c in bias_axes else 1 for c in output_spec[first:]]
        if not left_elided:
            bias_shape.extend([1] * max(elided, 0))
    else:
        bias_shape = None
    return weight_shape, bias_shape, output_shape
