"""Arrears aging: open charges by days past due, credit apart, totals equal to the ledger."""

from __future__ import annotations

import io
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from condo_admin.accounting.aging import (
    BUCKETS,
    Delinquency,
    GroupBy,
    aging_report,
    as_table,
    summary,
)
from condo_admin.accounting.models import DebtorAccount
from condo_admin.accounting.payments import record_payment, reverse_payment
from condo_admin.exporting import as_csv, as_text, write_xlsx
from ledger.queries import trial_balance
from tests.condo_admin.accounting.estate import Estate
from tests.factories import ACTOR

AS_OF = date(2025, 6, 30)


@pytest.fixture
def estate(session: Session) -> Estate:
    return Estate(session, flats=("A01", "A02", "A03"))


def debtor_balances(session: Session, estate: Estate, as_of: date) -> Decimal:
    """The sum of the debtor accounts' balances in the trial balance."""
    debtors = {d.account_id for d in estate.debtors}
    rows = trial_balance(session, estate.book, as_of).rows
    return sum((r.balance for r in rows if r.account_id in debtors), Decimal("0.00"))


def row_of(report, key: str):
    return next(r for r in report.rows if r.key == key)


def test_each_unpaid_charge_is_aged_by_its_own_due_date(estate: Estate) -> None:
    for days_late in (0, 1, 30, 31, 90, 91, 180, 181, 365, 366):
        estate.charge(estate.rossi, AS_OF - timedelta(days=days_late), f"{days_late + 1}.00")
    report = aging_report(estate.session, AS_OF)
    row = row_of(report, estate.rossi.household.code)
    expected = {
        "current": "1.00",
        "d1_30": "33.00",  # 2 + 31
        "d31_90": "123.00",  # 32 + 91
        "d91_180": "273.00",  # 92 + 181
        "d181_365": "548.00",  # 182 + 366
        "over_365": "367.00",
    }
    assert {b.key: row.amount(b.key) for b in BUCKETS} == {
        k: Decimal(v) for k, v in expected.items()
    }
    assert row.oldest_days == 366 and row.status is Delinquency.CHRONIC


def test_payments_leave_only_the_newest_charges_in_the_buckets(estate: Estate) -> None:
    for month in range(1, 7):
        estate.charge(estate.rossi, date(2025, month, 1), "100.00")
    record_payment(estate.session, estate.rossi, "350.00", date(2025, 6, 10), actor=ACTOR)
    row = row_of(aging_report(estate.session, AS_OF), estate.rossi.household.code)
    # January to March and half of April are paid: half of April (90 days), May, June remain.
    assert row.amount("d31_90") == Decimal("150.00")
    assert row.amount("d1_30") == Decimal("100.00")
    assert row.total == Decimal("250.00") and row.status is Delinquency.ARREARS


def test_credit_is_its_own_column_and_the_household_is_in_credit(estate: Estate) -> None:
    estate.charge(estate.bianchi, date(2025, 6, 1), "80.00")
    record_payment(estate.session, estate.bianchi, "100.00", date(2025, 6, 5), actor=ACTOR)
    row = row_of(aging_report(estate.session, AS_OF), estate.bianchi.household.code)
    assert row.credit == Decimal("-20.00") and row.total == Decimal("-20.00")
    assert row.status is Delinquency.IN_CREDIT


def test_as_of_a_past_date_the_report_shows_what_was_open_then(estate: Estate) -> None:
    estate.charge(estate.rossi, date(2025, 1, 10), "100.00")
    record_payment(estate.session, estate.rossi, "100.00", date(2025, 3, 1), actor=ACTOR)
    before = aging_report(estate.session, date(2025, 2, 28))
    assert row_of(before, estate.rossi.household.code).amount("d31_90") == Decimal("100.00")
    assert aging_report(estate.session, date(2025, 3, 1)).rows == []


def test_every_grouping_adds_up_to_the_same_total(estate: Estate) -> None:
    estate.charge(estate.rossi, date(2025, 1, 10), "100.00")
    estate.charge(estate.bianchi, date(2025, 5, 10), "70.00")
    totals = {by: aging_report(estate.session, AS_OF, by=by).totals.total for by in GroupBy}
    assert set(totals.values()) == {Decimal("170.00")}
    by_building = aging_report(estate.session, AS_OF, by="building")
    assert [r.key for r in by_building.rows] == [estate.building.code]
    by_body = aging_report(estate.session, AS_OF, by="body")
    assert [r.key for r in by_body.rows] == [estate.body.code]


def test_the_aging_total_always_equals_the_debtor_balances_of_the_trial_balance(
    estate: Estate,
) -> None:
    """Random months of charges, payments (some designated, some reversed): checked each month."""
    rng = random.Random(7)
    session = estate.session
    payments = []
    for month in range(1, 13):
        day = date(2025, month, 5)
        for debtor in estate.debtors:
            estate.charge(debtor, day, f"{rng.randint(50, 150)}.{rng.randint(0, 99):02d}")
            if rng.random() < 0.6:
                amount = f"{rng.randint(10, 300)}.{rng.randint(0, 99):02d}"
                payments.append(
                    record_payment(session, debtor, amount, day + timedelta(days=10), actor=ACTOR)
                )
        if payments and rng.random() < 0.3:
            bounced = payments.pop(rng.randrange(len(payments)))
            reverse_payment(
                session, bounced.entry_id, reason="insoluto", actor=ACTOR, on=day + timedelta(11)
            )
        for as_of in (day + timedelta(days=12), day - timedelta(days=20)):
            report = aging_report(session, as_of)
            assert report.totals.total == debtor_balances(session, estate, as_of), as_of
            totals, owing = summary(session, as_of)
            assert totals.buckets == report.totals.buckets and totals.credit == report.totals.credit
            assert owing == sum(1 for r in report.rows if r.total_cents > 0)


def test_the_report_reads_the_same_as_text_csv_and_workbook(estate: Estate) -> None:
    estate.charge(estate.rossi, date(2025, 1, 10), "1234.56")
    report = aging_report(estate.session, AS_OF)
    table = as_table(report)
    text = as_text(table, locale="it_IT")
    assert "1.234,56" in text and "Open charges by days past due" in text
    csv_lines = as_csv(table).splitlines()
    assert csv_lines[0].startswith("household,name,status,accounts,current,1–30")
    assert csv_lines[-1].startswith("total,,,1,0.00,0.00,0.00,1234.56")
    buffer = io.BytesIO()
    write_xlsx(table, buffer)
    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = workbook.worksheets[0]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    total_column = table.headers.index("total") + 1
    cell = sheet.cell(2, total_column)
    assert Decimal(str(cell.value)) == Decimal("1234.56") and "0.00" in cell.number_format
    assert len(workbook["Chart"]._charts) == 1


def test_only_debtor_accounts_appear(estate: Estate, session: Session) -> None:
    estate.charge(estate.rossi, date(2025, 1, 10), "10.00")
    report = aging_report(session, AS_OF)
    assert {a for r in report.rows for a in r.accounts} <= {
        d.account_id for d in session.query(DebtorAccount)
    }
