"""``model.summary()``: Keras 3's table of layers, output shapes and parameter counts, character for character.

Keras renders the table with ``rich`` (a fixed-width column per entry of ``positions``, box
drawing, one rule between rows, words wrapped inside a cell and over-long words cut with
"…"). kerastorch has no ``rich`` dependency, so this module lays the same table out itself,
following the steps rich takes for Keras's table (``Table(width=line_length,
show_lines=True)`` with fixed column widths):

1. column widths from ``positions`` (fractions of ``line_length``, Keras's defaults
   ``[0.45, 0.80, 1.0]``, or ``[0.3, 0.56, 0.74, 1.0]`` with a "Connected to" column for
   a graph that is not a simple chain), plus one space of padding on each side;
2. if the columns and borders are wider than ``line_length``: take the excess off the
   columns evenly (``_reduce_evenly``); if narrower: hand the slack out in proportion
   (``_distribute``), because a table with a width expands to it;
3. every cell wrapped to its column at word boundaries (``_wrap``), left/right/center aligned;
   header cells aligned to the bottom of their row, body cells to the top; lines longer
   than the terminal cropped, as rich's console does.

``layer_range=(first, last)`` keeps the rows from the first layer whose name matches
``first`` (a regular expression, ``re.match``) to the last one matching ``last``. The whole
text goes to ``print_fn`` in one call, as Keras does.
"""
from __future__ import annotations

import math
import re
import shutil
from typing import Any, Callable, Sequence

from kerastorch.backend import tree


# ------------------------------------------------------------------ column geometry
def _reduce_evenly(excess: int, widths: list[int]) -> list[int]:
    """Take ``excess`` cells off ``widths``, the same share from each column (rounding as rich does)."""
    remaining, shares, out = excess, sum(1 for w in widths if w), []
    for w in widths:
        if w and shares > 0:
            cut = min(w, round(remaining / shares))
            out.append(w - cut)
            remaining -= cut
            shares -= 1
        else:
            out.append(w)
    return out


def _distribute(total: int, ratios: list[int]) -> list[int]:
    """Split ``total`` cells in proportion to ``ratios`` (rounding up, as rich does)."""
    remaining, ratio_left, out = total, sum(ratios), []
    for r in ratios:
        part = math.ceil(r * remaining / ratio_left) if ratio_left > 0 else remaining
        out.append(part)
        ratio_left -= r
        remaining -= part
    return out


