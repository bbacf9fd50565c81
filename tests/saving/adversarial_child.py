"""Child process of test_adversarial_files.py: load every case of one category under a memory limit.

Usage: python adversarial_child.py CASES_JSON RESULTS_JSONL LIMIT_BYTES PAYLOAD_DIR CWD

Writes one "start" line before each case and one result line after it, flushed, so the
parent can name the case that killed the interpreter (if one ever does). The payload
folder is put on sys.path: if any loader imported a module named in a file, the payload
module would run and leave its marker file behind.
"""
from __future__ import annotations

import json
import os
import resource
import sys
import warnings


def _memory_error_in_chain(e: BaseException) -> bool:
    seen = set()
    while e is not None and id(e) not in seen:
        if isinstance(e, MemoryError):
            return True
        seen.add(id(e))
        e = e.__cause__ or e.__context__
    return False


def main() -> None:
    cases_file, results_file, limit, payload_dir, cwd = sys.argv[1:6]
    limit = int(limit)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    sys.path.insert(0, payload_dir)
    os.chdir(cwd)
    warnings.simplefilter("ignore")
    import numpy as np
    import torch
    torch.set_num_threads(1)

    import kerastorch as keras

    def fresh_model():
        return keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="d1"),
                                 keras.layers.Dense(2, name="d2")])

    with open(cases_file) as f:
        cases = json.load(f)
    with open(results_file, "a") as out:
        for case in cases:
            out.write(json.dumps({"id": case["id"], "phase": "start"}) + "\n")
            out.flush()
            result = {"id": case["id"], "phase": "done"}
            try:
                if case["op"] == "load_model":
                    model = keras.saving.load_model(case["path"], compile=True)
                else:
                    model = fresh_model()
                    model.load_weights(case["path"])
                result["outcome"] = "loaded"
                result["compiled"] = getattr(model, "optimizer", None) is not None
                result["checksum"] = float(sum(np.asarray(w, dtype=np.float64).sum() for w in model.get_weights()))
            except (ValueError, TypeError) as e:
                result.update(outcome="refused", type=type(e).__name__, message=str(e)[:400],
                              memory_error=_memory_error_in_chain(e))
            except BaseException as e:  # noqa: BLE001 - anything else is an unclean failure, reported
                result.update(outcome="error", type=type(e).__name__, message=str(e)[:400],
                              memory_error=_memory_error_in_chain(e))
            result["payload_imported"] = "kt_payload" in sys.modules
            out.write(json.dumps(result) + "\n")
            out.flush()


if __name__ == "__main__":
    main()
