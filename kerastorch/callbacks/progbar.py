"""`Progbar`: the Keras 3 progress bar (`keras.utils.Progbar`).

Output matches Keras 3:

    verbose=1   12/32 ━━━━━━━━━━━━━━━━━━━━ 1s 12ms/step - accuracy: 0.8125 - loss: 0.4567
    verbose=2   32/32 - 0s - 2ms/step - accuracy: 0.9000 - loss: 0.3000

Two things keep it cheap inside a training loop: redraws are throttled to
one per `interval` seconds, and values are stored as given (0-d tensors or
callables) and turned into python floats only when a line is drawn, so the
bar does not force a device sync on every step.
"""
from __future__ import annotations

import math
import os
import re
import sys
import time
from typing import Any, Iterable, Sequence

import numpy as np
import torch

from kerastorch._core.settings import is_interactive_logging_enabled

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _is_dynamic_display() -> bool:
    """Whether stdout can redraw a line in place (terminal or notebook)."""
    stdout = sys.stdout
    return (
        (hasattr(stdout, "isatty") and stdout.isatty())
        or "ipykernel" in sys.modules
        or "PYCHARM_HOSTED" in os.environ
    )


def _as_number(value: Any) -> float:
    """Resolves a stored value to a float (this is where a sync happens)."""
    if callable(value) and not isinstance(value, torch.Tensor):
        value = value()
    if isinstance(value, torch.Tensor):
        value = value.detach()
        return float(value.item() if value.numel() == 1 else value.float().mean().item())
    if isinstance(value, np.ndarray):
        return float(np.mean(value))
    return float(value)


def _format_number(value: float) -> str:
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


