"""The lint gate: ``ruff check`` over the package, tests, benches and examples, and ``mypy`` over the typed
core (trainer/, saving/, optimizers/), with the settings in ``pyproject.toml``. They run inside the suite so
CI's one test command gates them; both are pinned in the ``test`` extra so every machine applies the same
rules."""
from __future__ import annotations

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHECKED = ["kerastorch", "tests", "bench", "examples", "compat_examples", "experiments"]


def test_ruff_passes():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *CHECKED],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"ruff check failed (run `ruff check --fix` first):\n{result.stdout}{result.stderr}"


def test_mypy_passes_on_the_typed_core():
    result = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental"], cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, f"mypy failed (files and settings: [tool.mypy] in pyproject.toml):\n{result.stdout}"
