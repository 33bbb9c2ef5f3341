"""Demo logins, one for each role, printed by ``condo seed-demo`` and ``condo demo``.

They share one password, printed with them: this is demo data on a laptop. The supervisor is the
person who supervises the demo's restitution agreements; the resident belongs to the household
whose repayment plan is in good standing; the housing body user works for ALER.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from condo_admin.auth.models import Role
from condo_admin.auth.operations import create_user
from condo_admin.desk.models import PlanStatus, RepaymentPlan
from condo_admin.registry.models import Agency, HousingBody
from volunteering.models import Agreement, AgreementStatus, HourEntry, HourStatus

ACTOR = "demo"
DEMO_PASSWORD = "condo-demo-2026"  # noqa: S105 - demo data, printed on purpose


@dataclass(frozen=True)
class Login:
    username: str
    role: Role
    who: str


def seed_users(session: Session, agency: Agency) -> list[Login]:
    made: list[Login] = []

    def add(
        username: str, role: Role, name: str, who: str, language: str = "it", **scope: object
    ) -> None:
        create_user(
            session,
            username=username,
            display_name=name,
            role=role,
            password=DEMO_PASSWORD,
            actor=ACTOR,
            language=language,
            **scope,  # type: ignore[arg-type]
        )
        made.append(Login(username, role, who))

    add("admin", Role.ADMIN, "Giulia Amministratrice", agency.name, agency=agency)
    add("operatore", Role.OPERATOR, "Marco Sportello", agency.name, agency=agency)
    # The supervisor of an active agreement with hours waiting, so the queue has work in it.
    agreement = session.scalar(
        select(Agreement)
        .join(HourEntry, HourEntry.agreement_id == Agreement.id)
        .where(
            Agreement.agency_id == agency.id,
            Agreement.status == AgreementStatus.ACTIVE,
            HourEntry.status == HourStatus.SUBMITTED,
        )
        .order_by(Agreement.id)
        .limit(1)
    ) or session.scalar(
        select(Agreement).where(Agreement.agency_id == agency.id).order_by(Agreement.id)
    )
    if agreement is not None:
        person = agreement.supervisor
        add(
            "supervisore",
            Role.SUPERVISOR,
            person.full_name,
            f"supervisor of {agreement.code}",
            agency=agency,
            person=person,
        )
    body = session.scalar(
        select(HousingBody).where(HousingBody.agency_id == agency.id).order_by(HousingBody.id)
    )
    if body is not None:
        add(
            "ente", Role.HOUSING_BODY, f"Ufficio morosità {body.code}", body.name, housing_body=body
        )
    plan = session.scalar(
        select(RepaymentPlan)
        .where(RepaymentPlan.agency_id == agency.id, RepaymentPlan.status == PlanStatus.ACTIVE)
        .order_by(RepaymentPlan.id)
    )
    if plan is not None:
        household = plan.household
        add(
            "residente",
            Role.RESIDENT,
            household.name,
            f"household {household.code}",
            household=household,
            language=household.language,
        )
    return made
