"""The session model: every legal and illegal transition, consent, roles, frozen protocols,
markers stamped with sample indices, study progress."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from recorder.core import enrolment, errors
from recorder.core.codemap import CodeMap
from recorder.core.model import Identity
from recorder.core.progress import format_status, study_status
from recorder.core.protocol import SessionKind, load_default_protocol, load_protocol
from recorder.core.session import (
    TRANSITIONS,
    MarkerKind,
    SessionController,
    SessionRecord,
    SessionState,
)
from recorder.core.sessions import (
    consent_on_file,
    create_session,
    list_sessions,
    load_protocol_of,
    open_controller,
)
from recorder.core.study import Study
from tests.conftest import StudyPair

PROTOCOL = load_default_protocol()
FORM = PROTOCOL.consent.form_version


class Clock:
    """A stand-in for the recorder's sample counter, advanced by the test."""

    def __init__(self) -> None:
        self.samples = 0

    def __call__(self) -> int:
        return self.samples


def people(pair: StudyPair, consent: bool = True) -> tuple[str, str]:
    study: Study = pair.study  # type: ignore[assignment]
    codemap: CodeMap = pair.codemap  # type: ignore[assignment]
    police = enrolment.enrol(study, codemap, Identity("Officer A"), "police").participant_id
    social = enrolment.enrol(study, codemap, Identity("Worker B"), "social-work").participant_id
    if consent:
        for pid in (police, social):
            enrolment.record_consent(codemap, pid, FORM, ("participate",))
    return police, social


def controller(state: SessionState, clock: Clock | None = None) -> SessionController:
    """A controller for a fresh paired session driven into ``state`` by legal steps."""
    record = SessionRecord(
        "S-AAAA0", SessionKind.PAIRED, (), "", PROTOCOL.id, PROTOCOL.content_hash
    )
    ctl = SessionController(record, PROTOCOL, clock=clock or Clock())
    path = {
        SessionState.CREATED: [],
        SessionState.CONSENT_CONFIRMED: [lambda: ctl.confirm_consent({})],
        SessionState.RECORDING: [lambda: ctl.confirm_consent({}), ctl.start_recording],
        SessionState.PAUSED: [lambda: ctl.confirm_consent({}), ctl.start_recording, ctl.pause],
        SessionState.STOPPED: [lambda: ctl.confirm_consent({}), ctl.start_recording, ctl.stop],
    }
    after_stop = [SessionState.TRANSCRIBED, SessionState.REVIEWED, SessionState.DEIDENTIFIED]
    steps = path.get(state)
    if steps is None:
        steps = path[SessionState.STOPPED] + [
            {
                "transcribed": ctl.mark_transcribed,
                "reviewed": ctl.mark_reviewed,
                "de-identified": ctl.mark_deidentified,
            }[s.value]
            for s in after_stop[: after_stop.index(state) + 1]
        ]
    for step in steps:
        step()
    assert ctl.state is state
    return ctl


ACTIONS = {
    SessionState.CONSENT_CONFIRMED: lambda c: c.confirm_consent({}),
    SessionState.RECORDING: lambda c: (
        c.resume() if c.state is SessionState.PAUSED else c.start_recording()
    ),
    SessionState.PAUSED: lambda c: c.pause(),
    SessionState.STOPPED: lambda c: c.stop(),
    SessionState.TRANSCRIBED: lambda c: c.mark_transcribed(),
    SessionState.REVIEWED: lambda c: c.mark_reviewed(),
    SessionState.DEIDENTIFIED: lambda c: c.mark_deidentified(),
}


@pytest.mark.parametrize(
    ("source", "target"),
    list(itertools.product(list(SessionState), list(ACTIONS))),
    ids=lambda s: s.value,
)
def test_every_transition_is_legal_or_a_typed_error(
    source: SessionState, target: SessionState
) -> None:
    ctl = controller(source)
    if target in TRANSITIONS[source]:
        ACTIONS[target](ctl)
        assert ctl.state is target
        assert ctl.record.history[-1].state is target
    else:
        before = ctl.record
        with pytest.raises((errors.InvalidTransition, errors.ConsentMissing)):
            ACTIONS[target](ctl)
        assert ctl.record == before  # nothing changed


