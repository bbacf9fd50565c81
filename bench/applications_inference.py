"""Speed check (not a test): keras.applications inference at batch 32, kerastorch versus references.

    python bench/applications_inference.py [--size 96] [--batch 32] [--reps 5] [--threads 2] [--models ResNet50,...]

For each architecture, the median time of one forward pass (``model(x, training=False)``
under ``torch.no_grad``) on a ``(batch, size, size, 3)`` channels-last batch:

* kerastorch (its convolutions run on a ``channels_last``-strided NCHW view of the NHWC
  input, so no layout copy is made);
* torchvision's equivalent model on an NCHW ``channels_last`` batch, when torchvision
  imports (a bench-only dependency). PyPI's torchvision 0.28.0 is the release for torch
  2.13.0, but its ``_C.so`` links the CUDA build of torch, so against 2.13.0+cpu its
  detection-op meta registrations fail ("operator torchvision::nms does not exist"); the
  classification models need none of those ops, so the bench then imports it without
  ``torchvision._meta_registrations`` and says so. Install it in a throwaway venv:
  ``python -m venv --system-site-packages v && v/bin/pip install --no-deps torchvision==0.28.0``;
* real Keras 3 on its torch backend, when ``keras`` is installed.

The ratio columns are kerastorch / reference (the target is <= 1.1 against torchvision).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import types

import numpy as np
import torch

TORCHVISION = {"ResNet50": "resnet50", "ResNet101": "resnet101", "ResNet152": "resnet152", "VGG16": "vgg16",
               "VGG19": "vgg19", "MobileNetV2": "mobilenet_v2", "DenseNet121": "densenet121",
               "DenseNet169": "densenet169", "DenseNet201": "densenet201", "EfficientNetB0": "efficientnet_b0",
               "InceptionV3": "inception_v3", "ConvNeXtTiny": "convnext_tiny", "ConvNeXtSmall": "convnext_small",
               "EfficientNetV2S": "efficientnet_v2_s", "MobileNetV3Small": "mobilenet_v3_small",
               "MobileNetV3Large": "mobilenet_v3_large"}
DEFAULT = "VGG16,ResNet50,ResNet50V2,MobileNet,MobileNetV2,EfficientNetB0,DenseNet121"


def _median_time(fn, reps: int) -> float:
    with torch.no_grad():
        fn()
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _import_torchvision_models():
    """``torchvision.models``, or None (saying why) when torchvision cannot be imported."""
    try:
        import torchvision.models as tv
        return tv
    except RuntimeError as e:
        if "torchvision::" not in str(e):
            print(f"torchvision unavailable (RuntimeError: {str(e)[:80]})")
            return None
    except Exception as e:  # noqa: BLE001 - any import failure (ABI mismatch too): run without it, say why
        print(f"torchvision unavailable ({type(e).__name__}: {str(e)[:80]})")
        return None
    # Its C++ ops did not load (a CUDA-linked wheel on CPU torch): the classification models
    # are plain torch, so import it again without the ops' meta registrations.
    for name in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
        del sys.modules[name]
    sys.modules["torchvision._meta_registrations"] = types.ModuleType("torchvision._meta_registrations")
    import torchvision
    import torchvision.models as tv
    print(f"torchvision {torchvision.__version__}: C++ ops unavailable (not needed by these models)")
    return tv


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=96)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--models", default=DEFAULT)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    import kerastorch
    tv = _import_torchvision_models()
    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        import keras
    except ImportError:
        keras = None
    x_nhwc = np.random.default_rng(0).uniform(-1, 1, size=(args.batch, args.size, args.size, 3)).astype("float32")
    xt = torch.from_numpy(x_nhwc)
    x_nchw = xt.permute(0, 3, 1, 2).contiguous(memory_format=torch.channels_last)
    print(f"batch {args.batch}, {args.size}x{args.size}, {args.threads} threads; median of {args.reps} (s)")
    print(f"{'model':<16}{'kerastorch':>11}{'torchvision':>12}{'ratio':>7}{'keras3':>9}{'ratio':>7}")
    for name in args.models.split(","):
        model = getattr(kerastorch.applications, name)(weights=None, input_shape=(args.size, args.size, 3))
        model.eval()
        ours = _median_time(lambda m=model: m(xt, training=False), args.reps)
        row = f"{name:<16}{ours:>11.3f}"
        if tv is not None and name in TORCHVISION:
            ref = getattr(tv, TORCHVISION[name])(weights=None).eval().to(memory_format=torch.channels_last)
            theirs = _median_time(lambda r=ref: r(x_nchw), args.reps)
            row += f"{theirs:>12.3f}{ours / theirs:>7.2f}"
        else:
            row += f"{'-':>12}{'-':>7}"
        if keras is not None:
            kmodel = getattr(keras.applications, name)(weights=None, input_shape=(args.size, args.size, 3))
            k3 = _median_time(lambda km=kmodel: km(xt, training=False), args.reps)
            row += f"{k3:>9.3f}{ours / k3:>7.2f}"
        print(row, flush=True)


if __name__ == "__main__":
    main()
