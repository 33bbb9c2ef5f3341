"""Staged reminder letters: which stage, to whom, never twice, never to a plan in good standing.

The letters are real PDFs drawn by ReportLab; their text is read back with pypdf and checked for
the amount, the RF reference, the IBAN and the language of the household.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from condo_admin.accounting.books import set_book_iban
from condo_admin.accounting.errors import InvalidIban
from condo_admin.accounting.payments import record_payment
from condo_admin.desk import cases, plans, reminders
from condo_admin.desk.errors import LettersRefused
from condo_admin.desk.models import Letter, LetterRun, Stage
from condo_admin.desk.templates import DEFAULT_FOLDER
from tests.condo_admin.accounting.estate import Estate
from tests.factories import ACTOR

IBAN = "IT60X0542811101000000123456"
#: The first charge is due on this day; a run N days later finds it N days past due.
FIRST_DUE = date(2025, 1, 10)


def text_of(letter: Letter) -> str:
    reader = PdfReader(io.BytesIO(letter.pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def days_after(n: int) -> date:
    return FIRST_DUE + timedelta(days=n)


class Office:
    """An estate whose first household owes one charge of €250.00 due on FIRST_DUE, with the
    desk's contact and the book's IBAN set."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.estate = Estate(session)
        self.agency, self.book = self.estate.agency, self.estate.book
        self.debtor = self.estate.rossi
        self.household = self.debtor.household
        self.estate.charge(self.debtor, FIRST_DUE, "250.00")
        set_book_iban(session, self.book, "IT60 X054 2811 1010 0000 0123 456", actor=ACTOR)
        reminders.set_contact(
            session,
            self.agency,
            name="Sportello Casa Nord",
            address="Via Padova 36, 20127 Milano",
            phone="02 1234 5678",
            email="sportello@example.org",
            hours="lun-mer 9-13",
            actor=ACTOR,
        )

    def run(self, on: date, folder: Path | None = None) -> reminders.RunResult:
        return reminders.generate(
            self.session, self.agency, on, actor="operator:anna", template_folder=folder
        )

    def letters(self) -> int:
        return self.session.scalar(select(func.count()).select_from(Letter))

    def runs(self) -> int:
        return self.session.scalar(select(func.count()).select_from(LetterRun))


@pytest.fixture
def office(session: Session) -> Office:
    return Office(session)


# --- stages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "stage"),
    [
        (29, None),
        (30, Stage.REMINDER),
        (59, Stage.REMINDER),
        (60, Stage.SECOND_REMINDER),
        (89, Stage.SECOND_REMINDER),
        (90, Stage.FORMAL_NOTICE),
        (400, Stage.FORMAL_NOTICE),
    ],
)
def test_the_stage_is_the_highest_whose_days_the_oldest_charge_has_passed(office, days, stage):
    result = office.run(days_after(days))
    assert [letter.stage for letter in result.letters] == ([stage] if stage else [])


def test_a_stage_switched_off_for_the_book_is_never_written(office):
    reminders.set_stage(
        office.session, office.book, Stage.FORMAL_NOTICE, enabled=False, actor=ACTOR
    )
    assert [x.stage for x in office.run(days_after(95)).letters] == [Stage.SECOND_REMINDER]


def test_stage_days_can_move_but_must_stay_in_order(office):
    reminders.set_stage(office.session, office.book, Stage.REMINDER, days=15, actor=ACTOR)
    assert [x.stage for x in office.run(days_after(15)).letters] == [Stage.REMINDER]
    with pytest.raises(LettersRefused, match="increase from reminder to formal notice"):
        reminders.set_stage(
            office.session, office.book, Stage.SECOND_REMINDER, days=95, actor=ACTOR
        )


def test_other_books_keep_the_default_stages(office, session):
    other = Estate(session)
    reminders.set_stage(session, office.book, Stage.REMINDER, enabled=False, actor=ACTOR)
    assert reminders.stages_of(session, other.book.id) == {
        Stage.REMINDER: (30, True),
        Stage.SECOND_REMINDER: (60, True),
        Stage.FORMAL_NOTICE: (90, True),
    }


