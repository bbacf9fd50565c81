"""Bad arguments to the keras.ops added for Keras 3.15.1 parity: ValueError/TypeError naming the op.

Each message must name the op and show what was received (the ``match`` patterns check both).
"""
import numpy as np
import pytest
import torch

from kerastorch import ops

IMG = np.zeros((2, 4, 4, 3), "float32")
F = np.zeros((2, 3), "float32")

CASES = [
    (ValueError, r"resize: `interpolation` .* Received: interpolation='cubic'",
     lambda: ops.image.resize(IMG, (2, 2), interpolation="cubic")),
    (ValueError, r"resize: Lanczos .* Received: interpolation='lanczos3'",
     lambda: ops.image.resize(IMG, (2, 2), interpolation="lanczos3")),
    (ValueError, r"resize: only one of", lambda: ops.image.resize(IMG, (2, 2), crop_to_aspect_ratio=True,
                                                               pad_to_aspect_ratio=True)),
    (ValueError, r"resize: `size` must be \(height, width\). Received: size=\(2,\)",
     lambda: ops.image.resize(IMG, (2,))),
    (ValueError, r"resize: `images` must have rank 3 .* Received: images.shape=\(4, 4\)",
     lambda: ops.image.resize(np.zeros((4, 4)), (2, 2))),
    (ValueError, r"affine_transform: `fill_mode` .* Received: fill_mode='edge'",
     lambda: ops.image.affine_transform(IMG, np.zeros(8, "float32"), fill_mode="edge")),
    (ValueError, r"map_coordinates: `order` must be 0 .* Received: order=3",
     lambda: ops.image.map_coordinates(F, np.zeros((2, 1), "float32"), 3)),
    (ValueError, r"pad_images: give exactly two of",
     lambda: ops.image.pad_images(IMG, 1, 1, 1, target_height=9, right_padding=0)),
    (ValueError, r"crop_images: the bottom cropping works out to -2",
     lambda: ops.image.crop_images(IMG, 2, 0, target_height=4, target_width=4)),
    (ValueError, r"rgb_to_hsv: `images` must have a float dtype. Received: images.dtype=int32",
     lambda: ops.image.rgb_to_hsv(IMG.astype("int32"))),
    (ValueError, r"rgb_to_grayscale: expected 3 \(RGB\) or 1 .* Received: images.shape=\(2, 4, 4, 2\)",
     lambda: ops.image.rgb_to_grayscale(IMG[..., :2])),
    (ValueError, r"scale_and_translate: `method` .* Received: method='area'",
     lambda: ops.image.scale_and_translate(IMG, (2, 2, 2, 3), [1.0, 1.0], [0.0, 0.0], (1, 2), "area")),
    (ValueError, r"conv: `padding` must be 'valid' or 'same'. Received: padding='full'",
     lambda: ops.conv(IMG, np.zeros((3, 3, 3, 2), "float32"), padding="full")),
    (ValueError, r"conv: `kernel` must have rank 4 .* Received: kernel.shape=\(3, 3, 2\)",
     lambda: ops.conv(IMG, np.zeros((3, 3, 2), "float32"))),
    (ValueError, r"max_pool: `inputs` must have rank 3, 4 or 5 .* Received: inputs.shape=\(2, 3\)",
     lambda: ops.max_pool(F, 2)),
    (ValueError, r"max_pool: `strides` must be an int or a tuple of 2 ints. Received: strides=\(1, 1, 1\)",
     lambda: ops.max_pool(IMG, 2, strides=(1, 1, 1))),
    (ValueError, r"depthwise_conv: the kernel's input channels \(2\) must equal the inputs' channels \(3\)",
     lambda: ops.depthwise_conv(IMG, np.zeros((3, 3, 2, 1), "float32"))),
    (ValueError, r"dot_product_attention: query, key and value must be 4-D",
     lambda: ops.dot_product_attention(F, F, F)),
    (ValueError, r"ctc_decode: `strategy` .* Received: strategy='exhaustive'",
     lambda: ops.ctc_decode(np.zeros((1, 3, 4), "float32"), [3], strategy="exhaustive")),
    (ValueError, r"depth_to_space: channels \(3\) must be divisible by block_size\*\*2 \(4\)",
     lambda: ops.depth_to_space(IMG, 2)),
    (ValueError, r"quantile: `method` must be one of .* Received: method='weibull'",
     lambda: ops.quantile(F, 0.5, method="weibull")),
    (ValueError, r"searchsorted: `sorted_sequence` must be 1-D .* Received: sorted_sequence.shape=\(2, 3\)",
     lambda: ops.searchsorted(F, F)),
    (ValueError, r"correlate: `mode` .* Received: mode='circular'", lambda: ops.correlate(F[0], F[0], "circular")),
    (ValueError, r"rot90: `axes` must be two different axes. Received: axes=\(1, 1\)",
     lambda: ops.rot90(F, axes=(1, 1))),
    (ValueError, r"bincount: `sparse=True` is not supported",
     lambda: ops.bincount(np.array([1, 2], "int32"), sparse=True)),
    (TypeError, r"bincount: `x` must have an integer dtype. Received: x.dtype=torch.float32",
     lambda: ops.bincount(F[0])),
    (TypeError, r"bitwise_and: `x` must have an integer or bool dtype. Received: x.dtype=torch.float32",
     lambda: ops.bitwise_and(F, F)),
    (TypeError, r"ldexp: the exponent `x2` must have an integer dtype. Received: x2.dtype=torch.float32",
     lambda: ops.ldexp(F, F)),
    (ValueError, r"select: `condlist` and `choicelist` must have the same length. Received: 1 conditions and 2",
     lambda: ops.select([F > 0], [F, F])),
    (ValueError, r"vectorize: not a valid gufunc signature: '\(n\)->'",
     lambda: ops.vectorize(lambda a: a, signature="(n)->")),
    (ValueError, r"rearrange: `pattern` must contain exactly one '->'. Received: pattern='b c'",
     lambda: ops.rearrange(F, "b c")),
    (ValueError, r"rearrange: the pattern's input side has 3 axes but the tensor has rank 2",
     lambda: ops.rearrange(F, "a b c -> c b a")),
    (ValueError, r"fft: `x` must be a tuple \(real, imag\)", lambda: ops.fft(F)),
    (TypeError, r"stft: `x` must be float32 or float64. Received: x.dtype=torch.int32",
     lambda: ops.stft(np.zeros((2, 32), "int32"), 8, 4, 8)),
    (ValueError, r"stft: `window` must have shape \(8,\). Received: \(4,\)",
     lambda: ops.stft(np.zeros((2, 32), "float32"), 8, 4, 8, window=np.ones(4, "float32"))),
    (ValueError, r"cdist: the last dimensions must match. Received 3 and 2", lambda: ops.cdist(F, F[:, :2])),
    (ValueError, r"view_as_real: `x` must be complex. Received: x.dtype=torch.float32", lambda: ops.view_as_real(F)),
    (ValueError, r"switch: `branches` must not be empty", lambda: ops.switch(0, [], F)),
    (ValueError, r"scan: pass `xs` to scan over or a `length`", lambda: ops.scan(lambda c, x: (c, x), F)),
    (ValueError, r"scatter_update: `reduction` .* Received: reduction='sum'",
     lambda: ops.scatter_update(F, np.zeros((1, 2), "int32"), np.ones(1, "float32"), reduction="sum")),
    (TypeError, r"multi_hot got unexpected keyword arguments \['depth'\]",
     lambda: ops.multi_hot(np.array([1], "int32"), 3, depth=3)),
]


@pytest.mark.parametrize("error, pattern, call", CASES, ids=[c[1].split(":")[0] for c in CASES])
def test_bad_arguments_raise_clear_errors(error, pattern, call):
    with pytest.raises(error, match=pattern):
        call()


def test_scatter_update_reductions_compound_in_order():
    x = torch.ones(3)
    idx = np.array([[1], [1], [2]], "int32")
    upd = np.array([2.0, 3.0, 5.0], "float32")
    assert ops.scatter_update(x, idx, upd, reduction="add").tolist() == [1.0, 6.0, 6.0]
    assert ops.scatter_update(x, idx, upd, reduction="mul").tolist() == [1.0, 6.0, 5.0]
    assert ops.scatter_update(x, idx, upd, reduction="max").tolist() == [1.0, 3.0, 5.0]
    assert ops.scatter_update(x, idx, -upd, reduction="min").tolist() == [1.0, -3.0, -5.0]
