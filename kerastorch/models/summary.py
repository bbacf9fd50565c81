"""``model.summary()``: the Keras table of layers, output shapes and parameter counts."""
from __future__ import annotations

import torch


def _format_shape(shape) -> str:
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return ", ".join(_format_shape(s) for s in shape)
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def _layer_rows(model) -> list[tuple[str, str, int, str]]:
    rows = []
    for layer in model.layers:
        name = getattr(layer, "name", type(layer).__name__)
        try:
            shape = _format_shape(layer.output_shape)
        except (AttributeError, ValueError):
            shape = "?"
        if hasattr(layer, "count_params") and getattr(layer, "built", True):
            try:
                params = layer.count_params()
            except ValueError:
                params = 0
        else:
            params = sum(p.numel() for p in layer.parameters())
        rows.append((f"{name} ({type(layer).__name__})", shape, params))
    return rows


def _count(tensors) -> int:
    return int(sum(t.numel() for t in tensors))


def print_summary(model, line_length=None, print_fn=None, expand_nested=False, show_trainable=False) -> None:
    print_fn = print_fn or print
    rows = _layer_rows(model)
    widths = [max(29, *(len(r[0]) + 1 for r in rows)) if rows else 29, max(26, *(len(r[1]) + 1 for r in rows))
              if rows else 26, 15]
    total = line_length or sum(widths) + 6
    lines = [f'Model: "{model.name}"', "┏" + "━" * (total - 2) + "┓"]
    header = ("Layer (type)", "Output Shape", "Param #")

    def fmt(cols):
        return "┃ " + cols[0].ljust(widths[0]) + "┃ " + cols[1].ljust(widths[1]) + "┃ " + \
            cols[2].rjust(widths[2] - 1) + " ┃"
    lines.append(fmt(header))
    lines.append("┡" + "━" * (total - 2) + "┩")
    for i, (name, shape, params) in enumerate(rows):
        lines.append(fmt((name, shape, f"{params:,}")).replace("┃", "│"))
        if i < len(rows) - 1:
            lines.append("├" + "─" * (total - 2) + "┤")
    lines.append("└" + "─" * (total - 2) + "┘")
    weights = model.weights
    trainable = _count(w for w in weights if isinstance(w, torch.nn.Parameter) and w.requires_grad)
    all_params = _count(weights)
    lines.append(f" Total params: {all_params:,} ({_bytes(weights)})")
    lines.append(f" Trainable params: {trainable:,}")
    lines.append(f" Non-trainable params: {all_params - trainable:,}")
    for line in lines:
        print_fn(line)


def _bytes(weights) -> str:
    n = sum(w.numel() * w.element_size() for w in weights)
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.2f} {unit}"
        n /= 1024
