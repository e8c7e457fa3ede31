"""Layering contracts: the core has no Qt; the GUI has no crypto, audio or whisper code;
nothing heavy is imported at start-up."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PKG = ROOT / "recorder"


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def top_level_imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def offenders(folder: Path, banned: tuple[str, ...], *, top_level_only: bool = False) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*.py")):
        names = top_level_imports_of(path) if top_level_only else imports_of(path)
        for name in names:
            if name.split(".")[0] in banned or any(name.startswith(b + ".") for b in banned):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_core_never_imports_qt() -> None:
    assert offenders(PKG / "core", ("PySide6", "shiboken6", "PyQt5", "PyQt6", "recorder.ui")) == []


def test_gui_has_no_crypto_audio_or_whisper() -> None:
    banned = ("cryptography", "sounddevice", "whisper", "torch", "pyrage")
    assert offenders(PKG / "ui", banned) == []


def test_whisper_and_torch_are_never_imported_at_module_level() -> None:
    assert offenders(PKG, ("whisper", "torch"), top_level_only=True) == []


BLOCK_QT = """
import importlib, pkgutil, sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6'):
            raise ImportError('Qt is not allowed in recorder.core: ' + name)
sys.meta_path.insert(0, Block())
import recorder.core
for mod in pkgutil.walk_packages(recorder.core.__path__, 'recorder.core.'):
    importlib.import_module(mod.name)
import recorder.cli
heavy = [m for m in sys.modules if m.startswith(('PySide6', 'whisper', 'torch'))]
assert not heavy, heavy
print('ok')
"""


def test_core_and_cli_import_with_qt_absent() -> None:
    done = subprocess.run(
        [sys.executable, "-c", BLOCK_QT], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
