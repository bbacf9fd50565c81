"""Fine-tuning keras.applications models: stage-aware layer groups, frozen BatchNormalization, the example."""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from kerastorch.trainer.fine_tuning import layer_groups

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _with_head(keras, backbone):
    inputs = keras.Input(shape=backbone.input_shape[1:])
    outputs = keras.layers.Dense(3, activation="softmax", name="head")(backbone(inputs))
    return keras.Model(inputs, outputs)


def test_layer_groups_follow_resnet_stages_and_keep_the_head_alone(keras):
    backbone = keras.applications.ResNet50(weights=None, include_top=False, input_shape=(32, 32, 3),
                                           pooling="avg")
    model = _with_head(keras, backbone)
    groups = layer_groups(model, 9)
    assert [g[0].name for g in groups] == ["conv1_conv", "conv2_block1_0_conv", "conv3_block1_0_conv",
                                           "conv4_block1_0_conv", "conv5_block1_0_conv", "head"]
    assert [l.name for l in groups[-1]] == ["head"]
    # Fewer groups merge adjacent stages; every weighted layer is in exactly one group.
    merged = layer_groups(model, 3)
    assert [g[0].name for g in merged] == ["conv1_conv", "conv4_block1_0_conv", "head"]
    assert sum(len(g) for g in merged) == sum(len(g) for g in groups)


def test_layer_groups_of_a_model_with_its_top(keras):
    model = keras.applications.MobileNetV2(weights=None, input_shape=(32, 32, 3), alpha=0.35)
    assert [g[0].name for g in layer_groups(model, 10)] == ["Conv1", "block_1_expand", "block_3_expand",
                                                            "block_6_expand", "block_13_expand", "Conv_1",
                                                            "predictions"]


def test_layer_groups_of_mobilenet_v3_with_a_head(keras):
    backbone = keras.applications.MobileNetV3Small(weights=None, include_top=False, input_shape=(32, 32, 3),
                                                   alpha=0.75, pooling="avg")
    groups = layer_groups(_with_head(keras, backbone), 10)
    assert [g[0].name for g in groups] == ["conv", "expanded_conv_1_expand", "expanded_conv_3_expand",
                                           "expanded_conv_8_expand", "conv_1", "head"]


@pytest.mark.slow
def test_layer_groups_reach_into_convnext_downsampling_blocks(keras):
    # The stage starts are layers of the nested downsampling Sequential models.
    backbone = keras.applications.ConvNeXtTiny(weights=None, include_top=False, input_shape=(32, 32, 3),
                                               pooling="avg")
    groups = layer_groups(_with_head(keras, backbone), 10)
    assert [g[0].name for g in groups] == ["convnext_tiny_stem_conv"] + [
        f"convnext_tiny_downsampling_layernorm_{i}" for i in range(3)] + ["head"]
    model = keras.applications.ConvNeXtTiny(weights=None, input_shape=(32, 32, 3), classes=3)
    assert [g[0].name for g in layer_groups(model, 10)][-1] == "convnext_tiny_head_layernorm"


def test_frozen_backbone_batch_norm_stays_in_inference_mode(keras):
    keras.utils.set_random_seed(0)
    backbone = keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(32, 32, 3),
                                              alpha=0.35, pooling="avg")
    model = _with_head(keras, backbone)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    bn, conv = backbone.get_layer("bn_Conv1"), backbone.get_layer("Conv1")
    stats = bn.moving_mean.detach().clone().numpy()
    kernel = conv.kernel.detach().clone().numpy()
    head = model.get_layer("head").bias.detach().clone().numpy()
    x = np.random.default_rng(0).uniform(-1, 1, size=(16, 32, 32, 3)).astype("float32")
    y = np.arange(16) % 3
    model.freeze(train_bn=False)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    np.testing.assert_array_equal(bn.moving_mean.detach().numpy(), stats)
    np.testing.assert_array_equal(conv.kernel.detach().numpy(), kernel)
    assert not np.allclose(model.get_layer("head").bias.detach().numpy(), head)  # the head trains
    # Unfrozen, the statistics move again.
    model.unfreeze()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert not np.allclose(bn.moving_mean.detach().numpy(), stats)


@pytest.mark.slow
def test_fine_tune_example_runs_in_quick_mode():
    env = dict(os.environ, KERASTORCH_QUICK="1")
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "fine_tune_applications.py"), "--quick"],
                            capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "layer groups: ['Conv1'," in result.stdout
    assert "validation accuracy:" in result.stdout
