"""``participant add|list|edit|withdraw``, ``consent record`` and ``incentive give``."""

from __future__ import annotations

import argparse
from dataclasses import replace

from recorder.cli.common import (
    add_codemap_arg,
    add_study_arg,
    confirm,
    info,
    open_codemap,
    open_study,
    table,
)
from recorder.core import enrolment
from recorder.core.errors import NotFound, UsageError
from recorder.core.model import CodeMapEntry, Identity
from recorder.core.sessions import study_protocol


def _key_values(pairs: list[str] | None, what: str) -> dict[str, str]:
    result = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{what} must be KEY=VALUE, got {pair!r}.")
        result[key.strip()] = value.strip()
    return result


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    _register_participant(sub)
    _register_consent_and_incentives(sub)


def _register_participant(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    part = sub.add_parser("participant", help="enrol, list, edit or withdraw participants")
    psub = part.add_subparsers(dest="participant_command", metavar="COMMAND", required=True)

    add = psub.add_parser("add", help="enrol a participant; prints the new study ID")
    add_study_arg(add)
    add_codemap_arg(add, required=True)
    add.add_argument("--name", required=True, help="full name (stored only in the code map)")
    add.add_argument("--role", required=True, help="a role of the study, e.g. police")
    add.add_argument("--agency", default="")
    add.add_argument("--email", default="")
    add.add_argument("--phone", default="")
    add.add_argument(
        "--nickname",
        action="append",
        default=[],
        metavar="NAME",
        help="another name to redact (repeatable)",
    )
    add.add_argument(
        "--referred-by",
        default="",
        metavar="ID",
        help="study ID of the participant who referred this one",
    )
    add.add_argument(
        "--demographic",
        action="append",
        metavar="KEY=VALUE",
        help="a demographic detail, kept in the code map (repeatable)",
    )
    add.add_argument(
        "--attribute",
        action="append",
        metavar="KEY=VALUE",
        help="a coarse, non-identifying attribute kept in the study (repeatable)",
    )
    add.set_defaults(handler=cmd_add)

    lst = psub.add_parser("list", help="list participants (identities only with --codemap)")
    add_study_arg(lst)
    add_codemap_arg(lst, required=False)
    lst.set_defaults(handler=cmd_list)

    edit = psub.add_parser("edit", help="change a participant's details")
    add_study_arg(edit)
    add_codemap_arg(edit, required=True)
    edit.add_argument("--participant", required=True, metavar="ID")
    for name in ("name", "role", "agency", "email", "phone", "referred-by"):
        edit.add_argument(f"--{name}")
    edit.add_argument(
        "--nickname", action="append", metavar="NAME", help="replace the nicknames (repeatable)"
    )
    edit.set_defaults(handler=cmd_edit)

    wd = psub.add_parser(
        "withdraw",
        help="withdraw a participant: deletes their sessions, marks the code-map entry",
    )
    add_study_arg(wd)
    add_codemap_arg(wd, required=True)
    wd.add_argument("--participant", required=True, metavar="ID")
    wd.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    wd.set_defaults(handler=cmd_withdraw)


def _register_consent_and_incentives(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    consent = sub.add_parser("consent", help="record informed consent")
    csub = consent.add_subparsers(dest="consent_command", metavar="COMMAND", required=True)
    rec = csub.add_parser("record", help="record a participant's consent (code map)")
    add_study_arg(rec)
    add_codemap_arg(rec, required=True)
    rec.add_argument("--participant", required=True, metavar="ID")
    rec.add_argument("--form-version", required=True, metavar="V")
    rec.add_argument(
        "--item",
        action="append",
        default=[],
        metavar="KEY",
        help="a consent item agreed to (repeatable)",
    )
    rec.add_argument("--interviewer", default="", help="who took the consent")
    rec.set_defaults(handler=cmd_consent)

    inc = sub.add_parser("incentive", help="record incentives given to participants")
    isub = inc.add_subparsers(dest="incentive_command", metavar="COMMAND", required=True)
    give = isub.add_parser("give", help="record an incentive (e.g. a gift card)")
    add_study_arg(give)
    add_codemap_arg(give, required=True)
    give.add_argument("--participant", required=True, metavar="ID")
    give.add_argument("--description", required=True, help='e.g. "$10 gift card"')
    give.add_argument("--session", default="", metavar="ID")
    give.set_defaults(handler=cmd_incentive)


def cmd_add(args: argparse.Namespace) -> int:
    study = open_study(args)
    codemap = open_codemap(args, study)
    identity = Identity(
        name=args.name.strip(),
        email=args.email.strip(),
        phone=args.phone.strip(),
        agency=args.agency.strip(),
        nicknames=tuple(n.strip() for n in args.nickname if n.strip()),
    )
    entry = enrolment.enrol(
        study,
        codemap,
        identity,
        args.role,
        referred_by=args.referred_by,
        demographics=_key_values(args.demographic, "--demographic"),
        attributes=_key_values(args.attribute, "--attribute"),
    )
    print(entry.participant_id)
    return 0


def _consent_summary(entry: CodeMapEntry | None) -> str:
    if entry is None:
        return "(no code-map entry)"
    if not entry.consents:
        return "none"
    last = entry.consents[-1]
    return f"v{last.form_version}, {len(last.items)} items, {last.date}"


def cmd_list(args: argparse.Namespace) -> int:
    study = open_study(args)
    participants = study.participants()
    if args.codemap is None:
        rows = [[p.participant_id, p.role, p.status.value] for p in participants]
        print(table(rows, ["ID", "ROLE", "STATUS"]))
        return 0
    codemap = open_codemap(args, study)
    by_id = {e.participant_id: e for e in codemap.entries()}
    rows = []
    for p in participants:
        entry = by_id.get(p.participant_id)
        ident = entry.identity if entry else Identity(name="?")
        rows.append(
            [
                p.participant_id,
                p.role,
                p.status.value,
                ident.name,
                ident.agency,
                ident.email,
                ident.phone,
                _consent_summary(entry),
            ]
        )
    print(table(rows, ["ID", "ROLE", "STATUS", "NAME", "AGENCY", "EMAIL", "PHONE", "CONSENT"]))
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    study = open_study(args)
    codemap = open_codemap(args, study)
    registry = study.participant(args.participant)
    if args.role is not None:
        study.update_participant(registry.participant_id, role=args.role)
    entry = codemap.entry(registry.participant_id)
    ident = entry.identity
    changes = {
        k: v.strip()
        for k, v in {
            "name": args.name,
            "agency": args.agency,
            "email": args.email,
            "phone": args.phone,
        }.items()
        if v is not None
    }
    if "name" in changes and not changes["name"]:
        raise UsageError("The name cannot be empty.")
    ident = replace(ident, **changes)
    if args.nickname is not None:
        ident = replace(ident, nicknames=tuple(n.strip() for n in args.nickname if n.strip()))
    referred = entry.referred_by
    if args.referred_by is not None:
        referred = study.participant(args.referred_by).participant_id if args.referred_by else ""
    codemap.put(replace(entry, identity=ident, referred_by=referred))
    info(f"Updated {registry.participant_id}.")
    return 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    study = open_study(args)
    codemap = open_codemap(args, study)
    plan = enrolment.plan_withdrawal(study, args.participant)
    sessions = ", ".join(plan.session_ids) or "none"
    question = (
        f"Withdraw {plan.participant_id}? This permanently deletes "
        f"{len(plan.session_ids)} session(s) they took part in ({sessions}), "
        "including paired sessions, and marks their code-map entry withdrawn."
    )
    if not args.yes and not confirm(question, plan.participant_id):
        info(question)
        raise UsageError(
            "Not confirmed; nothing was deleted.",
            hint="Run again and confirm, or add --yes in scripts.",
        )
    enrolment.withdraw(study, codemap, plan)
    info(f"{plan.participant_id} withdrawn; {len(plan.session_ids)} session(s) deleted.")
    return 0


def cmd_consent(args: argparse.Namespace) -> int:
    study = open_study(args)
    codemap = open_codemap(args, study)
    pid = study.participant(args.participant).participant_id
    try:
        codemap.entry(pid)
    except NotFound:
        raise NotFound(f"{pid} has no code-map entry; enrol them with 'participant add'.") from None
    items = tuple(args.item)
    form = study_protocol(study).consent
    if args.form_version == form.form_version:
        known = [i.key for i in form.items]
        unknown = [i for i in items if i not in known]
        if unknown:
            raise UsageError(
                f"Unknown consent item(s) {', '.join(unknown)} for form {form.form_version}.",
                hint="Items of this form: " + ", ".join(known) + ".",
            )
        items = items or tuple(known)  # no --item: every item of the form was agreed
    else:
        info(
            f"Note: the study's protocol uses consent form {form.form_version}; sessions "
            "need consent on that version."
        )
    record = enrolment.record_consent(
        codemap, pid, args.form_version, items, interviewer=args.interviewer
    )
    items = ", ".join(record.items) or "no items listed"
    info(f"Consent recorded for {pid}: form {record.form_version} ({items}), {record.date}.")
    return 0


def cmd_incentive(args: argparse.Namespace) -> int:
    study = open_study(args)
    codemap = open_codemap(args, study)
    pid = study.participant(args.participant).participant_id
    enrolment.give_incentive(codemap, pid, args.description, session_id=args.session)
    info(f"Incentive recorded for {pid}.")
    return 0
