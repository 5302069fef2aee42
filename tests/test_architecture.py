"""The layers of pyproject.toml's import contract hold, and the contract does catch a lower
layer importing a higher one; the tests share only their fixtures package."""

import ast
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


# The tests mirror the code, and what they share lives in one place: a test module imports,
# from under tests/, only the fixtures package, never another test module nor a conftest.
TESTS = PROJECT / "tests"
SHARED = "tests.fixtures"


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(PROJECT).with_suffix("").parts)


def imports_from_tests(source: str, module: str) -> list[str]:
    """What `module` takes from under tests/, as dotted paths (`tests.fixtures.Api`): by
    `import`, by `from ... import` (relative ones too), by `importlib.import_module` or
    `__import__`, or as a pytest plugin."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")[: -node.level]
                base = ".".join([*package, base] if base else package)
            found += [f"{base}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Call) and ast.unparse(node.func).endswith(
            ("import_module", "__import__")
        ):
            found += [arg.value for arg in node.args[:1] if isinstance(arg, ast.Constant)]
        elif isinstance(node, ast.Assign) and "pytest_plugins" in map(ast.unparse, node.targets):
            found += [
                item.value
                for item in ast.walk(node.value)
                if isinstance(item, ast.Constant) and isinstance(item.value, str)
            ]
    return [name for name in found if name == "tests" or name.startswith("tests.")]


def offences(source: str, module: str) -> list[str]:
    return [
        name
        for name in imports_from_tests(source, module)
        if name != SHARED and not name.startswith(f"{SHARED}.")
    ]


def test_no_test_module_imports_another_and_the_fixtures_are_all_they_share():
    # given every module under tests/: test modules, conftests, the fixtures themselves
    modules = sorted(TESTS.rglob("*.py"))
    assert len([path for path in modules if path.name.startswith("test_")]) > 50

    # when their imports from under tests/ are read
    found = {
        str(path.relative_to(PROJECT)): offences(path.read_text(), module_name(path))
        for path in modules
    }

    # then each takes only what the fixtures package offers
    assert {path: names for path, names in found.items() if names} == {}


def test_the_check_catches_each_way_of_importing_a_test_module():
    module = "tests.alerts.test_views"
    refused = {
        "from tests.test_api import Api": ["tests.test_api.Api"],
        "import tests.api.test_cases": ["tests.api.test_cases"],
        "from tests.conftest import build_town": ["tests.conftest.build_town"],
        "from tests.api import test_cases": ["tests.api.test_cases"],
        "from . import conftest": ["tests.alerts.conftest"],
        "from .test_rules import NOW": ["tests.alerts.test_rules.NOW"],
        "from ..api.test_cases import case_body": ["tests.api.test_cases.case_body"],
        "importlib.import_module('tests.api.test_cases')": ["tests.api.test_cases"],
        "__import__('tests.test_api')": ["tests.test_api"],
        "pytest_plugins = ['tests.alerts.conftest']": ["tests.alerts.conftest"],
    }

    for source, names in refused.items():
        assert offences(source, module) == names, source
    assert offences("from tests.fixtures import Api, as_\nimport pytest", module) == []
    assert offences("pytestmark = pytest.mark.urls('tests.fixtures.error_urls')", module) == []
