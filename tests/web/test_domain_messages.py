"""The domain's own words on the screens: refusals, early-warning reasons and the diary's system
lines read in the user's language (Italian by default, English on request), with money and dates
written the way that language writes them; the catalog has every one of them."""

from __future__ import annotations

import ast
import importlib
import io
import pkgutil
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

import condo_admin
import ledger
import volunteering
from condo_admin.accounting.early_warning import _TEMPLATES, Flag, Rule
from condo_admin.auth.models import Role
from condo_admin.desk import cases
from condo_admin.desk.errors import DebtAboveArrears
from condo_admin.desk.household_budgets import Line, record_budget
from condo_admin.desk.models import Case, CaseEntry, CaseStatus, ContactKind, Outcome
from condo_admin.registry.models import Agency, Household
from condo_admin.web.messages import KINDS, fill, reason, translated
from ledger.errors import N_, CondoError, NotFound, Phrase, either
from ledger.money import to_cents
from tests.factories import unique
from tests.web.site import csrf_token, login
from tests.web.test_desk_views import open_case
from volunteering.errors import TransitionRefused

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


# --- the free text of a refusal (its problem, reason, expected...) ------------------------------

#: The parameters that word why something was refused: never English text typed at the raise site,
#: always a message of the catalog (``N_``), a ``Phrase`` or a value.
TEXT_PARAMS = {"problem", "reason", "expected", "where", "action", "why", "state", "side", "owner"}
TEXT_PARAMS |= {"allowed", "what"}


def _n_strings() -> dict[str, str]:
    """Every text marked ``N_`` in the domain and the faces, by where it is."""
    found = {}
    for package in (ledger, volunteering, condo_admin):
        root = Path(next(iter(package.__path__)))
        for path in sorted(root.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "N_"
                    and isinstance(node.args[0], ast.Constant)
                ):
                    found[node.args[0].value] = f"{path.relative_to(root.parent)}:{node.lineno}"
    return found


def test_every_text_marked_for_translation_has_italian_with_the_same_placeholders():
    italian = _italian()
    texts = _n_strings()
    assert len(texts) > 300
    missing = sorted(f"{where}: {text!r}" for text, where in texts.items() if not italian.get(text))
    assert missing == [], "translate these in condo_admin/translations/it/LC_MESSAGES/messages.po"
    changed = sorted(
        f"{where}: {text!r}"
        for text, where in texts.items()
        if sorted(PLACEHOLDER.findall(italian[text])) != sorted(PLACEHOLDER.findall(text))
    )
    assert changed == [], "the Italian text must keep every %(name)s of the English one"


