"""Importing a multi-channel recording maps its channels to speakers, as recording does: the
same checks (the channel exists, the person is in the session), the map stored in the session."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from recorder.core.codemap import CodeMap
from recorder.core.enrolment import enrol
from recorder.core.errors import UsageError
from recorder.core.importing import check_channel_map, import_session
from recorder.core.model import Identity
from recorder.core.protocol import SessionKind
from recorder.core.session import INTERVIEWER, SessionState
from recorder.core.sessions import create_session, load_session, study_protocol
from recorder.core.study import Study
from tests.conftest import STUDY_PASS, StudyPair, add_participant_cli, run_cli

RATE = 16_000


def stereo_wav(path: Path, seconds: float = 1.0) -> Path:
    """Two channels, a different tone in each (one lapel microphone per person)."""
    import soundfile as sf

    t = np.arange(round(RATE * seconds)) / RATE
    left = 0.2 * np.sin(2 * np.pi * 220 * t)
    right = 0.2 * np.sin(2 * np.pi * 330 * t)
    sf.write(str(path), np.stack([left, right], axis=1).astype(np.float32), RATE, "PCM_16")
    return path


def new_session(pair: StudyPair) -> tuple[Study, str, str, str]:
    """(study, session ID, its participant, another participant not in it)."""
    study, codemap = pair.study, pair.codemap
    assert isinstance(study, Study) and isinstance(codemap, CodeMap)
    pid = enrol(study, codemap, Identity(name="Ana Lima"), "police").participant_id
    other = enrol(study, codemap, Identity(name="Ben Cole"), "police").participant_id
    record = create_session(study, study_protocol(study), SessionKind.INDIVIDUAL, [pid])
    return study, record.session_id, pid, other


def test_check_channel_map() -> None:
    people = [INTERVIEWER, "P-7KQ2M"]
    assert check_channel_map({1: "P-7KQ2M", 0: INTERVIEWER}, 2, people) == {
        0: INTERVIEWER,
        1: "P-7KQ2M",
    }
    assert check_channel_map({}, 1, people) == {}
    with pytest.raises(UsageError, match=r"Channel 3 does not exist: the recording has 2"):
        check_channel_map({2: INTERVIEWER}, 2, people)
    with pytest.raises(UsageError, match="Channel 1 is mapped to P-XD4H9, who is not in") as e:
        check_channel_map({0: "P-XD4H9"}, 2, people)
    assert "interviewer, P-7KQ2M" in e.value.hint
    assert check_channel_map({0: "P-XD4H9"}, 2) == {0: "P-XD4H9"}  # people not known yet


def test_import_stores_the_channel_map(study_pair: StudyPair, tmp_path: Path) -> None:
    study, session_id, pid, _ = new_session(study_pair)
    wav = stereo_wav(tmp_path / "handheld.wav")
    record = import_session(
        study, session_id, {pid: True}, [wav], channel_map={0: INTERVIEWER, 1: pid}
    )
    assert record.state is SessionState.STOPPED
    stored = load_session(Study.open(study_pair.study_dir, STUDY_PASS), session_id)
    assert stored.audio.channels == 2
    assert dict(stored.audio.channel_map) == {0: INTERVIEWER, 1: pid}
    assert stored.audio_frames == RATE


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({2: INTERVIEWER}, "Channel 3 does not exist: the recording has 2 channel(s)."),
        ({1: "other"}, "Channel 2 is mapped to {other}, who is not in this session."),
    ],
)
def test_a_bad_map_is_refused_and_nothing_kept(
    study_pair: StudyPair, tmp_path: Path, mapping: dict[int, str], message: str
) -> None:
    study, session_id, pid, other = new_session(study_pair)
    mapping = {ch: other if who == "other" else who for ch, who in mapping.items()}
    wav = stereo_wav(tmp_path / "handheld.wav")
    with pytest.raises(UsageError) as refused:
        import_session(study, session_id, {pid: True}, [wav], channel_map=mapping)
    assert str(refused.value) == message.format(other=other)
    assert session_id not in study.session_ids()  # as any failed import: nothing lingers


# -- the CLI ------------------------------------------------------------------------------------


def test_cli_import_with_channels(tmp_path: Path, cli_env: dict[str, str]) -> None:
    s, c = tmp_path / "study", tmp_path / "codemap"
    assert run_cli("study", "create", s, "--codemap", c, env=cli_env).returncode == 0
    pid = add_participant_cli(s, c, "Ana Lima", "police", cli_env).stdout.strip()
    other = add_participant_cli(s, c, "Ben Cole", "police", cli_env).stdout.strip()
    consent = run_cli(
        "consent", "record", s, "--codemap", c, "--participant", pid, "--form-version", "2026-01",
        env=cli_env,
    )  # fmt: skip
    assert consent.returncode == 0, consent.stderr
    wav = stereo_wav(tmp_path / "handheld.wav")
    base = ["session", "import", s, "--codemap", c, "--participants", pid, "--kind", "individual"]

    done = run_cli(*base, "--channels", f"1=interviewer,2={pid.lower()}", wav, env=cli_env)
    assert done.returncode == 0, done.stderr
    assert f"Channels: 1 = interviewer, 2 = {pid}." in done.stderr
    record = load_session(Study.open(s, STUDY_PASS), done.stdout.strip())
    assert dict(record.audio.channel_map) == {0: INTERVIEWER, 1: pid}

    same = run_cli(*base, "--speaker", f"2={pid}", "--channels", "1=interviewer", wav, env=cli_env)
    assert same.returncode == 0, same.stderr  # record's spelling works too, and mixes
    record = load_session(Study.open(s, STUDY_PASS), same.stdout.strip())
    assert dict(record.audio.channel_map) == {0: INTERVIEWER, 1: pid}

    sessions_before = sorted(Study.open(s, STUDY_PASS).session_ids())
    for mapping, message in [
        ("3=interviewer", "Channel 3 does not exist: the recording has 2 channel(s)."),
        (f"1={other}", f"Channel 1 is mapped to {other}, who is not in this session."),
        ("1=P-XXXX", "P-XXXX"),  # not a study ID at all: refused by the ID check
        ("one=interviewer", "A channel map takes CHANNEL=ID"),
        (f"1=interviewer,1={pid}", "Channel 1 is mapped twice."),
    ]:
        bad = run_cli(*base, "--channels", mapping, wav, env=cli_env)
        assert bad.returncode == 2, (mapping, bad.stderr)
        assert message in bad.stderr and "Traceback" not in bad.stderr
    assert sorted(Study.open(s, STUDY_PASS).session_ids()) == sessions_before
