"""Training speed of LSTM / GRU layers: torch's fused kernels vs the Python step loop.

Run from the repository root (kerastorch installed, or ``PYTHONPATH=.``):

    python bench/rnn_fused_vs_loop.py [--steps 10] [--batch 32] [--timesteps 50] [--units 64]
                                      [--device cuda] [--check]

Builds ``Input -> LSTM|GRU -> Dense`` models, trains each for a few optimizer steps on
random data with the fused path (the default) and with ``layer._force_loop = True`` (the
step loop, with the input projection precomputed for the whole sequence), and prints the
time per step and the speed ratio. Both paths start from the same weights and must reach
the same loss. ``--check`` also compares fused and loop outputs/gradients on the device
with a right-padded mask, and MultiHeadAttention's SDPA path with its explicit-scores path.
"""
from __future__ import annotations

import argparse
import time

import torch

import kerastorch as keras


def build(kind: str, timesteps: int, features: int, units: int):
    inputs = keras.Input(shape=(timesteps, features))
    rnn = getattr(keras.layers, kind)(units, name=kind.lower())
    h = rnn(inputs)
    outputs = keras.layers.Dense(1)(h)
    return keras.Model(inputs, outputs), rnn


def train(model, x, y, steps: int) -> tuple[float, float]:
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()

    def step():
        optimizer.zero_grad()
        loss = torch.mean((model(x, training=True) - y) ** 2)
        loss.backward()
        optimizer.step()
        return float(loss.detach())

    step()  # warm-up
    _sync(x)
    start = time.perf_counter()
    for _ in range(steps):
        loss = step()
    _sync(x)
    return (time.perf_counter() - start) / steps, loss


def _sync(x) -> None:
    if x.is_cuda:
        torch.cuda.synchronize()


def check(device: torch.device) -> None:
    """Max |fused - loop| (outputs and gradients, masked batch) and |SDPA - scores path| on ``device``."""
    torch.manual_seed(0)
    x = torch.randn(8, 12, 16, device=device)
    mask = torch.arange(12, device=device) < torch.randint(1, 13, (8, 1), device=device)
    for kind in ("LSTM", "GRU", "SimpleRNN"):
        for go_backwards in (False, True):
            layer = getattr(keras.layers, kind)(32, return_sequences=True, return_state=True,
                                                go_backwards=go_backwards)
            layer(x[:1].cpu())
            layer.to(device)
            results = []
            for force_loop in (False, True):
                layer._force_loop = force_loop
                layer.zero_grad()
                outs = layer(x, mask=mask)
                sum(o.square().sum() for o in outs).backward()
                results.append((outs, [p.grad.clone() for p in layer.parameters()]))
            d_out = max(float((a - b).abs().max()) for a, b in zip(results[0][0], results[1][0]))
            d_grad = max(float((a - b).abs().max()) for a, b in zip(results[0][1], results[1][1]))
            print(f"check {kind:9s} go_backwards={go_backwards!s:5s} max|fused-loop| outputs {d_out:.2e} "
                  f"grads {d_grad:.2e}")
    mha = keras.layers.MultiHeadAttention(num_heads=4, key_dim=8)
    q = torch.randn(4, 10, 32)
    mha(q, q)
    mha.to(device)
    q = q.to(device)
    q._keras_mask = torch.arange(10, device=device) < torch.tensor([[10], [7], [3], [1]], device=device)
    fast = mha(q, q, use_causal_mask=True)
    slow, _ = mha(q, q, use_causal_mask=True, return_attention_scores=True)
    print(f"check MultiHeadAttention max|sdpa-scores path| {float((fast - slow).abs().max()):.2e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--timesteps", type=int, default=50)
    parser.add_argument("--features", type=int, default=32)
    parser.add_argument("--units", type=int, default=64)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    device = torch.device(args.device)
    if args.check:
        check(device)
    torch.manual_seed(0)
    x = torch.randn(args.batch, args.timesteps, args.features, device=device)
    y = torch.randn(args.batch, 1, device=device)
    where = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU, {torch.get_num_threads()} threads"
    print(f"torch {torch.__version__}, {where}; batch={args.batch} "
          f"timesteps={args.timesteps} features={args.features} units={args.units}, {args.steps} Adam steps")
    for kind in ("LSTM", "GRU"):
        model, rnn = build(kind, args.timesteps, args.features, args.units)
        model.to(device)
        weights = model.get_weights()
        t_fused, loss_fused = train(model, x, y, args.steps)
        model.set_weights(weights)
        rnn._force_loop = True
        t_loop, loss_loop = train(model, x, y, args.steps)
        print(f"{kind:5s} fused {t_fused * 1e3:8.2f} ms/step   loop {t_loop * 1e3:8.2f} ms/step   "
              f"speed-up x{t_loop / t_fused:5.2f}   final loss fused {loss_fused:.6f} loop {loss_loop:.6f}")


if __name__ == "__main__":
    main()