def test_no_refusal_is_raised_with_english_words_the_catalog_does_not_have():
    """A refusal's wording parameters are ``N_("...")`` or ``Phrase(N_("..."), ...)``, never a
    literal or an f-string (which an Italian page would show in English); codes and names are
    passed as values. The kinds of record (``what="Book"``) are in ``messages.KINDS``."""
    kinds = set(KINDS)
    names = {c.__name__ for c in _every_refusal()} | {"Phrase"}
    bare = []
    for package in (ledger, volunteering, condo_admin):
        root = Path(next(iter(package.__path__)))
        for path in sorted(root.rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name not in names:
                    continue
                if name == "Phrase":
                    if isinstance(node.args[0], ast.Constant | ast.JoinedStr):
                        bare.append(f"{path.name}:{node.lineno}: Phrase without N_")
                    continue
                for keyword in node.keywords:
                    value = keyword.value
                    if keyword.arg not in TEXT_PARAMS:
                        continue
                    literal = isinstance(value, ast.Constant) and isinstance(value.value, str)
                    if isinstance(value, ast.JoinedStr) or (
                        literal and value.value and value.value not in kinds
                    ):
                        bare.append(f"{path.name}:{node.lineno}: {keyword.arg}=")
    assert len(names) > 80
    assert bare == [], "wrap the text in N_(...), or in Phrase(N_(...), ...) when it names values"


def test_a_refusal_says_its_problem_in_italian_and_keeps_the_english_of_the_cli(app):
    case = Case(id=3, opened_on=date(2025, 3, 1), status=CaseStatus.NEW)
    refusals = []
    for act in (
        lambda: cases.add_entry(None, case, on=date(2025, 3, 2), kind="note", text=" ", actor="t"),
        lambda: cases.plan_next_action(
            None, case, on=date(2025, 3, 2), what="call", when=date(2025, 3, 1), actor="t"
        ),
        lambda: record_budget(
            None,
            Household(code="H1"),
            [Line("income", "wages", "abc")],
            valid_from=date(2025, 3, 1),
            actor="t",
        ),
        lambda: to_cents(1.5),
    ):
        with pytest.raises(CondoError) as refused:
            act()
        refusals.append(refused.value)
    refusals.append(
        TransitionRefused(
            what=Phrase(N_("Agreement %(code)s"), code="R-1"),
            status="ended",
            action=N_("activated"),
            allowed=either(["draft", "suspended"]),
        )
    )
    assert [str(r) for r in refusals] == [
        "Case #3: a diary entry needs some text.",
        "Case #3: the next action cannot be in the past (2025-03-01).",
        "Household budget of H1: line 1: amount: 'abc' is not a valid amount "
        "(expected a number such as 1234.56)..",
        "amount: 1.5 is not a valid amount (use a Decimal or a string, never a float).",
        "Agreement R-1 is ended: it cannot be activated (only when draft or suspended).",
    ]
    with app.test_request_context(headers={"Accept-Language": "it"}):
        assert [translated(r) for r in refusals] == [
            "Caso #3: una nota del diario deve avere un testo.",
            "Caso #3: la prossima azione non può essere nel passato (1 mar 2025).",
            "Bilancio familiare di H1: voce 1: importo: 'abc' non è un importo valido "
            "(serve un numero come 1234.56)..",
            "importo: 1.5 non è un importo valido (usa un Decimal o una stringa, mai un float).",
            "Patto R-1 è nello stato concluso: non può essere attivato "
            "(solo se è bozza o sospeso).",
        ]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert translated(refusals[1]) == (
            "Case #3: the next action cannot be in the past (Mar 1, 2025)."
        )
    assert either(["draft", "active", "broken"]) == "draft, active or broken"


def test_a_refused_diary_note_on_the_page_says_why_in_italian_and_in_english(client, app, site):
    household_id = site.a.household_ids[0]
    login(client, site.a.users[Role.OPERATOR])
    case_id = open_case(app, client, household_id)
    base = f"/desk/cases/{case_id}"
    token = csrf_token(client, base)
    note = {"csrf_token": token, "kind": "call", "day": "2000-01-01", "text": "too early"}
    client.post(f"{base}/note", data=note)
    page = client.get(base).get_data(as_text=True)
    assert f"Caso #{case_id}: il 1 gen 2000 è prima dell&#39;apertura del caso (" in page
    assert "is before the case was opened" not in page
    _switch_language(client, "en")
    client.post(f"{base}/note", data=note)
    page = client.get(base).get_data(as_text=True)
    assert f"Case #{case_id}: Jan 1, 2000 is before the case was opened (" in page
    with Session(app.extensions["condo"].engine) as session:
        case = session.get(Case, case_id)
        assert "too early" not in [e.text for e in case.diary]
        cases.close_case(session, case, on=date.today(), outcome="other", note="done", actor="t")
        session.commit()


def test_the_arrears_reports_title_status_and_rule_in_the_reader_language(client, site):
    login(client, site.a.users[Role.OPERATOR])
    url = "/reports/early-warning?as_of=2025-06-30"
    page = client.get(url).get_data(as_text=True)
    assert re.search(r"<h1[^>]*>Allerta precoce al 30 giu 2025, nuclei segnalati: \d+</h1>", page)
    assert '<td class="">grave</td>' in page
    assert '<td class="">morosità oltre due mensilità di addebiti</td>' in page
    assert "Early warning as of" not in page and "over_two_months" not in page
    assert ">serious<" not in page
    csv = client.get(f"{url}&format=csv").get_data(as_text=True)
    assert ",grave,300.00,300.00,morosità oltre due mensilità di addebiti," in csv
    sheet = load_workbook(io.BytesIO(client.get(f"{url}&format=xlsx").data)).active
    assert sheet.title.startswith("Allerta precoce al 30 giu 2025")
    assert "morosità oltre due mensilità di addebiti" in [c.value for c in sheet["F"]]
    aging = client.get("/reports/aging?as_of=2025-12-31").get_data(as_text=True)
    assert "Anzianità della morosità al 31 dic 2025, per nucleo</h1>" in aging
    assert '<td class="">grave</td>' in aging and '<td class="">totale</td>' in aging
    assert "Addebiti aperti per giorni di ritardo" in aging
    _switch_language(client, "en")
    page = client.get(url).get_data(as_text=True)
    assert re.search(
        r"<h1[^>]*>Early warning as of Jun 30, 2025, households flagged: \d+</h1>", page
    )
    assert '<td class="">serious</td>' in page
    assert '<td class="">arrears above two months of charges</td>' in page
    aging = client.get("/reports/aging?as_of=2025-12-31&by=building").get_data(as_text=True)
    assert "Arrears aging as of Dec 31, 2025, by building</h1>" in aging
