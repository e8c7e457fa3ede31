"""Enrolment, consent, incentives, referrals and withdrawal across the two vaults."""

from __future__ import annotations

import pytest

from recorder.core import enrolment, errors
from recorder.core.codemap import CodeMap
from recorder.core.model import Identity, ParticipantStatus
from recorder.core.study import SESSION_RECORD, Study
from tests.conftest import CODEMAP_PASS, STUDY_PASS, StudyPair


def enrol(pair: StudyPair, name: str, role: str = "police", **kw: str) -> str:
    entry = enrolment.enrol(pair.study, pair.codemap, Identity(name=name), role, **kw)  # type: ignore[arg-type]
    return entry.participant_id


def add_session(study: Study, session_id: str, *participants: str) -> None:
    study.vault.write_json(
        f"sessions/{session_id}/{SESSION_RECORD}",
        {"participants": [{"participant_id": p} for p in participants]},
    )
    study.vault.write_json(f"sessions/{session_id}/audio-000.irf", {"fake": "audio"})


def test_enrol_puts_identity_only_in_the_code_map(study_pair: StudyPair) -> None:
    pid = enrol(study_pair, "Dana Ramirez", demographics={"gender": "woman"})  # type: ignore[arg-type]
    study = Study.open(study_pair.study_dir, STUDY_PASS)
    codemap = CodeMap.open(study_pair.codemap_dir, CODEMAP_PASS, study_id=study.study_id)
    assert [p.participant_id for p in study.participants()] == [pid]
    assert codemap.entry(pid).identity.name == "Dana Ramirez"
    assert codemap.entry(pid).demographics == {"gender": "woman"}


def test_roles_come_from_the_study_settings(study_pair: StudyPair) -> None:
    with pytest.raises(errors.UsageError, match="Unknown role"):
        enrol(study_pair, "Someone", role="firefighter")
    assert enrol(study_pair, "A social worker", role="social-work")


def test_identifying_attributes_stay_out_of_the_study(study_pair: StudyPair) -> None:
    with pytest.raises(errors.UsageError, match="non-identifying"):
        enrolment.enrol(
            study_pair.study,  # type: ignore[arg-type]
            study_pair.codemap,  # type: ignore[arg-type]
            Identity(name="X Y"),
            "police",
            attributes={"badge_number": "4411"},
        )


def test_referrals_consent_and_incentives(study_pair: StudyPair) -> None:
    first = enrol(study_pair, "Referrer One")
    second = enrol(study_pair, "Referred Two", referred_by=first.lower())
    codemap: CodeMap = study_pair.codemap  # type: ignore[assignment]
    assert codemap.entry(second).referred_by == first
    with pytest.raises(errors.NotFound):
        enrol(study_pair, "Nobody", referred_by="P-0000" + "0")
    record = enrolment.record_consent(
        codemap,
        second,
        "2026-01",
        ("participate", "audio-recording", "participate"),
        interviewer="Jo",
    )
    assert record.items == ("participate", "audio-recording")
    assert codemap.entry(second).has_consent and not codemap.entry(first).has_consent
    enrolment.give_incentive(codemap, second, "$10 gift card", session_id="S-ABCD0")
    assert codemap.entry(second).incentives[0].description == "$10 gift card"


def test_withdrawal_deletes_their_sessions_and_marks_the_entry(study_pair: StudyPair) -> None:
    study: Study = study_pair.study  # type: ignore[assignment]
    codemap: CodeMap = study_pair.codemap  # type: ignore[assignment]
    leaving, staying = enrol(study_pair, "Leaving Person"), enrol(study_pair, "Staying Person")
    enrolment.record_consent(codemap, leaving, "2026-01", ("participate",))
    add_session(study, "S-AAAA0", leaving)
    add_session(study, "S-BBBB0", leaving, staying)  # paired: goes too
    add_session(study, "S-CCCC0", staying)
    plan = enrolment.plan_withdrawal(study, leaving)
    assert plan.session_ids == ("S-AAAA0", "S-BBBB0")
    assert study.session_ids() == ["S-AAAA0", "S-BBBB0", "S-CCCC0"]  # planning deletes nothing
    enrolment.withdraw(study, codemap, plan)
    assert study.session_ids() == ["S-CCCC0"]
    assert study.participant(leaving).status is ParticipantStatus.WITHDRAWN
    assert codemap.entry(leaving).withdrawn_on and not codemap.entry(leaving).has_consent
    assert study.participant(staying).status is ParticipantStatus.ACTIVE
    with pytest.raises(errors.UsageError, match="withdrawn"):
        enrolment.record_consent(codemap, leaving, "2026-01", ("participate",))


def test_new_study_needs_two_different_good_passphrases(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(errors.UsageError, match="own passphrase"):
        enrolment.create_study(tmp_path / "s", tmp_path / "c", "same words", "same words")
    with pytest.raises(errors.UsageError, match="too short"):
        enrolment.create_study(tmp_path / "s", tmp_path / "c", "short", "long enough one")
    assert not (tmp_path / "s").exists()
