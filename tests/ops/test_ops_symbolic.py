"""keras.ops on KerasTensors: each op builds a functional-model node and the model computes it eagerly.

A sample across every section (numpy, nn, math, linalg, image, einops, core) of the ops added for
Keras 3.15.1 parity; the model's output must equal the op applied to the data directly.
"""
import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch import ops

DATA = np.random.default_rng(0).uniform(size=(2, 8, 10, 3)).astype("float32")
CASES = {
    "image.resize": lambda x: ops.image.resize(x, (4, 5), interpolation="bicubic"),
    "image.rgb_to_hsv": lambda x: ops.image.rgb_to_hsv(x),
    "image.extract_patches": lambda x: ops.image.extract_patches(x, 2),
    "image.gaussian_blur": lambda x: ops.image.gaussian_blur(x),
    "image.affine_transform": lambda x: ops.image.affine_transform(
        x, np.array([1, 0.1, 0, 0, 1, 0.5, 0, 0], "float32")),
    "image.crop_images": lambda x: ops.image.crop_images(x, 1, 1, target_height=4, target_width=4),
    "image.pad_images": lambda x: ops.image.pad_images(x, 1, 1, 1, 1),
    "nn.conv": lambda x: ops.conv(x, np.ones((3, 3, 3, 2), "float32"), padding="same"),
    "nn.max_pool": lambda x: ops.max_pool(x, 2),
    "nn.layer_normalization": lambda x: ops.layer_normalization(x),
    "nn.rms_normalization": lambda x: ops.rms_normalization(x),
    "nn.sparsemax": lambda x: ops.sparsemax(x),
    "nn.space_to_depth": lambda x: ops.space_to_depth(x[:, :, :8], 2),
    "nn.dot_product_attention": lambda x: ops.dot_product_attention(x, x, x),
    "numpy.median": lambda x: ops.median(x, axis=-1),
    "numpy.quantile": lambda x: ops.quantile(x, 0.25, axis=2),
    "numpy.nanmean": lambda x: ops.nanmean(x, axis=1),
    "numpy.arccos": lambda x: ops.arccos(x),
    "numpy.logaddexp": lambda x: ops.logaddexp(x, x),
    "numpy.cbrt": lambda x: ops.cbrt(x - 0.5),
    "numpy.diff": lambda x: ops.diff(x, axis=1),
    "math.logsumexp": lambda x: ops.logsumexp(x, axis=-1),
    "math.top_k": lambda x: ops.top_k(x, 2)[0],
    "einops.rearrange": lambda x: ops.rearrange(x, "b h w c -> b (h w) c"),
    "core.saturate_cast": lambda x: ops.saturate_cast(x * 300, "int8"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_op_on_keras_tensor_builds_a_working_functional_model(name):
    fn = CASES[name]
    inp = keras.Input(shape=DATA.shape[1:])
    out = fn(inp)
    want = fn(torch.tensor(DATA))
    assert tuple(out.shape)[1:] == tuple(want.shape)[1:]
    got = keras.Model(inp, out).predict(DATA, verbose=0)
    np.testing.assert_allclose(got, want.numpy(), rtol=1e-5, atol=1e-6)
