"""Every Keras program in compat_examples/ runs (quick mode) and depends on kerastorch only
through its single `import kerastorch as keras` line."""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "compat_examples").glob("*.py"))


def test_there_are_enough_examples():
    assert len(EXAMPLES) >= 10, [p.name for p in EXAMPLES]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_only_the_import_line_names_kerastorch(path):
    lines = path.read_text().splitlines()
    imports = [i for i, line in enumerate(lines) if line == "import kerastorch as keras"]
    assert len(imports) == 1, "expected exactly one `import kerastorch as keras` line"
    others = [line for i, line in enumerate(lines) if "kerastorch" in line and i not in imports
              and not line.lstrip().startswith(("#", "Runs unchanged"))]
    assert not others, f"lines other than the import mention kerastorch: {others}"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs_in_quick_mode(path, tmp_path):
    pytest.importorskip("sklearn")
    env = dict(os.environ, KERASTORCH_QUICK="1", PYTHONPATH=os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
    env.setdefault("OMP_NUM_THREADS", "1")
    result = subprocess.run([sys.executable, str(path)], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, (f"{path.name} exited with {result.returncode}\n--- stdout (tail)\n"
                                    f"{result.stdout[-3000:]}\n--- stderr (tail)\n{result.stderr[-3000:]}")
