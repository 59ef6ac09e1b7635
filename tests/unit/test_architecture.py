"""The layering holds: the core package never imports an adapter (checked by import-linter)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path, *args: str, pythonpath: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_core_never_imports_adapters() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The core never imports an adapter KEPT" in result.stdout


def test_contract_fails_when_the_core_imports_an_adapter(tmp_path: Path) -> None:
    """The same contract, on a tree where the core imports an adapter, must be reported broken."""
    (tmp_path / "ecms_gateway").mkdir()
    (tmp_path / "ecms_gateway" / "__init__.py").write_text("")
    (tmp_path / "ecms_gateway" / "engine.py").write_text("import ecms_adapters.smtp\n")
    (tmp_path / "ecms_adapters").mkdir()
    (tmp_path / "ecms_adapters" / "__init__.py").write_text("")
    (tmp_path / "ecms_adapters" / "smtp.py").write_text("")
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    result = _lint(tmp_path, pythonpath=str(tmp_path))
    assert result.returncode != 0
    assert "ecms_gateway.engine -> ecms_adapters.smtp" in result.stdout
