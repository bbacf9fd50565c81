"""Where the shared Keras reference fixtures are, and their manifest."""
from __future__ import annotations

import json
import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURE_DIR = Path(os.environ.get("KERAS_REFERENCE_DIR", REPO_ROOT.parent / "shared" / "fixtures" / "keras_reference"))


def load_manifest() -> dict | None:
    path = FIXTURE_DIR / "manifest.json"
    if not path.exists():
        return None
    with open(path) as f:
        return json.load(f)