def _column_widths(positions: Sequence[float], line_length: int) -> list[int]:
    """Content widths of the columns (padding and borders excluded)."""
    requested, current = [], 0
    for pos in positions:
        width = int(pos * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        requested.append(width)
        current += width
    n = len(requested)
    available = line_length - (n + 1)  # the vertical borders
    widths = [min(w + 2, available) for w in requested]  # one space of padding each side
    if sum(widths) > available:
        widths = _reduce_evenly(sum(widths) - available, widths)
    elif sum(widths) < available:
        widths = [w + extra for w, extra in zip(widths, _distribute(available - sum(widths), widths))]
    return [w - 2 for w in widths]


# ------------------------------------------------------------------ cells
def _truncate(text: str, width: int) -> str:
    return text if len(text) <= width else text[:max(width - 1, 0)] + "…"


def _wrap(text: str, width: int, justify: str) -> list[str]:
    """``text`` broken into lines of ``width`` at word boundaries; a word longer than the width
    is cut with "…"; each line padded to the width with the column's alignment."""
    if width <= 0:
        return [""]
    lines: list[str] = []
    for paragraph in text.split("\n"):
        breaks, offset = [], 0
        for match in re.finditer(r"\s*\S+\s*", paragraph):
            start, word = match.start(), match.group(0)
            length = len(word.rstrip())
            if width - offset >= length:
                offset += len(word)
            elif length > width:
                if start:
                    breaks.append(start)
                offset = len(word)
            elif offset and start:
                breaks.append(start)
                offset = len(word)
        bounds = [0, *breaks, len(paragraph)]
        lines.extend(paragraph[a:b] for a, b in zip(bounds, bounds[1:]))
    out = []
    for line in lines:
        if justify == "left":
            if len(line) > width:  # trailing spaces past the width go first
                line = line[:len(line) - min(len(line) - len(line.rstrip()), len(line) - width)]
            out.append(_truncate(line, width).ljust(width))
        else:
            line = _truncate(line.rstrip(), width)
            if justify == "right":
                out.append(line.rjust(width))
            else:
                left = (width - len(line)) // 2
                out.append((" " * left + line).ljust(width))
    return out or [" " * width]


def _render_table(header: list[str], rows: list[list[str]], widths: list[int], alignment: list[str]) -> list[str]:
    def rule(left: str, fill: str, mid: str, right: str) -> str:
        return left + mid.join(fill * (w + 2) for w in widths) + right

    def row_lines(cells: list[str], bar: str, bottom: bool = False) -> list[str]:
        wrapped = [_wrap(c, w, a) for c, w, a in zip(cells, widths, alignment)]
        height = max(len(c) for c in wrapped)
        # Header cells sit on the rule below them; body cells hang from the rule above.
        wrapped = [([" " * w] * (height - len(c)) + c) if bottom else (c + [" " * w] * (height - len(c)))
                   for c, w in zip(wrapped, widths)]
        return [bar + bar.join(f" {c[i]} " for c in wrapped) + bar for i in range(height)]

    lines = [rule("┏", "━", "┳", "┓"), *row_lines(header, "┃", bottom=True), rule("┡", "━", "╇", "┩")]
    for i, row in enumerate(rows):
        if i:
            lines.append(rule("├", "─", "┼", "┤"))
        lines.extend(row_lines(row, "│"))
    lines.append(rule("└", "─", "┴", "┘"))
    return lines


# ------------------------------------------------------------------ what the rows say
def _format_shape(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")"


def _output_shape_text(layer) -> str:
    nodes = getattr(layer, "_inbound_nodes", None)
    if nodes:
        shapes = tree.map_structure(lambda t: _format_shape(t.shape), nodes[-1].outputs)
    else:
        try:
            shape = layer.output_shape
        except (AttributeError, ValueError, NotImplementedError, RuntimeError):
            return "?"
        if shape is None:
            return "?"
        if isinstance(shape, list) and shape and isinstance(shape[0], (tuple, list)):
            shapes = [_format_shape(s) for s in shape]
        else:
            shapes = _format_shape(shape)
    flat = tree.flatten(shapes)
    if len(flat) == 1:
        return flat[0]
    return str(shapes).replace("'", "")


def _params_text(layer) -> str:
    if not hasattr(layer, "built"):
        return "0"
    if not layer.built:
        return "0 (unbuilt)"
    if hasattr(layer, "count_params"):
        return f"{layer.count_params():,}"
    return f"{sum(p.numel() for p in layer.parameters()):,}"


def _graph_nodes(model) -> list | None:
    """The nodes of a functional model's graph (its input nodes first), or None for other models."""
    run_nodes = getattr(model, "_run_nodes", None)
    inputs = getattr(model, "inputs", None)
    if run_nodes is None or not inputs:
        return None
    input_nodes = [t._keras_history.layer._inbound_nodes[t._keras_history.node_index] for t in inputs]
    return input_nodes + list(run_nodes)


def _is_chain(model, nodes: list) -> bool:
    """Keras's "sequential-like" test: one input, every node fed by at most one tensor, no branch,
    no layer used twice."""
    if len([n for n in nodes if getattr(n, "is_input", False)]) > 1:
        return False
    consumers: dict[int, int] = {}
    for node in nodes:
        if len(node.input_tensors) > 1:
            return False
        for t in node.input_tensors:
            consumers[id(t)] = consumers.get(id(t), 0) + 1
    if any(count > 1 for count in consumers.values()):
        return False
    layers = [node.layer for node in nodes]
    return len({id(layer) for layer in layers}) == len(layers)


def _connections(layer, relevant: set[int]) -> str:
    parts = []
    for node in layer._inbound_nodes:
        if relevant and id(node) not in relevant:
            continue
        for t in node.input_tensors:
            history = t._keras_history
            parts.append(f"{history.layer.name}[{history.node_index}][{history.tensor_index}]")
    return ", ".join(parts) or "-"


def _layer_index_range(layers: list, layer_range) -> tuple[int, int]:
    if layer_range is None:
        return 0, len(layers)
    if len(layer_range) != 2:
        raise ValueError("layer_range must be a list or tuple of length 2. Received: "
                         f"layer_range = {layer_range} of length {len(layer_range)}")
    if not isinstance(layer_range[0], str) or not isinstance(layer_range[1], str):
        raise ValueError(f"layer_range should contain string type only. Received: {layer_range}")
    lower = [i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    upper = [i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not lower or not upper:
        raise ValueError(f"Passed layer_names do not match the layer names in the model. Received: {layer_range}")
    if min(lower) > max(upper):
        return min(upper), max(lower) + 1
    return min(lower), max(upper) + 1


# ------------------------------------------------------------------ sizes
def _count(weights) -> int:
    return int(sum(math.prod(tuple(w.shape)) for w in weights))


def _memory(weights) -> float:
    unique = {id(w): w for w in weights}.values()
    return sum(math.prod(tuple(w.shape)) * w.element_size() * 8 for w in unique) / 8


def _readable(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


# ------------------------------------------------------------------ the summary
def summary_text(model, line_length: int | None = None, positions: Sequence[float] | None = None,
                 expand_nested: bool = False, show_trainable: bool = False, layer_range=None) -> str:
    """The text ``model.summary()`` prints (see the module docstring)."""
    # A functional model lists its operation nodes too (``add (Add)``), as Keras 3 does.
    layers = [layer for layer in getattr(model, "operations", model.layers) if hasattr(layer, "name")]
    nodes = _graph_nodes(model)
    chain = nodes is None or _is_chain(model, nodes)
    if chain:
        default_length, positions = 88, list(positions or [0.45, 0.80, 1.0])
        header, alignment = ["Layer (type)", "Output Shape", "Param #"], ["left", "left", "right"]
    else:
        default_length, positions = 108, list(positions or [0.3, 0.56, 0.74, 1.0])
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        alignment = ["left", "left", "right", "left"]
    relevant = {id(n) for n in nodes} if nodes else set()
    if show_trainable:
        default_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        alignment.append("center")
    line_length = line_length or min(default_length, shutil.get_terminal_size().columns - 4)
    widths = _column_widths(positions, line_length)

    def fields(layer, prefix: str = "") -> list[str]:
        kind = getattr(layer, "operation_class_name", type(layer).__name__)  # `add (Add)` for an operation node
        row = [f"{prefix}{layer.name} ({kind})", _output_shape_text(layer), _params_text(layer)]
        if not chain:
            row.append(_connections(layer, relevant))
        if show_trainable:
            row.append(("Y" if layer.trainable else "N") if getattr(layer, "weights", None) else "-")
        return row

    def rows_of(layer, level: int = 0) -> list[list[str]]:
        rows = [fields(layer, "   " * level + "└ " if level else "")]
        sublayers = getattr(layer, "layers", None) if expand_nested else None
        for sub in sublayers or []:
            rows.extend(rows_of(sub, level + 1))
        return rows

    first, last = _layer_index_range(layers, layer_range)
    rows = [row for layer in layers[first:last] for row in rows_of(layer)]
    # The console crops a table wider than itself (Keras's line_length may exceed the terminal).
    console_width = shutil.get_terminal_size().columns
    lines = [f'Model: "{model.name}"',
             *(line[:console_width] for line in _render_table(header, rows, widths, alignment))]

    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    counts = [_count(trainable), _count(non_trainable)]
    sizes = [_memory(trainable), _memory(non_trainable)]
    optimizer = getattr(model, "optimizer", None)
    optimizer_built = bool(getattr(model, "compiled", False) and optimizer is not None
                           and getattr(optimizer, "built", False))
    if optimizer_built:
        counts.append(_count(optimizer.variables))
        sizes.append(_memory(optimizer.variables))
    lines.append(f" Total params: {sum(counts):,} ({_readable(sum(sizes))})")
    lines.append(f" Trainable params: {counts[0]:,} ({_readable(sizes[0])})")
    lines.append(f" Non-trainable params: {counts[1]:,} ({_readable(sizes[1])})")
    if optimizer_built:
        lines.append(f" Optimizer params: {counts[2]:,} ({_readable(sizes[2])})")
    return "\n".join(lines) + "\n"


def print_summary(model, line_length: int | None = None, positions: Sequence[float] | None = None,
                  print_fn: Callable[[str], Any] | None = None, expand_nested: bool = False,
                  show_trainable: bool = False, layer_range=None) -> None:
    """Print ``summary_text`` through ``print_fn`` (one call with the whole text) or to stdout."""
    text = summary_text(model, line_length=line_length, positions=positions, expand_nested=expand_nested,
                        show_trainable=show_trainable, layer_range=layer_range)
    if print_fn is None:
        print(text, end="")
    else:
        print_fn(text)
