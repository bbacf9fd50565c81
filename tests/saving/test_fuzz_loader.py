"""Damaged files (truncated, bit-flipped, zeroed blocks) fail with clean Python exceptions, quickly.

Mutations of real fixture files and of kerastorch-written files are fed to the loaders
in an in-process loop; every outcome must be a successful load or a ValueError /
OSError (KeyError and friends from h5py must have been wrapped), each within a couple
of seconds (a file on which the HDF5 library itself would loop forever is cut off by
the loader's forked preflight read after a few seconds).
"""
from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from reference_fixtures import FIXTURE_DIR  # noqa: E402

import kerastorch as keras  # noqa: E402
import kerastorch.saving as ksaving  # noqa: E402

L = keras.layers
FIXTURE_FILES = ["mlp_dense.tfk.h5", "mlp_dense.k3.keras", "mlp_dense.k3.weights.h5", "mlp_dense.tfk.weights.h5",
                 "mlp_dense.k3.h5"]


def _mutate(data: bytes, kind: str, pos: float, length: int, bit: int) -> bytes:
    if not data:
        return data
    i = min(int(pos * len(data)), len(data) - 1)
    if kind == "truncate":
        return data[:i]
    if kind == "flip":
        b = bytearray(data)
        b[i] ^= 1 << bit
        return bytes(b)
    b = bytearray(data)
    b[i:i + length] = bytes(min(length, len(data) - i))
    return bytes(b)


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz_src")
    model = keras.Sequential([keras.Input((4,)), L.Dense(3, name="d1"), L.Dense(2, name="d2")])
    out = {}
    for name in ("m.keras", "m.h5"):
        ksaving.save_model(model, folder / name)
        out[name] = (folder / name).read_bytes()
    for name in ("w.weights.h5", "w.pt"):
        ksaving.save_weights(model, folder / name)
        out[name] = (folder / name).read_bytes()
    for name in FIXTURE_FILES:
        if (FIXTURE_DIR / name).exists():
            out[name] = (FIXTURE_DIR / name).read_bytes()
    return out


def _mlp_like(name):
    if name.startswith("mlp_dense"):
        return keras.Sequential([keras.Input((10,)), L.Dense(16, activation="relu", name="fc1"),
                                 L.Dense(16, activation="tanh", name="fc2"), L.Dense(12, name="fc3"),
                                 L.Dense(8, activation="sigmoid", name="fc4"), L.Dense(4, name="fc5")])
    return keras.Sequential([keras.Input((4,)), L.Dense(3, name="d1"), L.Dense(2, name="d2")])


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(index=st.integers(0, 100), kind=st.sampled_from(["truncate", "flip", "zero"]),
       pos=st.floats(0.0, 1.0), length=st.integers(1, 4096), bit=st.integers(0, 7))
def test_mutated_files_fail_cleanly(sources, tmp_path_factory, index, kind, pos, length, bit):
    names = sorted(sources)
    name = names[index % len(names)]
    path = tmp_path_factory.mktemp("fuzz") / ("x" + Path(name).suffix)
    path.write_bytes(_mutate(sources[name], kind, pos, length, bit))
    for how in ("load_model", "load_weights"):
        start = time.monotonic()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if how == "load_model":
                    ksaving.load_model(path, compile=False)
                else:
                    ksaving.load_weights(_mlp_like(name), path)
        except (ValueError, OSError):
            pass
        elapsed = time.monotonic() - start
        assert elapsed < 12.0, f"{how} took {elapsed:.1f}s on a mutated {name}"


def test_mutation_helper():
    data = bytes(range(10))
    assert _mutate(data, "truncate", 0.5, 1, 0) == data[:5]
    assert _mutate(data, "flip", 0.0, 1, 1)[0] == 2
    assert _mutate(data, "zero", 0.2, 3, 0)[2:5] == bytes(3)
    assert np.frombuffer(_mutate(data, "zero", 0.9, 100, 0), np.uint8)[-1] == 0
