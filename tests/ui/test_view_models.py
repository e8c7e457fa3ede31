"""The view-models without any window: what the study model shows while the code map is
locked and unlocked, what it refuses, and why a new session may not start yet."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from recorder.core import enrolment
from recorder.core.audio.devices import InputDevice
from recorder.core.codemap import CodeMap
from recorder.core.errors import UsageError
from recorder.core.model import Identity
from recorder.core.protocol import SessionKind
from recorder.core.session import INTERVIEWER
from recorder.core.session_setup import SessionSetup
from recorder.core.study import Study
from recorder.ui.study_model import StudyModel
from tests.conftest import StudyPair

pytestmark = [pytest.mark.gui]

DEVICE = InputDevice(0, "test", 1, 16000)


def enrol(pair: StudyPair, name: str, role: str) -> str:
    study: Study = pair.study  # type: ignore[assignment]
    codemap: CodeMap = pair.codemap  # type: ignore[assignment]
    entry = enrolment.enrol(study, codemap, Identity(name, agency="Riverside"), role)
    return entry.participant_id


def all_items(model: StudyModel) -> tuple[str, ...]:
    return tuple(i.key for i in model.protocol.consent.items)


def test_rows_hide_identities_until_the_code_map_is_attached(
    qapp: object, study_pair: StudyPair
) -> None:
    officer = enrol(study_pair, "Dana Ramirez", "police")
    worker = enrol(study_pair, "Sam Okafor", "social-work")
    model = StudyModel(study_pair.study)  # type: ignore[arg-type]
    assert not model.codemap_unlocked
    rows = {r.participant_id: r for r in model.participant_rows()}
    assert set(rows) == {officer, worker}
    for row in rows.values():
        assert (row.name, row.agency, row.consent) == ("", "", "")
        assert row.active and row.sessions == 0
    assert rows[officer].role == model.protocol.role("police").label
    assert model.consent_map([officer]) == {officer: False}

    changes: list[bool] = []
    model.codemap_changed.connect(changes.append)
    model.attach_codemap(study_pair.codemap)  # type: ignore[arg-type]
    assert changes == [True] and model.codemap_unlocked
    rows = {r.participant_id: r for r in model.participant_rows()}
    assert rows[officer].name == "Dana Ramirez" and rows[worker].name == "Sam Okafor"
    assert rows[officer].agency == "Riverside"
    assert rows[officer].consent == "Missing"

    model.record_consent(officer, all_items(model), interviewer="JD", on=date(2026, 1, 5))
    version = model.protocol.consent.form_version
    assert {r.participant_id: r.consent for r in model.participant_rows()} == {
        officer: f"On file ({version})",
        worker: "Missing",
    }

    model.lock_codemap()
    assert changes == [True, False]
    assert all(r.name == "" and r.consent == "" for r in model.participant_rows())


def test_a_code_map_of_another_study_is_refused(
    qapp: object, study_pair: StudyPair, tmp_path: Path
) -> None:
    _, other = enrolment.create_study(
        tmp_path / "other-study", tmp_path / "other-codemap", "other study pass", "other map pass"
    )
    model = StudyModel(study_pair.study)  # type: ignore[arg-type]
    changes: list[bool] = []
    model.codemap_changed.connect(changes.append)
    with pytest.raises(UsageError, match="another study"):
        model.attach_codemap(other)
    assert model.codemap is None and changes == []


def test_consent_with_an_item_missing_is_refused_naming_it(
    qapp: object, study_pair: StudyPair
) -> None:
    officer = enrol(study_pair, "Dana Ramirez", "police")
    model = StudyModel(study_pair.study, study_pair.codemap)  # type: ignore[arg-type]
    items = all_items(model)
    assert len(items) >= 2
    left_out = items[1]
    agreed = tuple(i for i in items if i != left_out)
    with pytest.raises(UsageError) as refused:
        model.record_consent(officer, agreed, on=date(2026, 1, 5))
    assert left_out in str(refused.value)
    assert all(i not in str(refused.value) for i in agreed)
    assert model.consent_map([officer]) == {officer: False}


def test_session_setup_names_the_first_thing_missing(qapp: object, study_pair: StudyPair) -> None:
    study: Study = study_pair.study  # type: ignore[assignment]
    codemap: CodeMap = study_pair.codemap  # type: ignore[assignment]
    officer = enrol(study_pair, "Dana Ramirez", "police")
    officer2 = enrol(study_pair, "Lee Park", "police")
    worker = enrol(study_pair, "Sam Okafor", "social-work")
    model = StudyModel(study, codemap)
    protocol = model.protocol

    setup = SessionSetup()
    assert setup.blocker(study, protocol, codemap) == "Choose a participant."

    setup.kind = SessionKind.PAIRED
    setup.participant_ids = [officer]
    assert setup.blocker(study, protocol, codemap) == "Choose both participants."
    setup.participant_ids = [officer, officer2]
    pairing = setup.blocker(study, protocol, codemap)
    assert pairing.startswith("A paired session in this protocol pairs")
    assert "police" in pairing and "social-work" in pairing

    setup.participant_ids = [officer, worker]
    assert setup.blocker(study, protocol, None) == (
        "Unlock the code map so consent can be checked."
    )
    missing = setup.blocker(study, protocol, codemap)
    assert missing.startswith(f"No consent on file for {officer}, {worker}")
    assert protocol.consent.form_version in missing

    model.record_consent(officer, all_items(model), on=date(2026, 1, 5))
    assert setup.blocker(study, protocol, codemap).startswith(f"No consent on file for {worker}")
    model.record_consent(worker, all_items(model), on=date(2026, 1, 5))
    assert setup.blocker(study, protocol, codemap) == "Choose an input device."

    setup.device = DEVICE
    assert setup.blocker(study, protocol, codemap) == ""

    setup.channels = 2  # more channels than the device has
    assert "only 1 input channel" in setup.blocker(study, protocol, codemap)
    setup.channels = 1
    setup.channel_map = {0: officer2}  # not in this session
    assert "not in this session" in setup.blocker(study, protocol, codemap)
    setup.channel_map = {0: INTERVIEWER}
    assert setup.blocker(study, protocol, codemap) == ""

    # switching back to individual keeps the first choice, which is ready too
    setup.kind = SessionKind.INDIVIDUAL
    assert setup.chosen() == [officer]
    assert setup.blocker(study, protocol, codemap) == ""
