"""The words people read for the codes the domain stores (statuses, kinds, roles, means).

The domain keeps stable English codes; the screens show them through the ``label`` filter, in the
user's language. A code without a label is shown as it is.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

LABELS = {
    # repayment plans
    "draft": _l("draft"),
    "active": _l("active"),
    "completed": _l("completed"),
    "broken": _l("broken"),
    "superseded": _l("superseded"),
    "cancelled": _l("cancelled"),
    "cash": _l("cash"),
    "hours": _l("hours"),
    "paid": _l("paid"),
    "missed": _l("missed"),
    "in_grace": _l("in grace period"),
    "upcoming": _l("upcoming"),
    "approved": _l("approved"),
    "closed": _l("closed"),
    # cases
    "new": _l("new"),
    "contacted": _l("contacted"),
    "in_plan": _l("in plan"),
    "in_restitution": _l("in restitution"),
    "resolved": _l("resolved"),
    "referred": _l("referred"),
    "plan_completed": _l("plan completed"),
    "restitution": _l("repaid with community service"),
    "moved_out": _l("moved out"),
    "unreachable": _l("unreachable"),
    "other": _l("other"),
    "call": _l("call"),
    "visit": _l("visit"),
    "meeting": _l("meeting"),
    "email": _l("email"),
    "letter": _l("letter"),
    "note": _l("note"),
    "change": _l("change"),
    # allocations
    "designated": _l("designated by the payer"),
    "oldest_first": _l("oldest first"),
    "reversal": _l("reversal"),
    "release": _l("released"),
    # reminder letters
    "reminder": _l("reminder"),
    "second_reminder": _l("second reminder"),
    "formal_notice": _l("formal notice"),
    # hour entries
    "submitted": _l("submitted"),
    "verified": _l("verified"),
    "credited": _l("credited"),
    "rejected": _l("rejected"),
    "disputed": _l("disputed"),
    # roles
    "admin": _l("administrator"),
    "operator": _l("desk operator"),
    "supervisor": _l("supervisor"),
    "housing_body": _l("housing body"),
    "resident": _l("resident"),
    # housing bodies
    "public": _l("public housing company"),
    "municipality": _l("municipality"),
    "cooperative": _l("cooperative"),
    "private": _l("private landlord"),
    # units and standing
    "flat": _l("flat"),
    "shop": _l("shop"),
    "garage": _l("garage"),
    "storage": _l("storage room"),
    "occupied": _l("occupied"),
    "vacant": _l("vacant"),
    "under_renovation": _l("under renovation"),
    "in_credit": _l("in credit"),
    "clear": _l("up to date"),
    "late": _l("late"),
    "arrears": _l("in arrears"),
    "serious": _l("serious"),
    "chronic": _l("chronic"),
    # early-warning rules
    "first_missed": _l("first missed payment"),
    "over_two_months": _l("arrears above two months of charges"),
    "growing": _l("arrears growing three months in a row"),
    "plan_missed": _l("repayment-plan installment missed"),
}


def label(code: object) -> str:
    value = getattr(code, "value", code)
    return str(LABELS.get(str(value), value)) if value is not None else ""
