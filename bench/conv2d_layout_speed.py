"""Speed check (not a test): kerastorch Conv2D on an NHWC batch versus torch nn.Conv2d on NCHW.

    python bench/conv2d_layout_speed.py [--threads 2] [--reps 10] [--device cpu]

Both run forward + backward of a 3x3 "same" convolution, 32 -> 64 channels, on a
(128, 28, 28, 32) batch. kerastorch permutes the NHWC input to a channels_last-strided
NCHW view (no copy) and the output back; the ratio shows what that layout costs.
"""
from __future__ import annotations

import argparse
import time

import torch

from kerastorch import layers


def _time(fn, reps: int, device: str) -> float:
    for _ in range(3):
        fn()
    if device == "cuda":
        torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        if device == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    dev = args.device

    x_nhwc = torch.randn(128, 28, 28, 32, device=dev, requires_grad=True)
    x_nchw = x_nhwc.detach().permute(0, 3, 1, 2).contiguous().requires_grad_(True)

    layer = layers.Conv2D(64, 3, padding="same")
    layer(x_nhwc[:1].detach())  # build
    layer.to(dev)
    ref = torch.nn.Conv2d(32, 64, 3, padding=1).to(dev)
    with torch.no_grad():
        ref.weight.copy_(layer.kernel)
        ref.bias.copy_(layer.bias)

    def run_keras():
        layer(x_nhwc).sum().backward()

    def run_torch():
        ref(x_nchw).sum().backward()

    y_k = layer(x_nhwc).permute(0, 3, 1, 2)
    y_t = ref(x_nchw)
    print(f"max |diff| = {(y_k - y_t).abs().max().item():.2e}")
    results = {}
    for _ in range(2):  # interleave to even out machine noise
        results.setdefault("torch", []).append(_time(run_torch, args.reps, dev))
        results.setdefault("kerastorch", []).append(_time(run_keras, args.reps, dev))
    t_torch, t_keras = min(results["torch"]), min(results["kerastorch"])
    print(f"device={dev} threads={args.threads}")
    print(f"torch nn.Conv2d NCHW     fwd+bwd: {t_torch * 1e3:8.2f} ms")
    print(f"kerastorch Conv2D NHWC   fwd+bwd: {t_keras * 1e3:8.2f} ms")
    print(f"ratio kerastorch / torch: {t_keras / t_torch:.2f}")


if __name__ == "__main__":
    main()
