"""``GRUCell`` and ``GRU`` (Cho et al. 2014), Keras gate order z, r, h.

Weights live on the cell in Keras layout: ``kernel (input_dim, 3u)``,
``recurrent_kernel (u, 3u)`` and ``bias``: ``(2, 3u)`` = [input bias; recurrent bias] with
``reset_after=True`` (the default, torch's formula: the fused kernel runs it after a z/r
gate swap), ``(3u,)`` with ``reset_after=False`` (reset gate applied before the recurrent
matmul; no torch kernel computes that, so it always runs the step loop).
"""
from __future__ import annotations

import numpy as np
import torch

import kerastorch.layers.recurrent.cell_utils as cell_utils
import kerastorch.layers.recurrent.fused as fused
from kerastorch import activations
from kerastorch.layers.file_formats import cudnn_input_kernel, merge_keras1_gates, per_gate
from kerastorch.layers.layer import Layer
from kerastorch.layers.recurrent.dropout_rnn_cell import DropoutRNNCell
from kerastorch.layers.recurrent.rnn import RNN


class GRUCell(DropoutRNNCell, Layer):
    _step_ndim = 2

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, reset_after=True, seed=None,
                 **kwargs):
        implementation = kwargs.pop("implementation", 2)
        super().__init__(**kwargs)
        cell_utils.init_common(self, units, activation, use_bias, kernel_initializer, recurrent_initializer,
                               bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
                               kernel_constraint, recurrent_constraint, bias_constraint, dropout,
                               recurrent_dropout, seed)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)
        self.implementation = 1 if self.recurrent_dropout != 0.0 else implementation
        if self.implementation == 1:
            self.dropout_mask_count = 3
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape) -> None:
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f'The last dimension of the inputs to "{self.name}" should be defined. '
                             f"Received input_shape={input_shape}")
        u = self.units
        self.kernel = self.add_weight("kernel", (input_dim, 3 * u), self.kernel_initializer,
                                      self.kernel_regularizer, self.kernel_constraint)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (u, 3 * u), self.recurrent_initializer,
                                                self.recurrent_regularizer, self.recurrent_constraint)
        if self.use_bias:
            shape = (2, 3 * u) if self.reset_after else (3 * u,)
            self.bias = self.add_weight("bias", shape, self.bias_initializer, self.bias_regularizer,
                                        self.bias_constraint)
        else:
            self.bias = None
        self.built = True

    def _input_projection(self, x: torch.Tensor, training=False) -> torch.Tensor:
        self._act = fused.fast_activation(self.activation)
        self._rec_act = fused.fast_activation(self.recurrent_activation)
        bias = self.bias
        if bias is not None and self.reset_after:
            bias = bias[0]  # the input half of the (2, 3u) bias; the recurrent half goes in the step
        return self._dense_input_projection(x, training, 3, bias)

    def _recurrent_step(self, z_x: torch.Tensor, states, training=False):
        h = states[0]
        u = self.units
        rk = self.recurrent_kernel
        rdp = None
        if training and 0.0 < self.recurrent_dropout < 1.0:
            rdp = self.get_recurrent_dropout_mask(h)
            rdp = rdp if isinstance(rdp, list) else [rdp] * 3
        x_z, x_r, x_h = torch.chunk(z_x, 3, dim=-1)
        ra, a = self._rec_act, self._act
        if rdp is None:
            if self.reset_after:
                inner = torch.matmul(h, rk)
                if self.bias is not None:
                    inner = inner + self.bias[1]
                r_z, r_r, r_h = torch.chunk(inner, 3, dim=-1)
            else:
                r_z, r_r = torch.chunk(torch.matmul(h, rk[:, :2 * u]), 2, dim=-1)
            h_for_h = h
        else:
            r_z = torch.matmul(h * rdp[0], rk[:, :u])
            r_r = torch.matmul(h * rdp[1], rk[:, u:2 * u])
            h_for_h = h * rdp[2]
            if self.reset_after:
                r_h = torch.matmul(h_for_h, rk[:, 2 * u:])
                if self.bias is not None:
                    rb = self.bias[1]
                    r_z, r_r, r_h = r_z + rb[:u], r_r + rb[u:2 * u], r_h + rb[2 * u:]
        z = ra(x_z + r_z)
        r = ra(x_r + r_r)
        if self.reset_after:
            hh = a(x_h + r * r_h)
        else:
            hh = a(x_h + torch.matmul(r * h_for_h, rk[:, 2 * u:]))
        h = z * h + (1 - z) * hh
        return h, [h]

    def call(self, inputs, states, training=False):
        nested = isinstance(states, (list, tuple))
        h, new = self._recurrent_step(self._input_projection(inputs, training),
                                      list(states) if nested else [states], training)
        return h, (new if nested else h)

    def _fused_spec(self, training):
        if not self.reset_after:
            return None
        if not (fused.is_activation(self.activation, "tanh") and fused.is_activation(self.recurrent_activation,
                                                                                     "sigmoid")):
            return None
        if training and (0.0 < self.recurrent_dropout < 1.0
                         or (0.0 < self.dropout < 1.0 and self.implementation == 1)):
            return None
        params, has_bias = fused.gru_params(self.kernel, self.recurrent_kernel, self.bias)
        return "gru", params, has_bias

    def get_initial_state(self, batch_size=None):
        kernel = getattr(self, "kernel", None)
        dtype = kernel.dtype if kernel is not None else torch.float32
        return [torch.zeros((batch_size, self.units), dtype=dtype,
                            device=kernel.device if kernel is not None else None)]

    def get_config(self) -> dict:
        return {**super().get_config(), **cell_utils.common_config(self),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "reset_after": self.reset_after}  # Keras 3.15 writes no implementation


