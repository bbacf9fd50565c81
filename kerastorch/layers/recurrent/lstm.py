"""``LSTMCell`` and ``LSTM`` (Hochreiter 1997), Keras gate order i, f, c, o.

Weights live on the cell in Keras layout: ``kernel (input_dim, 4u)``,
``recurrent_kernel (u, 4u)``, ``bias (4u,)`` (state_dict ``lstm.cell.kernel``). torch's
LSTM gate order (i, f, g, o) is the same, so the fused kernel takes transposed views.
"""
from __future__ import annotations

import numpy as np
import torch

import kerastorch.layers.recurrent.cell_utils as cell_utils
import kerastorch.layers.recurrent.fused as fused
from kerastorch import activations, initializers
from kerastorch.layers.file_formats import cudnn_input_kernel, merge_keras1_gates, per_gate
from kerastorch.layers.layer import Layer
from kerastorch.layers.recurrent.dropout_rnn_cell import DropoutRNNCell
from kerastorch.layers.recurrent.rnn import RNN


class LSTMCell(DropoutRNNCell, Layer):
    _step_ndim = 2

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, **kwargs):
        implementation = kwargs.pop("implementation", 2)
        super().__init__(**kwargs)
        cell_utils.init_common(self, units, activation, use_bias, kernel_initializer, recurrent_initializer,
                               bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
                               kernel_constraint, recurrent_constraint, bias_constraint, dropout,
                               recurrent_dropout, seed)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.implementation = 1 if self.recurrent_dropout != 0.0 else implementation
        if self.implementation == 1:
            self.dropout_mask_count = 4
        self.state_size = [self.units, self.units]
        self.output_size = self.units

    def build(self, input_shape) -> None:
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f'The last dimension of the inputs to "{self.name}" should be defined. '
                             f"Received input_shape={input_shape}")
        u = self.units
        self.kernel = self.add_weight("kernel", (input_dim, 4 * u), self.kernel_initializer,
                                      self.kernel_regularizer, self.kernel_constraint)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (u, 4 * u), self.recurrent_initializer,
                                                self.recurrent_regularizer, self.recurrent_constraint)
        if self.use_bias:
            if self.unit_forget_bias:
                base = self.bias_initializer

                def bias_initializer(shape, dtype=None):
                    ones = initializers.get("ones")
                    parts = [base((u,), dtype=dtype), ones((u,), dtype=dtype), base((2 * u,), dtype=dtype)]
                    return torch.cat([torch.as_tensor(p) for p in parts])
            else:
                bias_initializer = self.bias_initializer
            self.bias = self.add_weight("bias", (4 * u,), bias_initializer, self.bias_regularizer,
                                        self.bias_constraint)
        else:
            self.bias = None
        self.built = True

    # The step, split in two so the RNN layer can project a whole sequence at once.
    def _input_projection(self, x: torch.Tensor, training=False) -> torch.Tensor:
        self._act = fused.fast_activation(self.activation)
        self._rec_act = fused.fast_activation(self.recurrent_activation)
        return self._dense_input_projection(x, training, 4, self.bias)

    def _recurrent_step(self, z_x: torch.Tensor, states, training=False):
        h, c = states[0], states[1]
        rk = self.recurrent_kernel
        rdp = None
        if training and 0.0 < self.recurrent_dropout < 1.0:
            rdp = self.get_recurrent_dropout_mask(h)
        if rdp is None:
            z = torch.addmm(z_x, h, rk) if z_x.ndim == 2 else z_x + torch.matmul(h, rk)
        else:
            masks = rdp if isinstance(rdp, list) else [rdp] * 4
            z = z_x + torch.cat([torch.matmul(h * m, k) for m, k in zip(masks, torch.chunk(rk, 4, dim=1))],
                                dim=-1)
        i, f, g, o = torch.chunk(z, 4, dim=-1)
        ra, a = self._rec_act, self._act
        c = ra(f) * c + ra(i) * a(g)
        h = ra(o) * a(c)
        return h, [h, c]

    def call(self, inputs, states, training=False):
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        return self._recurrent_step(self._input_projection(inputs, training), states, training)

    def _fused_spec(self, training):
        """(mode, torch params, has_bias) for torch's fused LSTM, or None if this configuration can't use it."""
        if not (fused.is_activation(self.activation, "tanh") and fused.is_activation(self.recurrent_activation,
                                                                                     "sigmoid")):
            return None
        if training and (0.0 < self.recurrent_dropout < 1.0
                         or (0.0 < self.dropout < 1.0 and self.implementation == 1)):
            return None
        params, has_bias = fused.lstm_params(self.kernel, self.recurrent_kernel, self.bias)
        return "lstm", params, has_bias

    def get_initial_state(self, batch_size=None):
        return [torch.zeros((batch_size, d), dtype=self._state_dtype(), device=self._state_device())
                for d in self.state_size]

    def _state_dtype(self):
        return self.kernel.dtype if getattr(self, "kernel", None) is not None else torch.float32

    def _state_device(self):
        return self.kernel.device if getattr(self, "kernel", None) is not None else None

    def get_config(self) -> dict:
        return {**super().get_config(), **cell_utils.common_config(self),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}  # Keras 3.15 writes no implementation


