"""Value types stored in the vaults: frozen dataclasses with explicit JSON forms.

Study vault: ``StudySettings`` and the pseudonymous ``RegistryEntry`` list.
Code-map vault: ``CodeMapEntry`` (identity, consent, demographics, incentives, referral).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

DEFAULT_ROLES = ("police", "social-work")


def _str(data: dict[str, Any], key: str, default: str = "") -> str:
    value = data.get(key, default)
    return value if isinstance(value, str) else default


def _opt_str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def _strs(data: dict[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key, [])
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _str_map(data: dict[str, Any], key: str) -> dict[str, str]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items()}


@dataclass(frozen=True)
class Targets:
    """How many completed sessions the study aims for (saturation planning)."""

    individual_per_role: int = 10
    paired: int = 10

    def to_json(self) -> dict[str, Any]:
        return {"individual_per_role": self.individual_per_role, "paired": self.paired}

    @classmethod
    def from_json(cls, data: object) -> Targets:
        if not isinstance(data, dict):
            return cls()
        return cls(int(data.get("individual_per_role", 10)), int(data.get("paired", 10)))


@dataclass(frozen=True)
class StudySettings:
    """Study-wide settings, encrypted in the study vault."""

    title: str
    roles: tuple[str, ...]
    codemap_id: str
    created_on: str
    targets: Targets = field(default_factory=Targets)
    #: Attribute names the researcher marked as coarse and non-identifying (e.g. "years-band").
    shared_attributes: tuple[str, ...] = ()
    #: Protocol file chosen for new sessions; empty means the default protocol.
    protocol_path: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "roles": list(self.roles),
            "codemap_id": self.codemap_id,
            "created_on": self.created_on,
            "targets": self.targets.to_json(),
            "shared_attributes": list(self.shared_attributes),
            "protocol_path": self.protocol_path,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StudySettings:
        return cls(
            title=_str(data, "title"),
            roles=_strs(data, "roles") or DEFAULT_ROLES,
            codemap_id=_str(data, "codemap_id"),
            created_on=_str(data, "created_on"),
            targets=Targets.from_json(data.get("targets")),
            shared_attributes=_strs(data, "shared_attributes"),
            protocol_path=_str(data, "protocol_path"),
        )


class ParticipantStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class RegistryEntry:
    """A participant as the study vault knows them: pseudonymous, no identity."""

    participant_id: str
    role: str
    status: ParticipantStatus = ParticipantStatus.ACTIVE
    #: Coarse, non-identifying attributes (only names listed in ``shared_attributes``).
    attributes: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "participant_id": self.participant_id,
            "role": self.role,
            "status": self.status.value,
            "attributes": dict(self.attributes),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RegistryEntry:
        return cls(
            participant_id=_str(data, "participant_id"),
            role=_str(data, "role"),
            status=ParticipantStatus(_str(data, "status", "active")),
            attributes=_str_map(data, "attributes"),
        )


@dataclass(frozen=True)
class Identity:
    """Who a participant is. Lives only in the code map."""

    name: str
    email: str = ""
    phone: str = ""
    agency: str = ""
    #: Nicknames and other forms of the name to redact (recorded at enrolment).
    nicknames: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "agency": self.agency,
            "nicknames": list(self.nicknames),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Identity:
        return cls(
            name=_str(data, "name"),
            email=_str(data, "email"),
            phone=_str(data, "phone"),
            agency=_str(data, "agency"),
            nicknames=_strs(data, "nicknames"),
        )


@dataclass(frozen=True)
class ConsentRecord:
    """One signed or verbal consent: which form version, which items, when, taken by whom."""

    form_version: str
    items: tuple[str, ...]
    date: str
    interviewer: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "form_version": self.form_version,
            "items": list(self.items),
            "date": self.date,
            "interviewer": self.interviewer,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ConsentRecord:
        return cls(
            form_version=_str(data, "form_version"),
            items=_strs(data, "items"),
            date=_str(data, "date"),
            interviewer=_str(data, "interviewer"),
        )


@dataclass(frozen=True)
class Incentive:
    """A thank-you given to a participant, e.g. a $10 gift card for one interview."""

    description: str
    date: str
    session_id: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"description": self.description, "date": self.date, "session_id": self.session_id}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Incentive:
        return cls(_str(data, "description"), _str(data, "date"), _str(data, "session_id"))


@dataclass(frozen=True)
class CodeMapEntry:
    """Everything that links a study ID to a real person."""

    participant_id: str
    identity: Identity
    demographics: dict[str, str] = field(default_factory=dict)
    consents: tuple[ConsentRecord, ...] = ()
    incentives: tuple[Incentive, ...] = ()
    referred_by: str = ""
    withdrawn_on: str = ""

    @property
    def has_consent(self) -> bool:
        return bool(self.consents) and not self.withdrawn_on

    def with_consent(self, record: ConsentRecord) -> CodeMapEntry:
        return replace(self, consents=(*self.consents, record))

    def to_json(self) -> dict[str, Any]:
        return {
            "participant_id": self.participant_id,
            "identity": self.identity.to_json(),
            "demographics": dict(self.demographics),
            "consents": [c.to_json() for c in self.consents],
            "incentives": [i.to_json() for i in self.incentives],
            "referred_by": self.referred_by,
            "withdrawn_on": self.withdrawn_on,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CodeMapEntry:
        identity = data.get("identity")
        consents = data.get("consents")
        incentives = data.get("incentives")
        return cls(
            participant_id=_str(data, "participant_id"),
            identity=Identity.from_json(identity if isinstance(identity, dict) else {}),
            demographics=_str_map(data, "demographics"),
            consents=tuple(
                ConsentRecord.from_json(c) for c in (consents or []) if isinstance(c, dict)
            ),
            incentives=tuple(
                Incentive.from_json(i) for i in (incentives or []) if isinstance(i, dict)
            ),
            referred_by=_str(data, "referred_by"),
            withdrawn_on=_str(data, "withdrawn_on"),
        )
