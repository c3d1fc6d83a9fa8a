"""The layering contracts in ``.importlinter`` hold, and they bite: a module of a lower layer
that imports a higher one (orders importing fulfilment) makes ``lint-imports`` fail."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("config", "sellerhub", "integrations", "documents", "inventory", "orders", "fulfilment", "channels",
            "metrics", "devtools")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), str(cwd / ".importlinter"), "--no-cache"], cwd=cwd,
                          env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True,
                          timeout=120)


def _copy_tree(tmp_path: Path) -> Path:
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name,
                        ignore=shutil.ignore_patterns("__pycache__", "static", "*.json", "data"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def test_the_contracts_hold_on_the_code_base():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_upward_import_breaks_the_layers_contract(tmp_path):
    tree = _copy_tree(tmp_path)
    probe = '"""Breaks the layers on purpose."""\n\nimport fulfilment.models\n'
    (tree / "orders" / "upward_probe.py").write_text(probe)
    result = _lint(tree)
    assert result.returncode != 0
    assert "orders.upward_probe -> fulfilment.models" in result.stdout


def test_product_code_importing_the_emulators_breaks_a_contract(tmp_path):
    tree = _copy_tree(tmp_path)
    (tree / "fulfilment" / "emulator_probe.py").write_text('"""Imports dev code on purpose."""\n\n'
                                                            "import devtools.emulators\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert "fulfilment.emulator_probe -> devtools.emulators" in result.stdout


def test_integrations_importing_a_domain_app_breaks_a_contract(tmp_path):
    tree = _copy_tree(tmp_path)
    (tree / "integrations" / "domain_probe.py").write_text('"""Imports the domain on purpose."""\n\n'
                                                            "import inventory.models\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert "integrations.domain_probe -> inventory.models" in result.stdout


def test_every_function_level_import_in_product_code_gives_its_reason():
    """Ruff's PLC0415 refuses function-level imports; where one is truly needed, its ``noqa``
    says why (``# noqa: PLC0415 -- reason``)."""
    bare = []
    for name in PACKAGES:
        if name == "devtools":
            continue
        for path in (ROOT / name).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if "noqa: PLC0415" in line and "PLC0415 -- " not in line:
                    bare.append(f"{path.relative_to(ROOT)}:{number}")
    assert bare == []
