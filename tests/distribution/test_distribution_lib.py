"""keras.distribution in one process: the Keras names, their signatures and checks (the 2-process
behaviour is in tests/trainer/test_distributed.py)."""
from __future__ import annotations

import inspect
import os
import subprocess
import sys

import pytest

import kerastorch
from kerastorch import distribution

KERAS_NAMES = ("DataParallel", "DeviceMesh", "distribution", "get_device_count", "initialize", "list_devices",
               "set_distribution")


@pytest.mark.parametrize("name", KERAS_NAMES)
def test_signature_is_keras(real_keras, name):
    ours, theirs = getattr(kerastorch.distribution, name), getattr(real_keras.distribution, name)
    mine = [(p.name, p.default, p.kind) for p in inspect.signature(ours).parameters.values()]
    keras_ = [(p.name, p.default, p.kind) for p in inspect.signature(theirs).parameters.values()]
    assert mine == keras_


@pytest.mark.parametrize("name", ("ModelParallel", "LayoutMap", "TensorLayout", "distribute_tensor"))
def test_sharding_names_say_why_they_are_missing(real_keras, name):
    assert hasattr(real_keras.distribution, name)
    with pytest.raises(AttributeError, match="DataParallel"):
        getattr(kerastorch.distribution, name)


def test_one_process_lists_one_replica():
    assert distribution.list_devices("cpu") == ["cpu:0"]
    assert distribution.get_device_count("cpu") == 1
    dp = distribution.DataParallel()
    assert dp.num_model_replicas == 1 and dp.num_processes == 1 and dp.batch_dim_name == "batch"
    assert dp.device_mesh.axis_names == ["batch"] and dp.auto_shard_dataset
    assert distribution.current_run() is None and distribution.is_chief()


def test_set_distribution_and_scope():
    dp = distribution.DataParallel(devices=["cpu:0"])
    assert distribution.distribution() is None
    with dp.scope():
        assert distribution.distribution() is dp
    assert distribution.distribution() is None
    distribution.set_distribution(dp)
    try:
        assert distribution.distribution() is dp
    finally:
        distribution.set_distribution(None)
    with pytest.raises(TypeError, match="DataParallel"):
        distribution.set_distribution("data_parallel")


def test_argument_errors_say_what_was_received(monkeypatch):
    with pytest.raises(ValueError, match="either `device_mesh` or `devices`"):
        distribution.DataParallel(device_mesh=distribution.DeviceMesh((1,), ["batch"], ["cpu:0"]), devices=["cpu:0"])
    with pytest.raises(ValueError, match="DeviceMesh"):
        distribution.DataParallel(device_mesh="batch")
    with pytest.raises(ValueError, match="mismatched"):
        distribution.DeviceMesh((1,), ["a", "b"], ["cpu:0"])
    with pytest.raises(ValueError, match="device_type"):
        distribution.list_devices("npu")
    for var in ("KERAS_DISTRIBUTION_JOB_ADDRESSES", "KERAS_DISTRIBUTION_NUM_PROCESSES",
                "KERAS_DISTRIBUTION_PROCESS_ID", "WORLD_SIZE", "RANK", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(ValueError, match="torchrun"):
        distribution.initialize()
    with pytest.raises(ValueError, match="host:port"):
        distribution.initialize("localhost", 2, 0)
    with pytest.raises(ValueError, match="process_id"):
        distribution.initialize("localhost:1234", 2, 5)


def test_write_on_chief_runs_the_write_in_one_process():
    assert distribution.write_on_chief(lambda: 7) == 7


def test_initialize_ends_its_group_at_exit(tmp_path):
    # A script that never calls destroy_process_group must not leave gloo's threads to the
    # interpreter's shutdown (an occasional SIGABRT). atexit runs handlers last-registered first,
    # so this one, registered before initialize, sees the state after kerastorch's handler ran.
    script = tmp_path / "one_process_group.py"
    script.write_text(
        "import atexit, socket\n"
        "import torch.distributed as dist\n"
        "atexit.register(lambda: print('initialized at exit:', dist.is_initialized()))\n"
        "import kerastorch as keras\n"
        "with socket.socket() as s:\n"
        "    s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]\n"
        "keras.distribution.initialize(f'127.0.0.1:{port}', num_processes=1, process_id=0)\n"
        "print('initialized:', dist.is_initialized())\n")
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")}
    env["KERASTORCH_DEVICE"] = "cpu"
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["initialized: True", "initialized at exit: False"]
