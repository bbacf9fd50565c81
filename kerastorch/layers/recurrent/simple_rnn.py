"""``SimpleRNNCell`` and ``SimpleRNN``: ``h_t = activation(x_t @ kernel + bias + h_{t-1} @ recurrent_kernel)``.

With ``tanh`` or ``relu`` the layer runs torch's fused ``rnn_tanh`` / ``rnn_relu`` kernels.
"""
from __future__ import annotations

import torch

import kerastorch.layers.recurrent.cell_utils as cell_utils
import kerastorch.layers.recurrent.fused as fused
from kerastorch.layers.layer import Layer
from kerastorch.layers.recurrent.dropout_rnn_cell import DropoutRNNCell
from kerastorch.layers.recurrent.rnn import RNN


class SimpleRNNCell(DropoutRNNCell, Layer):
    _step_ndim = 2

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, **kwargs):
        super().__init__(**kwargs)
        cell_utils.init_common(self, units, activation, use_bias, kernel_initializer, recurrent_initializer,
                               bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
                               kernel_constraint, recurrent_constraint, bias_constraint, dropout,
                               recurrent_dropout, seed)
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape) -> None:
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f'The last dimension of the inputs to "{self.name}" should be defined. '
                             f"Received input_shape={input_shape}")
        self.kernel = self.add_weight("kernel", (input_dim, self.units), self.kernel_initializer,
                                      self.kernel_regularizer, self.kernel_constraint)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (self.units, self.units),
                                                self.recurrent_initializer, self.recurrent_regularizer,
                                                self.recurrent_constraint)
        self.bias = self.add_weight("bias", (self.units,), self.bias_initializer, self.bias_regularizer,
                                    self.bias_constraint) if self.use_bias else None
        self.built = True

    def _input_projection(self, x: torch.Tensor, training=False) -> torch.Tensor:
        self._act = fused.fast_activation(self.activation)
        kernel = self.kernel
        if x.dtype != kernel.dtype:
            x = x.to(kernel.dtype)
        if training and 0.0 < self.dropout < 1.0:
            x = x * self.get_dropout_mask(x if x.ndim == self._step_ndim else x[0])
        z = torch.matmul(x, kernel)
        if self.bias is not None:
            z = z + self.bias
        return z

    def _recurrent_step(self, z_x: torch.Tensor, states, training=False):
        h = states[0]
        if training and 0.0 < self.recurrent_dropout < 1.0:
            h = h * self.get_recurrent_dropout_mask(h)
        out = self._act(torch.addmm(z_x, h, self.recurrent_kernel) if z_x.ndim == 2
                        else z_x + torch.matmul(h, self.recurrent_kernel))
        return out, [out]

    def call(self, inputs, states, training=False):
        nested = isinstance(states, (list, tuple))
        out, new = self._recurrent_step(self._input_projection(inputs, training),
                                        list(states) if nested else [states], training)
        return out, (new if nested else out)

    def _fused_spec(self, training):
        if fused.is_activation(self.activation, "tanh"):
            mode = "rnn_tanh"
        elif fused.is_activation(self.activation, "relu"):
            mode = "rnn_relu"
        else:
            return None
        if training and 0.0 < self.recurrent_dropout < 1.0:
            return None
        params, has_bias = fused.simple_rnn_params(self.kernel, self.recurrent_kernel, self.bias)
        return mode, params, has_bias

    def get_initial_state(self, batch_size=None):
        kernel = getattr(self, "kernel", None)
        dtype = kernel.dtype if kernel is not None else torch.float32
        return [torch.zeros((batch_size, self.units), dtype=dtype,
                            device=kernel.device if kernel is not None else None)]

    def get_config(self) -> dict:
        return {**super().get_config(), **cell_utils.common_config(self)}


@cell_utils.delegate(*cell_utils.DELEGATED)
class SimpleRNN(RNN):
    """Fully connected recurrent layer: ``h_t = activation(x_t @ W + h_{t-1} @ U + b)``.

    Args:
        units: Size of the output and the state.
        activation: Activation of the state (default tanh).
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

    >>> layer = keras.layers.SimpleRNN(4, return_state=True)
    >>> output, state = layer(np.ones((2, 10, 8), "float32"))
    >>> output.shape, state.shape
    (torch.Size([2, 4]), torch.Size([2, 4]))
    """
    _expected_ndim = 3

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, seed=None, **kwargs):
        cell = SimpleRNNCell(units, activation=activation, use_bias=use_bias,
                             kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                             bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                             recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                             kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                             bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                             seed=seed, dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
                             name="simple_rnn_cell")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)

    def get_config(self) -> dict:
        cfg = cell_utils.layer_config(self, super().get_config())
        cfg.pop("seed", None)  # Keras 3.15's SimpleRNN config has no seed (its cell's has)
        return cfg

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        return cls(**config)
