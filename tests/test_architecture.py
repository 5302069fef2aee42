"""The layers of pyproject.toml's import contract hold, and the contract does catch a lower
layer importing a higher one."""

import shutil
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own tool, our own arguments)
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_layers_are_kept():
    result = lint_imports(PROJECT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_domain_importing_the_shell_breaks_the_build(tmp_path):
    copy = tmp_path / "project"
    copy.mkdir()
    shutil.copy(PROJECT / "pyproject.toml", copy)
    shutil.copytree(
        PROJECT / "fengqiao",
        copy / "fengqiao",
        ignore=shutil.ignore_patterns("__pycache__", "locale", "static", "templates"),
    )
    selectors = copy / "fengqiao" / "cases" / "selectors.py"
    selectors.write_text(selectors.read_text() + "\nfrom fengqiao.web import case_views  # noqa\n")

    result = lint_imports(copy)

    assert result.returncode != 0
    assert "fengqiao.cases.selectors -> fengqiao.web.case_views" in result.stdout
