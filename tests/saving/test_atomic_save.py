"""Atomic saves: temporary files are recognisable, removed on error, and cleaned up after a kill."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import kerastorch as keras
from kerastorch.saving import atomic


def _model():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="d1")])


def _temporaries(folder) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.endswith(atomic.SUFFIX))


def test_temporary_is_next_to_the_target_under_a_recognisable_name(tmp_path):
    target = tmp_path / "sub" / "m.keras"
    with atomic.atomic_path(target) as tmp:
        assert os.path.dirname(tmp) == str(tmp_path / "sub")
        name = os.path.basename(tmp)
        assert name.startswith(".m.keras.") and name.endswith(atomic.SUFFIX) and f".{os.getpid()}." in name
        assert os.path.exists(tmp)
        with open(tmp, "wb") as f:
            f.write(b"new")
    assert target.read_bytes() == b"new"
    assert _temporaries(tmp_path / "sub") == []


@pytest.mark.parametrize("error", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_any_exception_removes_the_temporary_and_keeps_the_target(tmp_path, error):
    target = tmp_path / "m.h5"
    target.write_bytes(b"old")
    with pytest.raises(type(error)), atomic.atomic_path(target) as tmp:
        with open(tmp, "wb") as f:
            f.write(b"partial")
        raise error
    assert target.read_bytes() == b"old"
    assert _temporaries(tmp_path) == []


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid  # reaped: no process has this pid now (reuse within the test is vanishingly unlikely)


def test_stale_temporaries_of_dead_writers_are_removed_by_the_next_save(tmp_path):
    target = tmp_path / "m.weights.h5"
    host = atomic._host()
    dead = tmp_path / f".m.weights.h5.{host}.{_dead_pid()}.abcd0123{atomic.SUFFIX}"
    live = tmp_path / f".m.weights.h5.{host}.{os.getppid()}.abcd0124{atomic.SUFFIX}"  # a live process
    other_host_old = tmp_path / f".m.weights.h5.elsewhere.12345.abcd0125{atomic.SUFFIX}"
    other_host_new = tmp_path / f".m.weights.h5.elsewhere.12346.abcd0126{atomic.SUFFIX}"
    other_target = tmp_path / f".other.h5.{host}.{_dead_pid()}.abcd0127{atomic.SUFFIX}"
    unrelated = tmp_path / "notes.txt"
    for p in (dead, live, other_host_old, other_host_new, other_target, unrelated):
        p.write_bytes(b"x")
    old = time.time() - atomic.STALE_AFTER_S - 60
    os.utime(other_host_old, (old, old))
    _model().save_weights(target)
    remaining = set(os.listdir(tmp_path))
    assert dead.name not in remaining and other_host_old.name not in remaining
    assert {live.name, other_host_new.name, other_target.name, unrelated.name, target.name} <= remaining


_WRITER = textwrap.dedent("""
    import os, sys
    import torch
    torch.set_num_threads(1)
    import numpy as np
    import kerastorch as keras
    path, reference = sys.argv[1], sys.argv[2]
    model = keras.Sequential([keras.Input((512,)), keras.layers.Dense(1024), keras.layers.Dense(512)])
    np.savez(reference, *model.get_weights())
    print("ready", flush=True)
    for line in sys.stdin:          # a zygote: one forked writer per request, killed by the test
        pid = os.fork()
        if pid == 0:
            while True:
                model.save(path)
        print(pid, flush=True)
        os.waitpid(pid, 0)
        print("reaped", flush=True)
""")


@pytest.mark.parametrize("name", ["ckpt.keras", "ckpt.weights.h5"])
def test_sigkilled_saves_leave_a_loadable_file_and_no_temporaries(tmp_path, name):
    """A writer saving in a loop is SIGKILLed mid-save again and again: at most one stray file
    exists at any time, the target always loads, and the next save leaves none."""
    folder = tmp_path / "checkpoints"
    folder.mkdir()
    target, reference = folder / name, tmp_path / "reference.npz"
    zygote = subprocess.Popen([sys.executable, "-c", _WRITER, str(target), str(reference)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    kills, left_behind = 10, []
    rng = random.Random(0)
    try:
        assert zygote.stdout.readline().strip() == "ready"
        for _ in range(kills):
            zygote.stdin.write("go\n")
            zygote.stdin.flush()
            pid = int(zygote.stdout.readline())
            time.sleep(rng.uniform(0.1, 0.3))
            os.kill(pid, signal.SIGKILL)
            assert zygote.stdout.readline().strip() == "reaped"
            stray = _temporaries(folder)
            assert len(stray) <= 1, stray  # each save first removes the ones of dead writers
            left_behind.append(len(stray))
    finally:
        zygote.stdin.close()
        zygote.wait(timeout=30)
    print(f"{name}: {kills} SIGKILLs, stray temporaries after each: {left_behind}")
    # The kills did land mid-save (a temporary was being written), not only between saves.
    assert sum(left_behind) >= 2, left_behind
    with np.load(reference) as saved:
        expected = [saved[f"arr_{i}"] for i in range(len(saved.files))]
    if name.endswith(".keras"):
        loaded = keras.saving.load_model(target)
    else:
        loaded = keras.Sequential([keras.Input((512,)), keras.layers.Dense(1024), keras.layers.Dense(512)])
        loaded.load_weights(target)
    assert len(loaded.get_weights()) == len(expected)
    for a, b in zip(loaded.get_weights(), expected):
        np.testing.assert_array_equal(a, b)
    # The next save to the same path cleans up the killed writer's file.
    if name.endswith(".keras"):
        loaded.save(target)
    else:
        loaded.save_weights(target)
    assert _temporaries(folder) == []
    assert sorted(os.listdir(folder)) == [name]
