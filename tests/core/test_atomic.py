"""kill -9 during an atomic write leaves the old file or the new one, never a broken one."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from recorder.core.atomic import atomic_write, remove_stale_temps
from recorder.core.vault import Vault, VaultKind
from recorder.core.verify import verify_vault
from tests.conftest import ROOT

PASS = "atomic test passphrase"

WRITER = """
import sys
from pathlib import Path
from recorder.core.vault import Vault, VaultKind
vault = Vault.open(Path(sys.argv[1]), VaultKind.STUDY, sys.argv[2])
i = int(sys.argv[3])
while True:
    i += 1
    size = 200_000 + (i % 7) * 150_000   # versions of different sizes
    vault.write_json("registry.irf", {"version": i, "payload": str(i % 10) * size})
    print(i, flush=True)
"""


def _read_version(folder: Path) -> int:
    doc = Vault.open(folder, VaultKind.STUDY, PASS).read_json("registry.irf")
    assert doc["payload"] == str(doc["version"] % 10) * len(doc["payload"])
    return int(doc["version"])


@pytest.mark.parametrize("runs", [15])
def test_kill_minus_nine_mid_write_never_breaks_the_file(tmp_path: Path, runs: int) -> None:
    folder = tmp_path / "vault"
    Vault.create(folder, VaultKind.STUDY, PASS).write_json(
        "registry.irf", {"version": 0, "payload": ""}
    )
    rng = random.Random(1234)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    last = 0
    for _ in range(runs):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(folder), PASS, str(last)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert child.stdout is not None
        completed = last
        for _ in range(rng.randint(1, 4)):  # let it finish a few writes, then kill mid-write
            completed = int(child.stdout.readline())
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        version = _read_version(folder)
        assert version in (completed, completed + 1)  # the old file or the new one
        last = version
    vault = Vault.open(folder, VaultKind.STUDY, PASS)  # unlocking tidies leftover temp files
    assert verify_vault(vault, ("registry.irf",)) == []
    assert not [p for p in folder.iterdir() if ".tmp-" in p.name]


FULL_DISK = """
import resource, signal, sys
from pathlib import Path
from recorder.core.atomic import atomic_write
from recorder.core.errors import DiskFull
target = Path(sys.argv[1])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))  # the "disk" holds 4 KiB per file
try:
    atomic_write(target, b"n" * 100_000)
except DiskFull as exc:
    print("DiskFull:", exc)
"""


def test_a_full_disk_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "f.bin"
    atomic_write(target, b"old")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(target)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.startswith("DiskFull: The disk is full; f.bin could not be saved.")
    assert target.read_bytes() == b"old"
    assert remove_stale_temps(tmp_path) == 0