def test_recording_needs_consent_from_every_participant(study_pair: StudyPair) -> None:
    study: Study = study_pair.study  # type: ignore[assignment]
    codemap: CodeMap = study_pair.codemap  # type: ignore[assignment]
    police, social = people(study_pair, consent=False)
    enrolment.record_consent(codemap, police, FORM, ("participate",))
    enrolment.record_consent(codemap, social, "2019-old", ("participate",))  # outdated form
    record = create_session(study, PROTOCOL, SessionKind.PAIRED, [police, social])
    ctl = open_controller(study, record.session_id)
    with pytest.raises(errors.ConsentMissing):
        ctl.start_recording()
    with pytest.raises(errors.ConsentMissing, match=social):
        ctl.confirm_consent(consent_on_file(codemap, PROTOCOL, record.participant_ids))
    enrolment.record_consent(codemap, social, FORM, ("participate",))
    ctl.confirm_consent(consent_on_file(codemap, PROTOCOL, record.participant_ids))
    ctl.start_recording()
    assert ctl.state is SessionState.RECORDING


def test_markers_are_stamped_with_sample_indices(study_pair: StudyPair) -> None:
    study: Study = study_pair.study  # type: ignore[assignment]
    police, social = people(study_pair)
    record = create_session(study, PROTOCOL, SessionKind.PAIRED, [police, social])
    clock = Clock()
    ctl = open_controller(study, record.session_id, clock=clock)
    ctl.confirm_consent({police: True, social: True})
    ctl.next_prompt()  # moving before the recording leaves no marker
    ctl.start_recording()
    timeline = [(1, 16_000 * 30), (2, 16_000 * 95 + 7), (3, 16_000 * 200 + 1)]
    for _, sample in timeline:
        clock.samples = sample
        ctl.next_prompt()
    clock.samples = 3_300_000
    ctl.pause()
    ctl.jump_to("mental-health")  # navigation while paused is stamped at the pause position
    clock.samples = 3_300_000  # paused audio does not advance the timeline
    ctl.resume()
    clock.samples = 3_400_000
    ctl.add_note("P2 became emotional here")
    ctl.previous_prompt()
    clock.samples = 3_500_000
    ctl.stop()

    stored = open_controller(study, record.session_id).record  # as saved on disk
    kinds = [(m.kind, m.sample) for m in stored.markers]
    assert kinds[:2] == [(MarkerKind.START, 0), (MarkerKind.PROMPT, 0)]
    assert stored.markers[1].prompt_index == 1  # the step chosen before recording
    assert [m.sample for m in stored.markers[2:5]] == [s for _, s in timeline]
    assert [m.prompt_index for m in stored.markers[2:5]] == [2, 3, 4]
    assert kinds[5:] == [
        (MarkerKind.PAUSE, 3_300_000),
        (MarkerKind.PROMPT, 3_300_000),
        (MarkerKind.RESUME, 3_300_000),
        (MarkerKind.NOTE, 3_400_000),
        (MarkerKind.PROMPT, 3_400_000),
        (MarkerKind.STOP, 3_500_000),
    ]
    mh = stored.markers[6]
    assert (mh.item_id, mh.part) == ("mental-health", 1)
    assert stored.markers[9].item_id == "vignette-intro"
    assert stored.markers[8].text == "P2 became emotional here"
    assert all(a.sample <= b.sample for a, b in itertools.pairwise(stored.markers))
    assert stored.markers[2].seconds(16_000) == 30.0


def test_vignette_escalations_are_their_own_step() -> None:
    ctl = controller(SessionState.RECORDING)
    first = ctl.jump_to("child-welfare")
    second = ctl.next_prompt()
    assert (first.item_id, first.part, second.item_id, second.part) == (
        "child-welfare",
        1,
        "child-welfare",
        2,
    )
    assert second.text != first.text and second.shown_to_participants


