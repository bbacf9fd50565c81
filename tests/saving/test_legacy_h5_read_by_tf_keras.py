"""Legacy ``.h5`` files kerastorch writes are read by tf-keras (Keras 2) with the fixtures' predictions.

For every inference case of the shared reference fixtures, two routes: ``model.save("x.h5")`` read with
``tf_keras.models.load_model``, and ``model.save_weights("x.h5")`` read into the case's builder run
with tf-keras. A route succeeds when tf-keras's outputs equal the fixture's tf-keras outputs (or, for
the cases whose Keras 2 and Keras 3 semantics differ, the Keras 3 ones) within the case's tolerance.

TensorFlow is not a test dependency: tf-keras runs in a separate Python, named by the environment
variable ``KERASTORCH_TF_PYTHON`` (default: this interpreter), through ``tf_keras_reader.py``; the
test is skipped when that Python cannot import tensorflow and tf_keras. Slow (TensorFlow start-up).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from reference_fixtures import FIXTURE_DIR, load_manifest

MANIFEST = load_manifest()
CASES = [c for c in (MANIFEST["cases"] if MANIFEST else []) if c["kind"] == "inference"]
TF_PYTHON = os.environ.get("KERASTORCH_TF_PYTHON", sys.executable)
READER = Path(__file__).with_name("tf_keras_reader.py")
# The bar: at least 50 of 52 legacy files read back (96%); here over every route counted.
MIN_FRACTION = 50 / 52


def _tf_keras_available() -> bool:
    try:
        probe = subprocess.run([TF_PYTHON, "-c", "import tensorflow, tf_keras"], capture_output=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(MANIFEST is None, reason=f"Keras reference fixtures not found at {FIXTURE_DIR}")]


def _write_routes(kt, tmp_path: Path) -> tuple[list[dict], list[str]]:
    routes, write_failures = [], []
    for case in CASES:
        data = np.load(FIXTURE_DIR / case["files"]["npz"]["file"])
        weights, i = [], 0
        while f"w{i}" in data:
            weights.append(data[f"w{i}"])
            i += 1
        common = {"npz": str(FIXTURE_DIR / case["files"]["npz"]["file"]), "tolerance": case["tolerance"],
                  "builder": case["builder"], "model_class": case.get("model_class")}
        for kind in ("model", "weights"):
            name = f"{case['name']} {kind}"
            # Not `*.weights.h5`: that suffix means the Keras 3 weights format; these are legacy files.
            path = tmp_path / f"{case['name']}_{kind}.h5"
            try:
                kt.backend.clear_session()
                namespace: dict = {}
                exec(compile(case["builder"], f"<builder {case['name']}>", "exec"), namespace)
                model = namespace["build"](kt)
                model.set_weights(weights)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model.save(str(path)) if kind == "model" else model.save_weights(str(path))
            except Exception as e:  # noqa: BLE001 - a file kerastorch cannot write counts as a failed route
                write_failures.append(f"{name}: kerastorch could not write it: {type(e).__name__}: {str(e)[:200]}")
                continue
            routes.append({"name": name, "kind": kind, "file": str(path), **common})
    return routes, write_failures


def test_tf_keras_reads_kerastorch_legacy_h5(tmp_path):
    # Probed here, not at collection: starting TensorFlow takes seconds.
    if not _tf_keras_available():
        pytest.skip(f"{TF_PYTHON} cannot import tensorflow and tf_keras (set KERASTORCH_TF_PYTHON)")
    import kerastorch as kt
    routes, failures = _write_routes(kt, tmp_path)
    job, results_path = tmp_path / "job.json", tmp_path / "results.json"
    job.write_text(json.dumps({"routes": routes}))
    run = subprocess.run([TF_PYTHON, str(READER), str(job), str(results_path)], capture_output=True, text=True,
                         timeout=1800)
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads(results_path.read_text())
    failures += [f"{r['name']}: {r['error']}" for r in results if not r["ok"]]
    total = 2 * len(CASES)
    successes = total - len(failures)
    print(f"\ntf-keras read {successes}/{total} kerastorch-written legacy .h5 files with matching predictions "
          f"(full models {sum(r['ok'] for r in results if r['name'].endswith(' model'))}/{len(CASES)})")
    for failure in failures:
        print("  FAIL", failure)
    assert successes >= MIN_FRACTION * total, "\n".join(failures)
