"""Study progress against its targets: completed sessions per kind and role (saturation)."""

from __future__ import annotations

from dataclasses import dataclass

from recorder.core.model import ParticipantStatus
from recorder.core.protocol import SessionKind
from recorder.core.session import COMPLETED, SessionRecord, SessionState
from recorder.core.study import Study


@dataclass(frozen=True)
class ProgressLine:
    """One target: e.g. individual sessions with police officers, 6 of 10."""

    label: str
    done: int
    target: int

    @property
    def fraction(self) -> float:
        return min(1.0, self.done / self.target) if self.target else 1.0


@dataclass(frozen=True)
class StudyStatus:
    title: str
    enrolled: dict[str, int]
    withdrawn: int
    sessions_by_state: dict[SessionState, int]
    lines: tuple[ProgressLine, ...]


def study_status(study: Study, sessions: list[SessionRecord]) -> StudyStatus:
    """Counts for the study home and ``study status``."""
    settings = study.settings
    participants = study.participants()
    enrolled = {role: 0 for role in settings.roles}
    for p in participants:
        if p.status is ParticipantStatus.ACTIVE:
            enrolled[p.role] = enrolled.get(p.role, 0) + 1
    by_state: dict[SessionState, int] = {}
    individual = {role: 0 for role in settings.roles}
    paired = 0
    for s in sessions:
        by_state[s.state] = by_state.get(s.state, 0) + 1
        if s.state not in COMPLETED:
            continue
        if s.kind is SessionKind.PAIRED:
            paired += 1
        else:
            role = s.participants[0].role
            individual[role] = individual.get(role, 0) + 1
    target = settings.targets
    lines = [
        ProgressLine(f"Individual, {role}", individual.get(role, 0), target.individual_per_role)
        for role in settings.roles
    ]
    lines.append(ProgressLine("Paired", paired, target.paired))
    withdrawn = sum(p.status is ParticipantStatus.WITHDRAWN for p in participants)
    return StudyStatus(settings.title, enrolled, withdrawn, by_state, tuple(lines))


def format_status(status: StudyStatus, width: int = 20) -> str:
    """A plain-text report with bars, for a terminal."""
    out = [status.title or "(untitled study)", ""]
    enrolled = ", ".join(f"{n} {role}" for role, n in status.enrolled.items())
    out.append(
        f"Participants: {sum(status.enrolled.values())} active ({enrolled})"
        + (f", {status.withdrawn} withdrawn" if status.withdrawn else "")
    )
    states = ", ".join(
        f"{n} {state.value}" for state, n in sorted(status.sessions_by_state.items())
    )
    out.append(
        f"Sessions: {sum(status.sessions_by_state.values())}" + (f" ({states})" if states else "")
    )
    out.append("")
    out.append("Completed interviews against targets:")
    label_w = max(len(line.label) for line in status.lines)
    for line in status.lines:
        filled = round(line.fraction * width)
        bar = "#" * filled + "." * (width - filled)
        out.append(f"  {line.label:<{label_w}}  [{bar}] {line.done:>3} / {line.target}")
    return "\n".join(out)
