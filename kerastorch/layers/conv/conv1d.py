"""``Conv1D``: 1D convolution over channels_last ``(batch, steps, channels)`` (or channels_first) inputs."""
from __future__ import annotations

from kerastorch.layers.conv.base_conv import BaseConv


class Conv1D(BaseConv):
    """1D convolution over ``(batch, steps, channels)`` sequences (temporal convolution).

    The kernel has Keras's shape ``(kernel_size, input_channels / groups, filters)``.

    Args:
        filters: Number of output channels.
        kernel_size: Length of the convolution window (an int or a 1-tuple).
        strides: Stride of the convolution, an int or one int per spatial axis. Values above 1
            cannot be combined with ``dilation_rate`` above 1.
        padding: ``"valid"`` (no padding) or ``"same"`` (TensorFlow's padding: output length
            ``ceil(n / stride)``), or ``"causal"`` (left padding only: no
            output step sees later inputs).
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``.
        dilation_rate: Dilation of the kernel, an int or one int per spatial axis.
        groups: Number of channel groups; input channels and ``filters`` must both divide by it.
        activation: Activation applied to the output (None: linear).
        use_bias: Whether to add a bias vector.
        kernel_initializer, bias_initializer: Initializers of the kernel and the bias.
        kernel_regularizer, bias_regularizer, activity_regularizer: Regularizers of the kernel,
            the bias and the output.
        kernel_constraint, bias_constraint: Constraints applied after each optimizer step.
        lora_rank, lora_alpha: Build with LoRA of this rank (the kernel frozen, a trainable
            low-rank update added; see ``enable_lora``).
        **kwargs: Base layer arguments (``name``, ``dtype``, ``trainable``...).

    Call arguments:
        inputs: A 3D tensor.

    Input shape:
        ``(batch_size, steps, channels)`` (channels_last) or ``(batch_size, channels, steps)``.

    Output shape:
        ``(batch_size, new_steps, filters)`` (channels_last) or ``(batch_size, filters, new_steps)``.

    Example:

    >>> layer = keras.layers.Conv1D(4, 3, padding="causal", activation="relu")
    >>> layer(np.ones((2, 10, 8), "float32")).shape
    torch.Size([2, 10, 4])
    """
    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, groups=groups, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)
