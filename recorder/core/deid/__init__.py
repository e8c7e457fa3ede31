"""De-identification: propose redactions, let a person decide, apply them.

Qt-free. The review and the redaction log quote identifying text and live only in the
code-map vault; the de-identified transcript lives in the study vault.
"""

from recorder.core.deid.apply import LogEntry, RedactionLog, apply
from recorder.core.deid.known import (
    KnownPerson,
    KnownTerm,
    KnownTerms,
    known_from_codemap,
    known_from_names,
)
from recorder.core.deid.proposals import accept_all, add_manual, decide, propose
from recorder.core.deid.review import Category, Decision, Proposal, Review, Source, StaleReview

__all__ = [
    "Category",
    "Decision",
    "KnownPerson",
    "KnownTerm",
    "KnownTerms",
    "LogEntry",
    "Proposal",
    "RedactionLog",
    "Review",
    "Source",
    "StaleReview",
    "accept_all",
    "add_manual",
    "apply",
    "decide",
    "known_from_codemap",
    "known_from_names",
    "propose",
]
