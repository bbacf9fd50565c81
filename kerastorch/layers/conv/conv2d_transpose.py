"""``Conv2DTranspose``: 2D transposed convolution; kernel ``(*kernel_size, filters, in_channels)``."""
from __future__ import annotations

from kerastorch.layers.conv.base_conv_transpose import BaseConvTranspose


class Conv2DTranspose(BaseConvTranspose):
    """Transposed 2D convolution (learned upsampling), with Keras's output sizes.

    Along each spatial axis of length ``n`` the output has ``n * stride`` steps with
    ``padding="same"`` and ``(n - 1) * stride + max(kernel, stride)`` with ``"valid"``
    (``output_padding`` adjusts both). The kernel has Keras's shape ``(kh, kw, filters, input_channels)``.

    Args:
        filters: Number of output channels.
        kernel_size: Height and width of the window (an int or a 2-tuple).
        strides: Upsampling factor per axis (an int or a 2-tuple).
        padding: ``"valid"`` or ``"same"``.
        output_padding: Extra rows/columns added on one side of the output (each below the
            stride); None derives it from ``padding``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        dilation_rate: Dilation of the kernel.
        activation: Activation applied to the output (None: linear).
        use_bias: Whether to add a bias vector.
        kernel_initializer, bias_initializer: Initializers of the kernel and the bias.
        kernel_regularizer, bias_regularizer, activity_regularizer: Regularizers of the kernel,
            the bias and the output.
        kernel_constraint, bias_constraint: Constraints applied after each optimizer step.
        **kwargs: Base layer arguments (``name``, ``dtype``, ``trainable``...).

    Call arguments:
        inputs: A 4D tensor.

    Input shape:
        ``(batch_size, rows, cols, channels)`` (channels_last) or ``(batch_size, channels, rows, cols)``.

    Output shape:
        ``(batch_size, new_rows, new_cols, filters)`` (channels_last) or
        ``(batch_size, filters, new_rows, new_cols)``.

    Example:

    >>> layer = keras.layers.Conv2DTranspose(4, 3, strides=2, padding="same")
    >>> layer(np.ones((2, 7, 7, 8), "float32")).shape
    torch.Size([2, 14, 14, 4])
    """
    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding, output_padding=output_padding,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, **kwargs)