@cell_utils.delegate(*cell_utils.DELEGATED, "recurrent_activation", "unit_forget_bias", "implementation")
class LSTM(RNN):
    """Long Short-Term Memory layer (Hochreiter and Schmidhuber, 1997).

    Gates in Keras's order ``i, f, c, o``; kernels are ``(features, 4 * units)`` and
    ``(units, 4 * units)`` as Keras stores them. With the default activations and no
    recurrent dropout, the steps run in torch's fused LSTM kernel.

    Args:
        units: Size of the output and of the hidden and cell states.
        activation: Activation of the cell candidate and the output (default tanh).
        recurrent_activation: Activation of the gates (default sigmoid).
        unit_forget_bias: Start the forget-gate bias at 1 (Jozefowicz et al., 2015).
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
        return_state: Also return the final states ``h`` and ``c``.
        go_backwards: Process the sequence from last step to first.
        stateful: Keep the final states of a batch as the initial states of the next one
            (sample ``i`` continues sample ``i``); reset with ``reset_states()``.
        unroll: Accepted for Keras compatibility (kerastorch runs the loop eagerly either way).
        **kwargs: Base layer arguments (``name``, ``dtype``, ``trainable``...).

    Call arguments:
        sequences: A 3D tensor ``(batch_size, timesteps, features)``.
        initial_state: Initial state tensor(s) ``[h, c]``; None for zeros.
        mask: Boolean ``(batch_size, timesteps)``: False steps are skipped (the state is
            carried over). Taken from the inputs (e.g. ``Embedding(mask_zero=True)``) when not given.
        training: Whether dropout applies (None: the model's mode).

    Input shape:
        ``(batch_size, timesteps, features)``.

    Output shape:
        ``(batch_size, units)``, or ``(batch_size, timesteps, units)`` with ``return_sequences``;
        with ``return_state``, a list ``[output, h, c]`` of such tensors.

    Example:

    >>> layer = keras.layers.LSTM(4, return_sequences=True)
    >>> layer(np.ones((2, 10, 8), "float32")).shape
    torch.Size([2, 10, 4])
    """
    _expected_ndim = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, use_cudnn="auto", **kwargs):
        cell = LSTMCell(units, activation=activation, recurrent_activation=recurrent_activation,
                        use_bias=use_bias, kernel_initializer=kernel_initializer,
                        recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                        unit_forget_bias=unit_forget_bias, kernel_regularizer=kernel_regularizer,
                        recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                        kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                        bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                        seed=seed, implementation=kwargs.pop("implementation", 2),
                        dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True), name="lstm_cell")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.use_cudnn = use_cudnn

    def call(self, sequences, initial_state=None, mask=None, training=None):
        return super().call(sequences, initial_state=initial_state, mask=mask, training=training)

    def get_config(self) -> dict:
        return cell_utils.layer_config(self, super().get_config())

    def _upgrade_legacy_weights(self, arrays: list, keras_version: str | None, backend: str | None) -> list:
        """Keras 1's 12 per-gate arrays (gates i, c, f, o) and CuDNNLSTM's layout (CuDNN kernels, two biases)."""
        if len(arrays) == 12:
            arrays = merge_keras1_gates(arrays, order=(0, 2, 1, 3))
        if len(arrays) != 3:
            return arrays
        units = arrays[1].shape[0]
        if tuple(arrays[2].shape) == (8 * units,):  # CuDNNLSTM: input and recurrent biases
            kernel = per_gate(arrays[0], cudnn_input_kernel, 4)
            recurrent = per_gate(arrays[1], lambda k: k.T, 4)
            return [kernel, recurrent, np.sum(np.split(arrays[2], 2, axis=0), axis=0)]
        if arrays[2].ndim == 1 and arrays[2].shape[0] != 4 * units:
            raise ValueError(f"Invalid LSTM bias shape {arrays[2].shape} for {units} units: expected "
                             f"({4 * units},) (or ({8 * units},) from CuDNNLSTM).")
        return arrays

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        return cls(**config)
