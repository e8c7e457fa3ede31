"""``verify`` names every damaged file and its kind of damage."""

from __future__ import annotations

import shutil

from recorder.core.study import REGISTRY_FILE, SETTINGS_FILE, Study
from recorder.core.verify import verify_vault
from tests.conftest import StudyPair

REQUIRED = (SETTINGS_FILE, REGISTRY_FILE)


def test_an_intact_study_has_no_findings(study_pair: StudyPair) -> None:
    study: Study = study_pair.study  # type: ignore[assignment]
    assert verify_vault(study.vault, REQUIRED) == []


def test_each_kind_of_damage_is_reported(study_pair: StudyPair) -> None:
    study: Study = study_pair.study  # type: ignore[assignment]
    v = study.vault
    for sid in ("S-AAAA0", "S-BBBB0"):
        v.write_json(f"sessions/{sid}/session.irf", {"participants": [], "id": sid})
    v.write_bytes("sessions/S-AAAA0/audio-000.irf", b"\x01\x02" * 40_000)
    root = study_pair.study_dir
    # truncated inside a chunk
    audio = root / "sessions/S-AAAA0/audio-000.irf"
    audio.write_bytes(audio.read_bytes()[:30_000])
    # a bit flipped
    registry = root / REGISTRY_FILE
    data = bytearray(registry.read_bytes())
    data[200] ^= 0x40
    registry.write_bytes(bytes(data))
    # copied from another session
    shutil.copy(root / "sessions/S-AAAA0/session.irf", root / "sessions/S-BBBB0/session.irf")
    # emptied, a stranger, and a missing file
    (root / "sessions/S-AAAA0/session.irf").write_bytes(b"")
    (root / "sessions/S-AAAA0/interview.wav").write_bytes(b"RIFF")
    (root / SETTINGS_FILE).unlink()

    found = {f.path: f for f in verify_vault(v, REQUIRED)}
    assert found[SETTINGS_FILE].kind == "missing"
    assert found[REGISTRY_FILE].kind == "tampered"
    assert found["sessions/S-AAAA0/audio-000.irf"].kind == "truncated"
    assert found["sessions/S-AAAA0/audio-000.irf"].recoverable_bytes == 16384
    assert found["sessions/S-BBBB0/session.irf"].kind == "misplaced"
    assert "S-AAAA0" in found["sessions/S-BBBB0/session.irf"].message
    assert found["sessions/S-AAAA0/session.irf"].kind == "empty"
    assert found["sessions/S-AAAA0/interview.wav"].kind == "unexpected"
    assert len(found) == 6


def test_a_file_from_another_study_is_reported(study_pair: StudyPair, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from recorder.core.enrolment import create_study

    other, _ = create_study(tmp_path / "s2", tmp_path / "c2", "another study p", "another map p")
    shutil.copy(other.folder / REGISTRY_FILE, study_pair.study_dir / REGISTRY_FILE)
    study: Study = study_pair.study  # type: ignore[assignment]
    (finding,) = verify_vault(study.vault, REQUIRED)
    assert finding.kind == "misplaced" and "another study" in finding.message
