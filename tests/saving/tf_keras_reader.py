"""Run by tests/saving/test_legacy_h5_read_by_tf_keras.py in a Python that has tensorflow and tf-keras
(it is not a test module): read the legacy files kerastorch wrote and compare tf-keras's predictions with
the shared fixtures' references. Usage: python tf_keras_reader.py JOB.json RESULTS.json"""
from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tf_keras  # noqa: E402


def _numbered(data, prefix):
    out, i = [], 0
    while f"{prefix}{i}" in data:
        out.append(data[f"{prefix}{i}"])
        i += 1
    return out


def _close(outs, refs, tol) -> bool:
    if len(outs) != len(refs):
        return False
    for o, r in zip(outs, refs):
        o, r = np.asarray(o, dtype="float64"), np.asarray(r, dtype="float64")
        if o.shape != r.shape or not np.all(np.abs(o - r) <= tol["atol"] + tol["rtol"] * np.abs(r)):
            return False
    return True


def _outputs(model, xs):
    out = model(xs[0] if len(xs) == 1 else list(xs), training=False)
    out = list(out) if isinstance(out, (list, tuple)) else [out]
    return [np.asarray(o) for o in out]


def _build(builder: str):
    namespace: dict = {}
    exec(compile(builder, "<builder>", "exec"), namespace)
    return namespace["build"](tf_keras)


def main(job_path: str, results_path: str) -> None:
    with open(job_path) as f:
        job = json.load(f)
    results = []
    for route in job["routes"]:
        data = np.load(route["npz"])
        xs = _numbered(data, "x")
        refs = [_numbered(data, "tfk_y"), _numbered(data, "y")]
        tf_keras.backend.clear_session()
        try:
            if route["kind"] == "model":
                # A subclassed model loads only with its class passed in (in every Keras).
                subclassed = route.get("model_class") not in ("Sequential", "Functional", None)
                custom = {route["model_class"]: type(_build(route["builder"]))} if subclassed else None
                model = tf_keras.models.load_model(route["file"], compile=False, custom_objects=custom)
            else:
                model = _build(route["builder"])
                model.load_weights(route["file"])
            ok = any(r and _close(_outputs(model, xs), r, route["tolerance"]) for r in refs)
            results.append({"name": route["name"], "ok": bool(ok), "error": None if ok else "predictions differ"})
        except Exception as e:  # noqa: BLE001 - every route is counted; the failures are reported
            results.append({"name": route["name"], "ok": False, "error": f"{type(e).__name__}: {str(e)[:300]}"})
    with open(results_path, "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