@cell_utils.delegate(*cell_utils.DELEGATED, "recurrent_activation", "reset_after", "implementation")
class GRU(RNN):
    """Gated Recurrent Unit layer (Cho et al., 2014).

    Gates in Keras's order ``z, r, h``. ``reset_after=True`` (default, Keras 3 and cuDNN's
    variant) applies the reset gate after the recurrent matrix product and keeps two bias
    rows; ``reset_after=False`` is the original formulation with one bias.

    Args:
        units: Size of the output and the state.
        activation: Activation of the candidate state (default tanh).
        recurrent_activation: Activation of the gates (default sigmoid).
        reset_after: Where the reset gate applies (see above).
        use_bias: Whether the layer uses a bias vector.
        kernel_initializer, recurrent_initializer, bias_initializer: Initializers of the input
            kernel, the recurrent kernel (default orthogonal) and the bias.
        kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer:
            Regularizers of the weights and of the output.
        kernel_constraint, recurrent_constraint, bias_constraint: Constraints on the weights.
        dropout: Fraction of the inputs dropped in training (one mask for all steps).
        recurrent_dropout: Fraction of the recurrent state dropped in training.
        seed: Seed of the dropout masks.
        return_sequences: Return the output of every step, not only the last.
        return_state: Also return the final state.
        go_backwards: Process the sequence from last step to first.
        stateful: Keep the final states of a batch as the initial states of the next one
            (sample ``i`` continues sample ``i``); reset with ``reset_states()``.
        unroll: Accepted for Keras compatibility (kerastorch runs the loop eagerly either way).
        **kwargs: Base layer arguments (``name``, ``dtype``, ``trainable``...).

    Call arguments:
        sequences: A 3D tensor ``(batch_size, timesteps, features)``.
        initial_state: Initial state tensor(s); None for zeros.
        mask: Boolean ``(batch_size, timesteps)``: False steps are skipped (the state is
            carried over). Taken from the inputs (e.g. ``Embedding(mask_zero=True)``) when not given.
        training: Whether dropout applies (None: the model's mode).

    Input shape:
        ``(batch_size, timesteps, features)``.

    Output shape:
        ``(batch_size, units)``, or ``(batch_size, timesteps, units)`` with ``return_sequences``;
        with ``return_state``, a list ``[output, state]`` of such tensors.

    Example:

    >>> layer = keras.layers.GRU(4)
    >>> layer(np.ones((2, 10, 8), "float32")).shape
    torch.Size([2, 4])
    """
    _expected_ndim = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, reset_after=True, use_cudnn="auto", **kwargs):
        cell = GRUCell(units, activation=activation, recurrent_activation=recurrent_activation,
                       use_bias=use_bias, kernel_initializer=kernel_initializer,
                       recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                       kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                       bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                       recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                       dropout=dropout, recurrent_dropout=recurrent_dropout, reset_after=reset_after, seed=seed,
                       implementation=kwargs.pop("implementation", 2), dtype=kwargs.get("dtype"),
                       trainable=kwargs.get("trainable", True), name="gru_cell")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.use_cudnn = use_cudnn

    def get_config(self) -> dict:
        return cell_utils.layer_config(self, super().get_config())

    def _upgrade_legacy_weights(self, arrays: list, keras_version: str | None, backend: str | None) -> list:
        """Keras 1's 9 per-gate arrays (gates z, r, h) and CuDNNGRU's layout (for ``reset_after=True``)."""
        if len(arrays) == 9:
            arrays = merge_keras1_gates(arrays, order=(0, 1, 2))
        if len(arrays) != 3:
            return arrays
        units = arrays[1].shape[0]
        bias_shape = tuple(arrays[2].shape)
        if bias_shape == (6 * units,):
            source = "CuDNNGRU"
        elif bias_shape == (2, 3 * units):
            source = "GRU(reset_after=True)"
        elif bias_shape == (3 * units,):
            source = "GRU(reset_after=False)"
        else:
            raise ValueError(f"Invalid GRU bias shape {bias_shape} for {units} units.")
        wanted = f"GRU(reset_after={self.cell.reset_after})"
        if source == wanted:
            return arrays
        if "GRU(reset_after=False)" in (source, wanted):
            raise ValueError(f"{source} weights are not compatible with {wanted}: the reset gate is applied "
                             "at a different place. Rebuild the layer with the matching `reset_after`.")
        kernel = per_gate(arrays[0], cudnn_input_kernel, 3)
        recurrent = per_gate(arrays[1], lambda k: k.T, 3)
        return [kernel, recurrent, np.asarray(arrays[2]).reshape((2, -1))]

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        return cls(**config)