class Progbar:
    """Displays a progress bar.

    Args:
        target: total number of steps expected, or None if unknown.
        width: width of the bar in characters.
        verbose: 0 (silent), 1 (live bar) or 2 (one line when finished).
        interval: minimum number of seconds between two redraws.
        stateful_metrics: names of metrics displayed as given; the others are
            averaged over the steps seen (weighted by step count).
        stateless_metrics: alternatively, names of the metrics to average;
            all others are then displayed as given.
        unit_name: display name of a step ("step", "sample", ...).

    Values may be python numbers, numpy scalars, 0-d torch tensors or
    callables returning one; they are read only when a line is drawn.
    """

    def __init__(
        self,
        target: int | None,
        width: int = 20,
        verbose: int = 1,
        interval: float = 0.05,
        stateful_metrics: Iterable[str] | None = None,
        stateless_metrics: Iterable[str] | None = None,
        unit_name: str = "step",
    ) -> None:
        if verbose not in (0, 1, 2):
            raise ValueError(f"`verbose` must be 0, 1 or 2. Received: verbose={verbose!r}")
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError(
                "Pass at most one of `stateful_metrics` (metrics shown as-is) "
                "and `stateless_metrics` (metrics averaged by the bar)."
            )
        self.target = target
        self.width = int(width)
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics is not None else None
        self.stateless_metrics = set(stateless_metrics) if stateless_metrics is not None else None
        if self.stateful_metrics is None and self.stateless_metrics is None:
            self.stateful_metrics = set()
        self._dynamic_display = _is_dynamic_display()
        self._seen_so_far = 0
        # name -> [running_sum, count] (averaged) or the latest raw value.
        self._values: dict[str, Any] = {}
        self._averaged: set[str] = set()
        self._start = time.time()
        self._last_update = 0.0
        self._time_after_first_step: float | None = None
        self._prev_total_width = 0

    def _is_averaged(self, name: str) -> bool:
        if self.stateful_metrics is not None:
            return name not in self.stateful_metrics
        return name in self.stateless_metrics

    def update(
        self,
        current: int,
        values: Sequence[tuple[str, Any]] | None = None,
        finalize: bool | None = None,
    ) -> None:
        """Moves the bar to step `current`.

        Args:
            current: index of the current step (1-based count of steps done).
            values: list of `(name, value_for_last_step)` pairs.
            finalize: whether this is the last update; defaults to
                `current >= target`.
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target

        if callable(values):
            # Lazy logs (running means held by stateful metrics): read them only when drawing,
            # so that training steps between redraws cost nothing and never sync a GPU.
            self._pending = values
            values = None
        for name, value in values or ():
            if self._is_averaged(name):
                self._averaged.add(name)
                if finalize:
                    self._values[name] = [value, 1]
                else:
                    # Callables cannot be summed lazily: resolve them now.
                    if callable(value) and not isinstance(value, torch.Tensor):
                        value = value()
                    steps = max(current - self._seen_so_far, 1)
                    entry = self._values.get(name)
                    if entry is None:
                        self._values[name] = [value * steps, steps]
                    else:
                        entry[0] = entry[0] + value * steps
                        entry[1] += steps
            else:
                self._averaged.discard(name)
                self._values[name] = value
        self._seen_so_far = current

        now = time.time()
        time_per_unit = self._estimate_step_duration(current, now)

        if self.verbose == 1:
            if not finalize and (
                not self._dynamic_display or now - self._last_update < self.interval
            ):
                return
            self._resolve_pending()
            self._draw_live(current, now, time_per_unit, finalize)
            self._last_update = now
        elif self.verbose == 2:
            if finalize:
                self._write(self._summary_line(current, now, time_per_unit) + "\n")
            self._last_update = now

    def _resolve_pending(self) -> None:
        pending = getattr(self, "_pending", None)
        if pending is not None:
            self._pending = None
            for name, value in pending():
                self._averaged.discard(name)
                self._values[name] = value

    def add(self, n: int, values: Sequence[tuple[str, Any]] | None = None) -> None:
        """Advances the bar by `n` steps."""
        self.update(self._seen_so_far + n, values)

    # -- rendering ----------------------------------------------------------

    def _style(self, text: str, code: str) -> str:
        """ANSI styling, only where it renders (not in log files)."""
        return f"\x1b[{code}m{text}\x1b[0m" if self._dynamic_display else text

    def _metrics_text(self) -> str:
        parts = []
        for name, entry in self._values.items():
            try:
                if name in self._averaged:
                    total, count = entry
                    number = _as_number(total) / max(1, count)
                else:
                    number = _as_number(entry)
                parts.append(f" - {name}: {_format_number(number)}")
            except (TypeError, ValueError):
                parts.append(f" - {name}: {entry}")
        return "".join(parts)

    def _draw_live(self, current: int, now: float, time_per_unit: float,
                   finalize: bool) -> None:
        target = self.target
        if target is not None and target > 0:
            numdigits = int(math.log10(target)) + 1
            bar = self._style(f"{current:{numdigits}d}/{target}", "1") + " "
            filled = min(self.width, max(0, int(self.width * current / target)))
            if filled > 0:
                bar += self._style("━" * filled, "32")
            bar += self._style("━" * (self.width - filled), "37")
        else:
            bar = f"{current:7d}/Unknown"

        if target is not None and target > 0 and not finalize:
            eta = time_per_unit * (target - current)
            if eta > 3600:
                eta_text = f"{int(eta // 3600)}:{int((eta % 3600) // 60):02d}:{int(eta % 60):02d}"
            elif eta > 60:
                eta_text = f"{int(eta // 60)}:{int(eta % 60):02d}"
            else:
                eta_text = f"{int(eta)}s"
        else:
            eta_text = f"{now - self._start:.0f}s"
        line = bar + " " + self._style(eta_text, "1")
        line += self._format_time(time_per_unit) + self._metrics_text()

        if not self._dynamic_display:
            # Log files get the finished line only, without redraw tricks.
            self._write(line + "\n")
            return
        width = len(_ANSI.sub("", line))
        message = "\r" + line
        if self._prev_total_width > width:
            message += " " * (self._prev_total_width - width)
        if finalize:
            message += "\n"
        self._prev_total_width = width
        self._write(message)

    def _summary_line(self, current: int, now: float, time_per_unit: float) -> str:
        target = self.target
        if target is not None and target > 0:
            numdigits = int(math.log10(target)) + 1
            count = f"{current:{numdigits}d}/{target}"
        else:
            count = f"{current}"
        line = f"{count} - {now - self._start:.0f}s -{self._format_time(time_per_unit)}"
        return line + self._metrics_text()

    def _format_time(self, time_per_unit: float) -> str:
        if time_per_unit >= 1 or time_per_unit == 0:
            return f" {time_per_unit:.0f}s/{self.unit_name}"
        if time_per_unit >= 1e-3:
            return f" {time_per_unit * 1e3:.0f}ms/{self.unit_name}"
        return f" {time_per_unit * 1e6:.0f}us/{self.unit_name}"

    def _estimate_step_duration(self, current: int, now: float) -> float:
        """Seconds per step, ignoring the (usually slow) first step once
        later steps are available."""
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            time_per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            time_per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return time_per_unit

    @staticmethod
    def _write(message: str) -> None:
        if not is_interactive_logging_enabled():
            # keras.config.disable_interactive_logging(): progress goes to Python logging, as in Keras.
            import logging
            if message.strip():
                logging.getLogger("kerastorch").info(message.strip("\r\n"))
            return
        stream = sys.stdout
        stream.write(message)
        stream.flush()
