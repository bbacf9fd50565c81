"""Data-parallel fit/evaluate/predict over 2 gloo CPU processes (kerastorch/trainer/distributed.py).

Each 2-process test launches ``distributed_worker.py`` twice the way torchrun does (RANK,
WORLD_SIZE, MASTER_ADDR, MASTER_PORT), with a wall-clock limit, so a hang fails the test; the
1-process reference runs the same worker without those variables.
"""
from __future__ import annotations

import json
import os
import pathlib
import socket
import subprocess
import sys

import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch.trainer import distributed

ROOT = pathlib.Path(__file__).resolve().parents[2]
WORKER = pathlib.Path(__file__).with_name("distributed_worker.py")
TIMEOUT_S = 240


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    env.setdefault("OMP_NUM_THREADS", "1")
    env["KERASTORCH_DEVICE"] = "cpu"
    env.update(extra or {})
    return env


def launch(scenario: str, out: pathlib.Path, nprocs: int = 2, extra: dict | None = None,
           timeout: float = TIMEOUT_S) -> list[subprocess.CompletedProcess]:
    """Run the worker as ``nprocs`` processes (1: no distributed variables); a hang fails the test."""
    out.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    procs = []
    for rank in range(nprocs):
        dist_env = {} if nprocs == 1 else {"RANK": str(rank), "LOCAL_RANK": str(rank), "WORLD_SIZE": str(nprocs),
                                           "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port)}
        procs.append(subprocess.Popen([sys.executable, str(WORKER), scenario, str(out)], env=_env({**dist_env,
                                      **(extra or {})}), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    results = []
    try:
        for p in procs:
            stdout, stderr = p.communicate(timeout=timeout)
            results.append(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    except subprocess.TimeoutExpired:
        for p in procs:
            p.kill()
        pytest.fail(f"the {nprocs}-process run of {scenario!r} hung (over {timeout} s)")
    return results


def ok(results) -> None:
    for rank, r in enumerate(results):
        assert r.returncode == 0, f"rank {rank} exited with {r.returncode}:\n{r.stderr[-4000:]}"


def read(out: pathlib.Path, rank: int) -> dict:
    return json.loads((out / f"r{rank}.json").read_text())


def assert_weights_close(a, b, atol) -> None:
    assert len(a) == len(b)
    for wa, wb in zip(a, b):
        np.testing.assert_allclose(np.asarray(wa), np.asarray(wb), atol=atol, rtol=0)


# ------------------------------------------------------------------ in-process (fast)
def test_one_process_gets_the_single_process_hooks():
    assert distributed.attach(keras.Sequential([keras.layers.Dense(1)])) is distributed.SINGLE_PROCESS
    hooks = distributed.SINGLE_PROCESS
    logs = {"loss": 1.0}
    assert hooks.global_logs(None, logs) is logs
    assert hooks.gather_predictions([1]) == [1]


def test_data_parallel_in_one_process_trains_like_no_distribution():
    x = np.random.default_rng(0).normal(size=(32, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)

    def run(dist):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        if dist is not None:
            keras.distribution.set_distribution(dist)
        try:
            model.fit(x, y, batch_size=8, epochs=2, verbose=0)
        finally:
            keras.distribution.set_distribution(None)
        return model.get_weights()
    for a, b in zip(run(None), run(keras.distribution.DataParallel())):
        np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------ 2 processes
@pytest.mark.slow
def test_two_processes_equal_one_process_on_the_same_global_batch(tmp_path):
    ok(launch("fit_arrays", tmp_path / "two"))
    ok(launch("fit_arrays", tmp_path / "one", nprocs=1))
    r0, r1, single = read(tmp_path / "two", 0), read(tmp_path / "two", 1), read(tmp_path / "one", 0)
    # the ranks end with identical weights
    assert_weights_close(r0["weights"], r1["weights"], atol=0)
    # ... equal to one process training on the same global batches (float tolerance)
    assert_weights_close(r0["weights"], single["weights"], atol=1e-5)
    # every rank logs the global values (the same on both ranks, equal to one process's)
    assert r0["history"] == r1["history"]
    assert set(r0["history"]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    for key, values in single["history"].items():
        np.testing.assert_allclose(r0["history"][key], values, atol=1e-5)
    assert r0["evaluate"] == r1["evaluate"]
    for key, value in single["evaluate"].items():
        assert r0["evaluate"][key] == pytest.approx(value, abs=1e-5)
    # predict: every rank returns the whole data's predictions, in order
    np.testing.assert_allclose(r0["predict"], single["predict"], atol=1e-5)
    np.testing.assert_allclose(r1["predict"], single["predict"], atol=1e-5)
    # rank 0 wrote the files, once: one checkpoint per epoch, one CSV row per epoch
    assert sorted(p.name for p in (tmp_path / "two").glob("ckpt_*.keras")) == \
        ["ckpt_1.keras", "ckpt_2.keras", "ckpt_3.keras"]
    assert (tmp_path / "two" / "writers.txt").read_text() == "0\n0\n0\n"  # only rank 0's checkpoint callback ran
    rows = (tmp_path / "two" / "log.csv").read_text().strip().splitlines()  # append=True: one writer, one header
    assert len(rows) == 1 + 3, rows
    # model.save then load_model on every rank: the file was complete when rank 1 read it
    assert_weights_close(r1["reloaded"], r0["weights"], atol=0)
    # EarlyStopping decides the same on every rank (and as one process does)
    assert r0["early_epochs"] == r1["early_epochs"] == single["early_epochs"] == 2
    # stop_training set on rank 1 only, after its third batch: both ranks stopped there, in step
    assert r0["stop_batches"] == r1["stop_batches"] == 3
    assert_weights_close(r0["stopped_weights"], r1["stopped_weights"], atol=0)


@pytest.mark.slow
def test_pydataset_and_dataloader_are_sharded_and_reshuffled(tmp_path):
    ok(launch("datasets", tmp_path))
    r0, r1 = read(tmp_path, 0), read(tmp_path, 1)
    # custom train_step (forward, loss.backward(), optimizer.apply): gradients were averaged
    assert_weights_close(r0["weights"], r1["weights"], atol=0)
    assert_weights_close(r0["weights2"], r1["weights2"], atol=0)
    assert r0["history"] == r1["history"]
    # PyDataset: 8 batches, 2 epochs; each rank loads 4 per epoch, together all 8, shuffled per epoch
    s0, s1 = r0["seen_sequence"], r1["seen_sequence"]
    assert len(s0) == len(s1) == 8
    for epoch in range(2):
        both = s0[4 * epoch:4 * epoch + 4] + s1[4 * epoch:4 * epoch + 4]
        assert sorted(both) == list(range(8))
    assert s0[:4] + s1[:4] != s0[4:] + s1[4:]  # a new shared order in epoch 2
    # DataLoader: disjoint halves of the 64 samples each epoch, a different split in epoch 2
    e0, e1 = r0["loader_epochs"], r1["loader_epochs"]
    for epoch in range(2):
        assert len(e0[epoch]) == len(e1[epoch]) == 32
        assert sorted(e0[epoch] + e1[epoch]) == list(range(64))
    assert sorted(e0[0]) != sorted(e0[1])
    # evaluate on a sharded DataLoader logs the loss of the whole data on every rank
    assert r0["loader_evaluate"] == r1["loader_evaluate"]
    assert r0["loader_evaluate"] == pytest.approx(r0["reference_loss"], abs=1e-5)


@pytest.mark.slow
def test_resume_after_sigkill_of_one_rank_with_backup_and_restore(tmp_path):
    killed = launch("resume", tmp_path / "run", extra={"KILL_AT_EPOCH": "2", "KERASTORCH_DISTRIBUTED_TIMEOUT": "60"})
    assert killed[1].returncode == -9  # SIGKILL
    assert killed[0].returncode != 0  # rank 0 noticed (no hang), its error names the cause
    assert "another process" in killed[0].stderr, killed[0].stderr[-3000:]
    assert (tmp_path / "run" / "backup" / "checkpoint.pt").exists()
    ok(launch("resume", tmp_path / "run"))  # same command again: resumes at epoch 2
    r0, r1 = read(tmp_path / "run", 0), read(tmp_path / "run", 1)
    assert len(r0["history"]["loss"]) == 2  # only the epochs after the restore ran
    assert_weights_close(r0["weights"], r1["weights"], atol=0)
    ok(launch("resume", tmp_path / "whole", nprocs=1))  # uninterrupted, one process
    assert_weights_close(r0["weights"], read(tmp_path / "whole", 0)["weights"], atol=1e-5)
    assert not (tmp_path / "run" / "backup" / "checkpoint.pt").exists()  # deleted by rank 0 at the end


@pytest.mark.slow
def test_one_rank_raising_stops_the_run_with_a_clear_error(tmp_path):
    results = launch("raise", tmp_path, extra={"KERASTORCH_DISTRIBUTED_TIMEOUT": "30"}, timeout=150)
    assert results[1].returncode != 0 and "rank 1 failed on purpose" in results[1].stderr
    assert results[0].returncode != 0
    assert "another process raised an error, was killed, or stopped taking part" in results[0].stderr, \
        results[0].stderr[-3000:]


@pytest.mark.slow
def test_mixed_precision_composes(tmp_path):
    ok(launch("jit_and_mixed", tmp_path / "two", extra={"POLICY": "mixed_bfloat16"}))
    ok(launch("jit_and_mixed", tmp_path / "one", nprocs=1, extra={"POLICY": "mixed_bfloat16"}))
    r0, r1 = read(tmp_path / "two", 0), read(tmp_path / "two", 1)
    assert_weights_close(r0["weights"], r1["weights"], atol=0)
    assert_weights_close(r0["weights"], read(tmp_path / "one", 0)["weights"], atol=2e-2)  # bfloat16 compute


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(torch, "compile"), reason="torch.compile is needed")
def test_jit_compile_composes(tmp_path):
    ok(launch("jit_and_mixed", tmp_path / "two", extra={"JIT": "1"}, timeout=420))
    ok(launch("jit_and_mixed", tmp_path / "one", nprocs=1, extra={"JIT": "0"}))
    r0, r1 = read(tmp_path / "two", 0), read(tmp_path / "two", 1)
    assert_weights_close(r0["weights"], r1["weights"], atol=0)
    assert_weights_close(r0["weights"], read(tmp_path / "one", 0)["weights"], atol=1e-5)


@pytest.mark.slow
def test_keras3_data_parallel_example_runs_unchanged_on_two_processes(tmp_path):
    example = ROOT / "compat_examples" / "data_parallel_mnist_style.py"
    port = _free_port()
    procs = [subprocess.Popen([sys.executable, str(example)], cwd=tmp_path, env=_env({
        "RANK": str(r), "LOCAL_RANK": str(r), "WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1",
        "MASTER_PORT": str(port), "KERASTORCH_QUICK": "1"}), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True) for r in range(2)]
    try:
        outs = [p.communicate(timeout=TIMEOUT_S) for p in procs]
    except subprocess.TimeoutExpired:
        for p in procs:
            p.kill()
        pytest.fail("the 2-process example hung")
    for p, (_stdout, stderr) in zip(procs, outs):
        assert p.returncode == 0, stderr[-3000:]
    assert "replicas: 2 devices: ['cpu:0', 'cpu:1']" in outs[0][0] and "replicas: 2" in outs[1][0]
    assert "Epoch 1/" in outs[0][0] and "Epoch 1/" not in outs[1][0]  # the progress bar on rank 0 only