def test_navigation_bounds_and_closed_prompts() -> None:
    ctl = controller(SessionState.RECORDING)
    assert ctl.previous_prompt().index == 0
    last = len(ctl.prompts) - 1
    ctl.jump_to(last)
    assert ctl.next_prompt().index == last
    with pytest.raises(errors.UsageError):
        ctl.jump_to(last + 1)
    with pytest.raises(errors.UsageError):
        ctl.jump_to("no-such-item")
    ctl.stop()
    with pytest.raises(errors.InvalidTransition):
        ctl.next_prompt()
    with pytest.raises(errors.InvalidTransition):
        ctl.add_note("too late")


def test_participants_and_roles_are_checked(study_pair: StudyPair) -> None:
    study: Study = study_pair.study  # type: ignore[assignment]
    police, social = people(study_pair)
    other_police = enrolment.enrol(
        study,
        study_pair.codemap,
        Identity("Officer C"),
        "police",  # type: ignore[arg-type]
    ).participant_id
    with pytest.raises(errors.UsageError, match="needs 2"):
        create_session(study, PROTOCOL, SessionKind.PAIRED, [police])
    with pytest.raises(errors.UsageError, match="needs 1"):
        create_session(study, PROTOCOL, SessionKind.INDIVIDUAL, [police, social])
    with pytest.raises(errors.UsageError, match="pairs police"):
        create_session(study, PROTOCOL, SessionKind.PAIRED, [police, other_police])
    with pytest.raises(errors.NotFound):
        create_session(study, PROTOCOL, SessionKind.INDIVIDUAL, ["P-0000" + "0"])
    plan = enrolment.plan_withdrawal(study, social)
    enrolment.withdraw(study, study_pair.codemap, plan)  # type: ignore[arg-type]
    with pytest.raises(errors.UsageError, match="withdrawn"):
        create_session(study, PROTOCOL, SessionKind.INDIVIDUAL, [social])


def test_a_session_keeps_its_protocol_when_the_file_changes(
    study_pair: StudyPair, tmp_path: Path
) -> None:
    study: Study = study_pair.study  # type: ignore[assignment]
    police, _ = people(study_pair)
    path = tmp_path / "protocol.yaml"
    path.write_text(PROTOCOL.source_text, encoding="utf-8")
    record = create_session(study, load_protocol(path), SessionKind.INDIVIDUAL, [police])
    path.write_text(PROTOCOL.source_text.replace("To start, could you", "Could you"), "utf-8")
    frozen = load_protocol_of(study, record)
    assert frozen.content_hash == record.protocol_hash == PROTOCOL.content_hash
    assert frozen.item("role-experience").text.startswith("To start, could you")
    assert load_protocol(path).content_hash != record.protocol_hash


def test_a_tampered_protocol_copy_is_detected(study_pair: StudyPair) -> None:
    study: Study = study_pair.study  # type: ignore[assignment]
    police, _ = people(study_pair)
    record = create_session(study, PROTOCOL, SessionKind.INDIVIDUAL, [police])
    relpath = f"sessions/{record.session_id}/protocol.irf"
    study.vault.write_bytes(relpath, PROTOCOL.source_text.replace("Voices", "Noises").encode())
    with pytest.raises(errors.Tampered):
        load_protocol_of(study, record)


def test_study_status_counts_completed_sessions_against_targets(study_pair: StudyPair) -> None:
    study: Study = study_pair.study  # type: ignore[assignment]
    police, social = people(study_pair)
    for pids, kind, finish in [
        ([police], SessionKind.INDIVIDUAL, True),
        ([social], SessionKind.INDIVIDUAL, True),
        ([social], SessionKind.INDIVIDUAL, False),  # still being set up: not counted
        ([police, social], SessionKind.PAIRED, True),
    ]:
        record = create_session(study, PROTOCOL, kind, pids)
        if finish:
            ctl = open_controller(study, record.session_id)
            ctl.confirm_consent(dict.fromkeys(pids, True))
            ctl.start_recording()
            ctl.stop()
    status = study_status(study, list_sessions(study))
    assert [(line.label, line.done, line.target) for line in status.lines] == [
        ("Individual, police", 1, 10),
        ("Individual, social-work", 1, 10),
        ("Paired", 1, 10),
    ]
    assert status.sessions_by_state == {SessionState.STOPPED: 3, SessionState.CREATED: 1}
    text = format_status(status)
    assert "Individual, police" in text and "1 / 10" in text
