"""Workflows that touch both vaults: create a study, enrol, consent, incentives, withdrawal.

Each writes the code map (identity) and the study registry (pseudonym) separately; neither
vault ever receives the other's data.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from recorder.core.codemap import CodeMap
from recorder.core.errors import UsageError
from recorder.core.model import (
    DEFAULT_ROLES,
    CodeMapEntry,
    ConsentRecord,
    Identity,
    Incentive,
    ParticipantStatus,
    RegistryEntry,
    Targets,
)
from recorder.core.passphrase import MIN_PASSPHRASE
from recorder.core.study import Study
from recorder.core.vault import Vault, VaultKind

log = logging.getLogger(__name__)


def check_new_passphrase(passphrase: str, what: str) -> None:
    """Refuse passphrases too short to protect participants' data."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise UsageError(
            f"The {what} passphrase is too short ({len(passphrase)} characters).",
            hint=f"Use at least {MIN_PASSPHRASE} characters; a few unrelated words work well.",
        )


def _inside(child: Path, parent: Path) -> bool:
    child, parent = child.resolve(), parent.resolve()
    return child == parent or parent in child.parents


def create_study(
    study_folder: Path,
    codemap_folder: Path,
    study_passphrase: str,
    codemap_passphrase: str,
    *,
    title: str = "",
    roles: tuple[str, ...] = DEFAULT_ROLES,
    targets: Targets | None = None,
) -> tuple[Study, CodeMap]:
    """Create a study and its separately keyed code map in two separate folders."""
    if _inside(codemap_folder, study_folder) or _inside(study_folder, codemap_folder):
        raise UsageError(
            "The code map must not be inside the study folder (or the other way round).",
            hint="Choose a separate folder for the code map, for example on a USB drive.",
        )
    check_new_passphrase(study_passphrase, "study")
    check_new_passphrase(codemap_passphrase, "code-map")
    if study_passphrase == codemap_passphrase:
        raise UsageError(
            "The code map needs its own passphrase, different from the study's.",
            hint="Anyone with the study passphrase must not be able to re-identify people.",
        )
    study_vault = Vault.create(study_folder, VaultKind.STUDY, study_passphrase)
    codemap = CodeMap.create(codemap_folder, codemap_passphrase, study_id=study_vault.vault_id)
    study = Study.create(
        study_folder,
        study_passphrase,
        codemap_id=codemap.vault.vault_id,
        title=title,
        roles=roles,
        targets=targets,
        vault=study_vault,
    )
    log.info("created a study and its code map")
    return study, codemap


def enrol(
    study: Study,
    codemap: CodeMap,
    identity: Identity,
    role: str,
    *,
    referred_by: str = "",
    demographics: dict[str, str] | None = None,
    attributes: dict[str, str] | None = None,
) -> RegistryEntry:
    """Enrol a participant: a random study ID in the study, the identity in the code map."""
    if not identity.name.strip():
        raise UsageError("A participant needs a name.", hint="Give the full name (--name).")
    referrer = study.participant(referred_by).participant_id if referred_by else ""
    entry = study.add_participant(role, attributes)
    codemap.put(
        CodeMapEntry(
            participant_id=entry.participant_id,
            identity=identity,
            demographics=dict(demographics or {}),
            referred_by=referrer,
        )
    )
    return entry


def record_consent(
    codemap: CodeMap,
    participant_id: str,
    form_version: str,
    items: tuple[str, ...],
    *,
    interviewer: str = "",
    on: date | None = None,
) -> ConsentRecord:
    """Add a consent record (form version, items agreed, date, interviewer)."""
    entry = codemap.entry(participant_id)
    if entry.withdrawn_on:
        raise UsageError(f"{entry.participant_id} has withdrawn from the study.")
    if not form_version.strip():
        raise UsageError("A consent record needs the consent form's version.")
    record = ConsentRecord(
        form_version=form_version,
        items=tuple(dict.fromkeys(items)),
        date=(on or date.today()).isoformat(),
        interviewer=interviewer,
    )
    codemap.put(entry.with_consent(record))
    return record


def give_incentive(
    codemap: CodeMap, participant_id: str, description: str, *, session_id: str = ""
) -> Incentive:
    """Record a thank-you (e.g. "$10 gift card") given to a participant."""
    entry = codemap.entry(participant_id)
    incentive = Incentive(description, date.today().isoformat(), session_id)
    codemap.put(replace(entry, incentives=(*entry.incentives, incentive)))
    return incentive


@dataclass(frozen=True)
class Withdrawal:
    """What withdrawing a participant will delete (shown for confirmation) or deleted."""

    participant_id: str
    session_ids: tuple[str, ...]


def plan_withdrawal(study: Study, participant_id: str) -> Withdrawal:
    """The sessions that withdrawing this participant deletes (paired ones included)."""
    pid = study.participant(participant_id).participant_id
    return Withdrawal(pid, tuple(study.sessions_with(pid)))


def withdraw(study: Study, codemap: CodeMap, plan: Withdrawal) -> Withdrawal:
    """Delete the planned sessions, mark the participant withdrawn in both vaults.

    The code-map entry keeps the identity and consent history, marked withdrawn, so the
    team knows not to contact the person again; the study keeps only the ID, withdrawn.
    """
    for session_id in plan.session_ids:
        study.delete_session(session_id)
    study.update_participant(plan.participant_id, status=ParticipantStatus.WITHDRAWN, attributes={})
    entry = codemap.entry(plan.participant_id)
    codemap.put(replace(entry, withdrawn_on=date.today().isoformat()))
    log.info("withdrew a participant and deleted %d session(s)", len(plan.session_ids))
    return plan
