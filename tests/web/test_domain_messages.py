"""The domain's own words on the screens: refusals, early-warning reasons and the diary's system
lines read in the user's language (Italian by default, English on request), with money and dates
written the way that language writes them; the catalog has every one of them."""

from __future__ import annotations

import importlib
import pkgutil
import re
from datetime import date
from decimal import Decimal

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select
from sqlalchemy.orm import Session

import condo_admin
import ledger
import volunteering
from condo_admin.accounting.early_warning import _TEMPLATES, Flag, Rule
from condo_admin.auth.models import Role
from condo_admin.desk import cases
from condo_admin.desk.errors import DebtAboveArrears
from condo_admin.desk.models import Case, CaseEntry, CaseStatus, ContactKind, Outcome
from condo_admin.registry.models import Agency
from condo_admin.web.messages import fill, reason, translated
from ledger.errors import CondoError, NotFound
from tests.factories import unique
from tests.web.site import csrf_token, login

CATALOG = next(iter(condo_admin.__path__)) + "/translations/it/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[a-z]")


def _every_refusal() -> list[type[CondoError]]:
    """Every CondoError class of the code base (every module imported first)."""
    for package in (ledger, volunteering, condo_admin):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if ".migrations" not in module.name and not module.name.endswith("__main__"):
                importlib.import_module(module.name)
    found, todo = [], [CondoError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return [
        c for c in found if c.__module__.split(".")[0] in {"ledger", "condo_admin", "volunteering"}
    ]


def _italian() -> dict[str, str]:
    with open(CATALOG, "rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


def test_every_domain_message_has_an_italian_text_with_the_same_placeholders():
    italian = _italian()
    texts = {f"{c.__module__}.{c.__name__}": c.template for c in _every_refusal()}
    assert len(texts) > 80
    texts |= {f"early warning {rule}": template for rule, template in _TEMPLATES.items()}
    texts |= {f"diary line {t!r}": t for t in cases._SYSTEM_LINES}
    missing = sorted(name for name, text in texts.items() if not italian.get(text))
    assert missing == [], "translate these in condo_admin/translations/it/LC_MESSAGES/messages.po"
    changed = sorted(
        name
        for name, text in texts.items()
        if sorted(PLACEHOLDER.findall(italian[text])) != sorted(PLACEHOLDER.findall(text))
    )
    assert changed == [], "the Italian text must keep every %(name)s of the English one"


@pytest.mark.parametrize(
    ("template", "params"),
    [
        (cases.OPENED_BY_HAND, {}),
        (cases.OPENED, {"reasons": "arrears of 300,00 €; repayment plan P-1: missed"}),
        (cases.STATUS, {"old": CaseStatus.NEW, "new": CaseStatus.IN_PLAN}),
        (cases.ASSIGNED, {"operator": "giulia"}),
        (cases.UNASSIGNED, {}),
        (cases.NEXT_ACTION, {"when": date(2025, 3, 1), "what": "call back: after 5pm"}),
        (cases.LETTERS_HELD, {"reason": "in hospital"}),
        (cases.LETTERS_ALLOWED, {"reason": "home again"}),
        (cases.CLOSED, {"outcome": Outcome.PAID, "note": "all paid"}),
    ],
)
def test_a_system_line_of_the_diary_reads_back_as_it_was_written(template, params):
    stored = {k: v.isoformat() if isinstance(v, date) else str(v) for k, v in params.items()}
    entry = CaseEntry(kind=ContactKind.CHANGE, text=template % stored)
    assert cases.system_line(entry) == cases.SystemLine(template, params)
    assert cases.system_line(CaseEntry(kind=ContactKind.NOTE, text=entry.text)) is None


def test_a_refusal_reads_with_the_money_and_dates_of_the_reader(app):
    refused = DebtAboveArrears(
        plan="PR-7",
        debt=Decimal("1234.50"),
        household="ROSSI",
        book="SPESE",
        date=date(2025, 1, 5),
        arrears=Decimal("1000.00"),
    )
    with app.test_request_context(headers={"Accept-Language": "it"}):
        italian = translated(refused)
    assert italian.startswith("Piano di rientro PR-7: il debito indicato di 1.234,50")
    assert "al 5 gen 2025" in italian and "1.000,00" in italian
    with app.test_request_context(headers={"Accept-Language": "en"}):
        english = translated(refused)
    assert english.startswith("Repayment plan PR-7: the stated debt of €1,234.50 is larger")
    assert "on Jan 5, 2025" in english


def test_the_kind_of_record_is_named_in_italian_and_a_broken_text_falls_back_to_english(app):
    with app.test_request_context(headers={"Accept-Language": "it"}):
        assert translated(NotFound(what="Book", ref="SPESE")) == "Registro SPESE non esiste."
        # a translation that cannot be filled in (a parameter missing) shows the English text
        assert fill(NotFound.template, {"what": "Book"}, "English text") == "English text"
        assert translated(LookupError("as given")) == "as given"


def test_an_early_warning_reason_reads_in_the_language_asked_for(app):
    flag = Flag(
        Rule.FIRST_MISSED, {"amount": Decimal("150.00"), "due": date(2025, 1, 10), "days": 40}
    )
    with app.test_request_context(headers={"Accept-Language": "it"}):
        assert reason(flag).startswith(
            "primo pagamento mancato: 150,00\xa0€ in scadenza il 10/01/25"
        )
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert reason(flag).startswith("first missed payment: €150.00 due on 1/10/25 is 40 days")
    assert flag.reason("en").startswith("first missed payment")  # the CLI's English, untouched


def _switch_language(client, code: str) -> None:  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/registry/bodies")
    client.post(f"/language/{code}", data={"csrf_token": token, "next": "/registry/bodies"})


def test_a_refused_form_says_why_in_italian_and_in_english_on_request(client, site):
    login(client, site.a.users[Role.ADMIN])
    token = csrf_token(client, "/registry/bodies")
    code = unique("TWICE")
    form = {"csrf_token": token, "code": code, "name": "Ente", "kind": "cooperative"}
    assert client.post("/registry/bodies", data=form).status_code == 302
    italian = client.post("/registry/bodies", data=form).get_data(as_text=True)
    assert f"Ente gestore: il codice &#39;{code}&#39; è già in uso." in italian
    assert "is already used" not in italian
    _switch_language(client, "en")
    english = client.post("/registry/bodies", data=form).get_data(as_text=True)
    assert f"Housing body code &#39;{code}&#39; is already used." in english


def test_the_early_warning_report_and_its_download_give_the_reasons_in_italian(client, site):
    login(client, site.a.users[Role.OPERATOR])
    url = "/reports/early-warning?as_of=2025-06-30"
    page = client.get(url).get_data(as_text=True)
    assert "morosità di 300,00\xa0€, superiore a 2 mensilità di addebiti" in page
    assert "more than 2 months" not in page
    csv = client.get(f"{url}&format=csv").get_data(as_text=True)
    assert "morosità di 300,00\xa0€, superiore a 2 mensilità di addebiti" in csv
    _switch_language(client, "en")
    page = client.get(url).get_data(as_text=True)
    assert "arrears of €300.00 are more than 2 months of charges" in page


def test_a_case_opened_from_the_list_reads_its_flags_and_diary_in_the_reader_language(
    client, app, site
):
    engine = app.extensions["condo"].engine
    household_id = site.b.household_ids[0]
    with Session(engine) as session:
        agency = session.scalar(select(Agency).where(Agency.code == site.b.code))
        for stale in session.scalars(
            select(Case).where(Case.household_id == household_id, Case.closed_on.is_(None))
        ):
            cases.close_case(
                session, stale, on=stale.opened_on, outcome="other", note="reset", actor="test"
            )
        opened = cases.open_from_warnings(session, agency, date(2025, 6, 30), actor="test").opened
        (case_id,) = [c.id for c in opened if c.household_id == household_id]
        others = [c.id for c in opened if c.household_id != household_id]
        session.commit()
    login(client, site.b.users[Role.OPERATOR])
    base = f"/desk/cases/{case_id}"
    token = csrf_token(client, base)
    client.post(f"{base}/assign", data={"csrf_token": token, "operator": "operatore.b"})
    client.post(f"{base}/hold", data={"csrf_token": token, "hold": "1", "reason": "ricoverata"})
    client.post(f"{base}/status", data={"csrf_token": token, "status": "in_plan"})
    page = client.get(base).get_data(as_text=True)
    assert "<li>morosità di 300,00\xa0€, superiore a 2 mensilità di addebiti" in page
    assert "caso aperto: morosità di 300,00\xa0€" in page
    assert "assegnato a operatore.b" in page and "lettere sospese: ricoverata" in page
    assert "stato nuovo → con piano" in page
    assert "case opened" not in page and "assigned to" not in page
    _switch_language(client, "en")
    page = client.get(base).get_data(as_text=True)
    assert "case opened: arrears of €300.00 are more than 2 months of charges" in page
    assert "assigned to operatore.b" in page and "letters held: ricoverata" in page
    assert "status new → in plan" in page
    with Session(engine) as session:  # the stored text stays English, for the audit trail
        texts = [e.text for e in session.get(Case, case_id).diary]
        assert texts[0].startswith("case opened: arrears of 300,00\xa0€ are more than 2 months")
        assert "status new → in_plan" in texts
        for done in [case_id, *others]:
            cases.close_case(
                session, session.get(Case, done), on=date.today(), outcome="other", note="done",
                actor="test",
            )  # fmt: skip
        session.commit()