# --- never twice ---------------------------------------------------------------------------


def test_a_letter_is_written_once_per_stage_for_the_same_debt(office):
    assert len(office.run(days_after(31)).letters) == 1
    again = office.run(days_after(32))
    assert again.letters == []
    assert again.run is None
    assert [s.reason for s in again.skipped] == [
        f"reminder already written on {days_after(31).isoformat()} for this debt"
    ]
    assert office.letters() == 1


def test_the_same_debt_moves_up_the_stages(office):
    stages = [
        letter.stage
        for n in (31, 45, 61, 75, 91, 120)
        for letter in office.run(days_after(n)).letters
    ]
    assert stages == [Stage.REMINDER, Stage.SECOND_REMINDER, Stage.FORMAL_NOTICE]


def test_once_the_debt_a_letter_covered_is_paid_new_arrears_start_from_the_first_stage(office):
    office.run(days_after(95))  # formal notice for the January charge
    record_payment(office.session, office.debtor, "250.00", days_after(100), actor=ACTOR)
    later = date(2025, 6, 1)
    office.estate.charge(office.debtor, later, "80.00")
    letters = office.run(later + timedelta(days=35)).letters
    assert [(x.stage, x.amount_cents, x.oldest_due) for x in letters] == [
        (Stage.REMINDER, 8000, later)
    ]


def test_a_partly_paid_debt_is_still_the_debt_its_letter_covered(office):
    office.run(days_after(31))
    record_payment(office.session, office.debtor, "100.00", days_after(33), actor=ACTOR)
    assert office.run(days_after(40)).letters == []


# --- suppression ---------------------------------------------------------------------------


def _plan(office: Office, as_of: date, first_due: date) -> plans.RepaymentPlan:
    plan = plans.create_plan(
        office.session,
        office.agency,
        household=office.household,
        book=office.book,
        debt="250.00",
        as_of=as_of,
        installments=plans.equal_installments("250.00", 5, first_due),
        actor=ACTOR,
    )
    plans.activate_plan(office.session, plan, on=as_of, actor=ACTOR)
    return plan


def test_no_letter_while_the_household_keeps_its_plan(office):
    as_of = days_after(20)
    plan = _plan(office, as_of, date(2025, 2, 15))
    record_payment(office.session, office.debtor, "50.00", date(2025, 2, 14), actor=ACTOR)
    result = office.run(days_after(40))
    assert result.letters == []
    assert [s.reason for s in result.skipped] == [f"repayment plan {plan.code} is in good standing"]


def test_a_plan_behind_on_a_missed_installment_does_not_stop_the_letter_and_is_named_in_it(
    office,
):
    plan = _plan(office, days_after(20), date(2025, 2, 15))  # nothing paid
    letters = office.run(days_after(65)).letters
    assert [x.stage for x in letters] == [Stage.SECOND_REMINDER]
    text = text_of(letters[0])
    assert f"piano di rientro {plan.code} non è in regola" in text
    assert "risultano pagati 0,00 € sui 100,00 € previsti" in text


def test_no_letter_while_the_household_case_holds_them(office):
    case = cases.open_case(office.session, office.household, on=days_after(25), actor=ACTOR)
    cases.hold_letters(
        office.session, case, True, on=days_after(25), reason="hospital stay", actor=ACTOR
    )
    result = office.run(days_after(40))
    assert result.letters == []
    assert [s.reason for s in result.skipped] == [f"case #{case.id} holds letters"]
    cases.hold_letters(
        office.session, case, False, on=days_after(41), reason="back home", actor=ACTOR
    )
    assert len(office.run(days_after(42)).letters) == 1


# --- the PDF -------------------------------------------------------------------------------


