"""Vault benchmarks: unlock time with the default Argon2id parameters, sealed small-file I/O.

Each figure is printed with a baseline measured side by side in the same run (these machines
are noisy): RFC 9106's minimum recommended Argon2id setting for the unlock, and the same
atomic write without encryption for sealed files.

    .venv/bin/python bench/bench_vault.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.pop("RECORDER_TEST_ONLY_WEAK_KDF", None)

from recorder.core import crypto
from recorder.core.atomic import atomic_write
from recorder.core.vault import Vault, VaultKind


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    passphrase = "benchmark passphrase words"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "study"
        start = time.perf_counter()
        vault = Vault.create(folder, VaultKind.STUDY, passphrase)
        create_s = time.perf_counter() - start
        kdf = vault.header.kdf
        rfc = crypto.KdfParams(os.urandom(16), 64 * 1024, 3, 4)

        unlock = median_seconds(lambda: Vault.open(folder, VaultKind.STUDY, passphrase), 5)
        baseline = median_seconds(lambda: crypto.derive_key(b"x", rfc), 5)
        print(
            f"default Argon2id: {kdf.memory_kib // 1024} MiB, {kdf.iterations} passes, "
            f"{kdf.lanes} lanes (calibrated at creation, which took {create_s:.2f} s)"
        )
        print(f"unlock (median of 5):            {unlock:.3f} s   target 0.5-1.0 s")
        ratio = unlock / baseline
        print(f"baseline RFC 9106 64 MiB/t=3/p=4: {baseline:.3f} s   ratio {ratio:.1f}x")

        doc = {"entries": [{"name": "x" * 40, "n": i} for i in range(1500)]}  # ~100 KB
        raw = str(doc).encode()
        sealed_w = median_seconds(lambda: vault.write_json("doc.irf", doc), 20)
        plain_w = median_seconds(lambda: atomic_write(folder / "plain.json", raw), 20)
        sealed_r = median_seconds(lambda: vault.read_json("doc.irf"), 20)
        plain_r = median_seconds((folder / "plain.json").read_bytes, 20)
        print(
            f"atomic write ~{len(raw) // 1024} KiB: sealed {sealed_w * 1e3:.2f} ms vs "
            f"plain {plain_w * 1e3:.2f} ms  ratio {sealed_w / plain_w:.2f}x (fsync dominates)"
        )
        print(
            f"read ~{len(raw) // 1024} KiB:         sealed {sealed_r * 1e3:.2f} ms vs "
            f"plain {plain_r * 1e3:.2f} ms  ratio {sealed_r / plain_r:.1f}x"
        )

        blob = os.urandom(32 * 1024 * 1024)
        key = crypto.generate_key()
        enc = median_seconds(lambda: crypto.encrypt_message(key, b"ctx", blob), 3)
        copy = median_seconds(lambda: bytes(bytearray(blob)), 3)
        print(
            f"Cobblestone-128 encryption: {len(blob) / enc / 1e6:.0f} MB/s "
            f"(memory copy {len(blob) / copy / 1e6:.0f} MB/s; 16 kHz mono audio is 0.032 MB/s)"
        )


if __name__ == "__main__":
    main()
