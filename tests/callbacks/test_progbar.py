"""Progbar / ProgbarLogger output (Keras 3 format), throttling and laziness."""
import re

import pytest
import torch

from kerastorch.callbacks import CallbackList, Progbar, ProgbarLogger
from kerastorch.callbacks import progbar as progbar_module

ANSI = re.compile(r"\x1b\[[0-9;]*m")
TIME = r"\d+(us|ms|s)/step"


def plain(text):
    return ANSI.sub("", text)


def live_bar(target, **kwargs):
    bar = Progbar(target, interval=0, **kwargs)
    bar._dynamic_display = True  # as on a terminal
    return bar


def test_verbose1_live_bar_text(capsys):
    bar = live_bar(4)
    for step, loss in enumerate([1.0, 2.0, 3.0, 4.0], start=1):
        bar.update(step, [("accuracy", torch.tensor(0.8125)), ("loss", torch.tensor(loss))])
    frames = capsys.readouterr().out.split("\r")[1:]
    assert len(frames) == 4
    # Mid-epoch: half the bar is done, ETA shown, stateless values averaged.
    assert re.fullmatch(r"2/4 ━{10}━{10} \d+s " + TIME + r" - accuracy: 0\.8125 - loss: 1\.5000\s*",
                        plain(frames[1]))
    assert "\x1b[32m" + "━" * 10 in frames[1]  # done part is green on a tty
    assert re.fullmatch(r"3/4 .* - loss: 2\.0000\s*", plain(frames[2]).strip())
    # The last update shows the final values as-is and ends the line.
    assert re.fullmatch(r"4/4 ━{20} \d+s " + TIME + r" - accuracy: 0\.8125 - loss: 4\.0000 *\n",
                        plain(frames[3]))


def test_verbose1_stateful_metrics_and_small_values(capsys):
    bar = live_bar(10, stateful_metrics=["loss"])
    bar.update(5, [("loss", 0.25), ("tiny", 0.0)])
    bar.update(10, [("loss", 0.5), ("tiny", 1e-5)])
    last = plain(capsys.readouterr().out.split("\r")[-1])
    assert last.rstrip(" \n").endswith("- loss: 0.5000 - tiny: 1.0000e-05")
    assert last.endswith("\n")
    assert last.startswith("10/10 ")


def test_verbose2_prints_one_line_at_the_end(capsys):
    bar = Progbar(32, verbose=2)
    for step in range(1, 33):
        bar.update(step, [("accuracy", 0.9), ("loss", torch.tensor(0.3))])
    out = capsys.readouterr().out
    assert re.fullmatch(r"32/32 - \d+s - " + TIME + r" - accuracy: 0\.9000 - loss: 0\.3000\n", out)


def test_non_tty_prints_only_final_line_without_escapes(capsys):
    bar = Progbar(3, interval=0)
    bar._dynamic_display = False  # log file / pipe
    for step in range(1, 4):
        bar.update(step, [("loss", 0.5)])
    out = capsys.readouterr().out
    assert "\r" not in out and "\x1b" not in out
    assert re.fullmatch(r"3/3 ━{20} \d+s " + TIME + r" - loss: 0\.5000\n", out)


def test_unknown_target(capsys):
    bar = live_bar(None)
    bar.update(5, [("loss", 1.0)])
    bar.update(7, [("loss", 1.0)], finalize=True)
    frames = capsys.readouterr().out.split("\r")[1:]
    assert plain(frames[0]).startswith("      5/Unknown ")
    assert plain(frames[1]).startswith("      7/Unknown ")
    assert frames[1].endswith("\n")


def test_updates_are_throttled_and_values_read_only_on_redraw(capsys):
    reads = []

    def loss():
        reads.append(1)
        return torch.tensor(0.5)

    bar = Progbar(1000, interval=60, stateful_metrics=["loss"])
    bar._dynamic_display = True
    for step in range(1, 1001):
        bar.update(step, [("loss", loss)])
    out = capsys.readouterr().out
    assert out.count("\r") == 2  # first update and the final one
    assert len(reads) == 2


def test_bad_arguments():
    with pytest.raises(ValueError, match="verbose"):
        Progbar(10, verbose=3)
    with pytest.raises(ValueError, match="at most one"):
        Progbar(10, stateful_metrics=["a"], stateless_metrics=["b"])


# -- ProgbarLogger -------------------------------------------------------------

def run_fit(verbose, steps, epochs=2, batches=3, validation=True):
    cbs = CallbackList(add_progbar=True, verbose=verbose, epochs=epochs, steps=steps)
    cbs.on_train_begin()
    for epoch in range(epochs):
        cbs.on_epoch_begin(epoch)
        for b in range(batches):
            cbs.on_train_batch_begin(b)
            cbs.on_train_batch_end(b, {"loss": torch.tensor(0.5), "accuracy": torch.tensor(0.75)})
        logs = {"loss": 0.5, "accuracy": 0.75}
        if validation:
            cbs.on_test_begin()
            cbs.on_test_batch_end(0, {"loss": torch.tensor(9.0)})
            cbs.on_test_end({"loss": 0.25, "accuracy": 1.0})
            logs.update(val_loss=0.25, val_accuracy=1.0)
        cbs.on_epoch_end(epoch, logs)
    cbs.on_train_end()


def test_progbar_logger_verbose2(capsys):
    run_fit(verbose=2, steps=3)
    lines = capsys.readouterr().out.split("\n")
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and lines[4] == ""
    pattern = (r"3/3 - \d+s - " + TIME +
               r" - accuracy: 0\.7500 - loss: 0\.5000 - val_accuracy: 1\.0000 - val_loss: 0\.2500")
    assert re.fullmatch(pattern, lines[1]) and re.fullmatch(pattern, lines[3])


def test_progbar_logger_verbose1_non_tty_unknown_steps(capsys):
    run_fit(verbose=1, steps=None)  # generator: number of steps unknown
    lines = capsys.readouterr().out.split("\n")
    assert len(lines) == 5 and lines[0] == "Epoch 1/2"
    assert re.fullmatch(r"3/3 ━{20} \d+s " + TIME + r" - accuracy: 0\.7500 - loss: 0\.5000"
                        r" - val_accuracy: 1\.0000 - val_loss: 0\.2500", lines[1])


def test_progbar_logger_verbose1_live_sorted_and_single_epoch(capsys, monkeypatch):
    monkeypatch.setattr(progbar_module, "_is_dynamic_display", lambda: True)
    run_fit(verbose=1, steps=3, epochs=1, validation=False)
    out = plain(capsys.readouterr().out)
    assert "Epoch" not in out  # one epoch: no header, as in Keras
    first = out.split("\r")[1]
    assert re.fullmatch(r"1/3 ━{6}━{14} \d+s " + TIME + r" - accuracy: 0\.7500 - loss: 0\.5000",
                        first.rstrip())
    assert re.search(r" - accuracy: 0\.7500 - loss: 0\.5000 *\n$", out)


def test_progbar_logger_evaluate_and_silent(capsys):
    cbs = CallbackList(add_progbar=True, verbose=1, epochs=1, steps=2)
    cbs.on_test_begin()
    for b in range(2):
        cbs.on_test_batch_end(b, {"loss": torch.tensor(0.5)})
    cbs.on_test_end({"loss": 0.5})
    assert re.fullmatch(r"2/2 ━{20} \d+s " + TIME + r" - loss: 0\.5000\n", capsys.readouterr().out)

    run_fit(verbose=0, steps=3)
    assert capsys.readouterr().out == ""
    assert isinstance(CallbackList(add_progbar=True).callbacks[0], ProgbarLogger)