def test_the_letter_is_a_pdf_with_amount_reference_iban_and_desk_in_italian(office):
    office.estate.charge(office.debtor, date(2025, 2, 10), "120.45")
    (letter,) = office.run(date(2025, 2, 20)).letters
    assert letter.pdf.startswith(b"%PDF")
    text = text_of(letter)
    assert "Promemoria di pagamento" in text
    assert "Gentile" in text
    assert "370,45 €" in text  # total past due, Italian format
    assert "250,00 €" in text and "120,45 €" in text  # each charge on its own line
    rf = office.debtor.rf_reference
    assert " ".join(rf[i : i + 4] for i in range(0, len(rf), 4)) in text
    assert "IT60 X054 2811 1010 0000 0123 456" in text
    assert "Sportello Casa Nord" in text and "02 1234 5678" in text
    assert "20 febbraio 2025" in text
    assert letter.amount_cents == 37045 and letter.language == "it"


def test_a_household_that_reads_english_gets_the_english_letter(office):
    office.household.language = "en"
    (letter,) = office.run(days_after(61)).letters
    text = text_of(letter)
    assert "Second payment reminder" in text
    assert "Dear" in text and "Gentile" not in text
    assert "€250.00" in text
    assert letter.language == "en"


def test_the_log_says_who_ran_it_when_which_stage_and_how_much(office):
    office.run(days_after(31))
    ((letter, run),) = reminders.log(office.session, office.agency)
    assert (run.run_by, letter.as_of, letter.stage, letter.amount_cents) == (
        "operator:anna",
        days_after(31),
        Stage.REMINDER,
        25000,
    )
    assert len(letter.sha256) == 64
    assert reminders.letters_of(office.session, office.household.id) == [letter]


# --- refusals: nothing written ---------------------------------------------------------------


def test_a_stage_with_no_template_stops_the_run_before_anything_is_written(office, tmp_path):
    for stage in Stage:  # the agency's own folder has Italian templates only
        source = DEFAULT_FOLDER / f"{stage.value}.it.txt"
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    office.household.language = "en"
    with pytest.raises(LettersRefused, match="stage second_reminder has no template in en"):
        office.run(days_after(61), folder=tmp_path)
    assert (office.letters(), office.runs()) == (0, 0)


def test_a_template_without_its_sections_is_refused(office, tmp_path):
    for stage in Stage:
        (tmp_path / f"{stage.value}.it.txt").write_text("## subject\nHello\n", encoding="utf-8")
    with pytest.raises(LettersRefused, match="lacks the section"):
        office.run(days_after(31), folder=tmp_path)
    assert (office.letters(), office.runs()) == (0, 0)


def test_a_book_without_iban_or_a_desk_without_contact_stops_the_run(session):
    estate = Estate(session)
    estate.charge(estate.rossi, FIRST_DUE, "10.00")
    with pytest.raises(LettersRefused) as refused:
        reminders.generate(session, estate.agency, days_after(31), actor=ACTOR)
    assert "has no advice-desk contact" in str(refused.value)
    assert f"book {estate.book.code} has no IBAN" in str(refused.value)
    assert session.scalar(select(func.count()).select_from(Letter)) == 0


def test_a_wrong_iban_is_refused(office):
    with pytest.raises(InvalidIban, match="not a valid IBAN"):
        set_book_iban(office.session, office.book, "IT60X0542811101000000123457", actor=ACTOR)


def test_own_templates_are_used_when_given(office, tmp_path):
    for stage in Stage:
        (tmp_path / f"{stage.value}.it.txt").write_text(
            "## subject\nAvviso {{ household }}\n## opening\nTotale {{ total }}.\n"
            "## closing\nGrazie.\n",
            encoding="utf-8",
        )
    (letter,) = office.run(days_after(31), folder=tmp_path).letters
    text = text_of(letter)
    assert f"Avviso {office.household.code}" in text
    assert "Totale 250,00 €." in text


def test_amounts_in_the_log_match_the_ledger(office):
    record_payment(office.session, office.debtor, "49.99", days_after(5), actor=ACTOR)
    (letter,) = office.run(days_after(31)).letters
    assert Decimal(letter.amount_cents) / 100 == Decimal("200.01")
