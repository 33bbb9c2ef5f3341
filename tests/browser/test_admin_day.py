"""The administrator's day in a real browser, on the demo data.

More of the day (building set-up, charge runs, payments, verification queue, cases and plans)
comes with the admin screens; what is on screen today is tried here end to end.
"""

from __future__ import annotations

import re
from pathlib import Path

from condo_admin.demo.users import DEMO_PASSWORD


def log_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.get_by_label("Nome utente").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Accedi").click()


def test_the_login_page_and_a_wrong_password(page, shots: Path) -> None:
    page.goto("/")
    assert page.url.endswith("/login?next=%2F")
    page.screenshot(path=shots / "login.png")
    page.get_by_label("Nome utente").fill("admin")
    page.get_by_label("Password").fill("sbagliata-123")
    page.get_by_role("button", name="Accedi").click()
    assert page.get_by_text("Nome utente o password errati.").is_visible()


def test_an_administrator_sees_the_dashboard_with_charts(page, shots: Path) -> None:
    log_in(page, "admin")
    page.wait_for_url(re.compile(r".*/dashboard$"))
    assert page.get_by_role("heading", name=re.compile("Cruscotto")).is_visible()
    total = page.locator("#total-arrears").inner_text()
    assert re.fullmatch(r"[\d.]+,\d\d\s€", total), total
    assert page.locator("figure.chart svg").count() == 3
    assert page.locator("#aging-table tbody tr").count() == 6
    page.screenshot(path=shots / "dashboard.png", full_page=True)


def test_an_administrator_reads_the_audit_log_and_filters_it(page, shots: Path) -> None:
    log_in(page, "admin")
    page.get_by_role("link", name="Registro delle modifiche").click()
    page.get_by_label("Chi").fill("demo")
    page.get_by_role("button", name="Filtra").click()
    rows = page.locator("table tbody tr")
    assert rows.count() == 50
    assert "demo" in rows.first.inner_text()
    page.screenshot(path=shots / "audit-log.png")


def test_the_language_can_be_switched_to_english(page) -> None:
    log_in(page, "operatore")
    page.get_by_role("button", name="English").click()
    assert page.get_by_role("heading", name=re.compile("Dashboard")).is_visible()
    assert page.locator("html").get_attribute("lang") == "en"


def test_a_resident_cannot_open_the_admin_screens(page) -> None:
    log_in(page, "residente")
    page.wait_for_url(re.compile(r".*/portal/$"))
    response = page.goto("/dashboard")
    assert response is not None and response.status == 403
    assert page.get_by_text("Non hai accesso a questa pagina.").is_visible()


def test_a_supervisor_verifies_hours_in_the_queue(page, shots: Path) -> None:
    log_in(page, "supervisore")
    page.wait_for_url(re.compile(r".*/restitution/queue$"))
    cards = page.locator("section.card")
    before = cards.count()
    assert before > 0
    page.screenshot(path=shots / "verification-queue.png")
    first = cards.filter(has=page.get_by_role("button", name="Verifica")).first
    entry = first.get_attribute("id")
    first.get_by_role("button", name="Verifica").click()
    assert page.get_by_text(re.compile(r"Registrazione n\. \d+: verificate\.")).is_visible()
    assert page.locator(f"#{entry}").count() == 0


def test_an_operator_opens_a_case_and_drafts_a_plan(page, shots: Path) -> None:
    log_in(page, "operatore")
    page.get_by_role("link", name="Casi").click()
    page.get_by_role("link", name=re.compile(r"^\d+$")).first.click()
    page.get_by_label("Che cosa è successo").fill("Telefonata: appuntamento fissato")
    page.get_by_role("button", name="Scrivi nel diario").click()
    assert page.get_by_text("Telefonata: appuntamento fissato").is_visible()
    page.screenshot(path=shots / "case.png", full_page=True)

    page.get_by_role("link", name="Piani di rientro").click()
    form = page.locator("#new-plan")
    form.get_by_label("Codice del nucleo").fill("NUC0057")
    form.get_by_label("Codice del registro del creditore").fill("CAN-ALER-MI")
    form.get_by_label("Debito", exact=True).fill("100.00")
    form.get_by_label("Debito accertato il").fill("2026-11-20")
    form.get_by_label("Rate").fill("4")
    form.get_by_label("Prima rata in scadenza il").fill("2026-12-15")
    form.get_by_role("button", name="Prepara il piano").click()
    assert page.locator("#plan-status").inner_text() == "bozza"
    page.get_by_role("button", name="Firmato: attiva").click()
    assert page.locator("#plan-status").inner_text() == "attivo"
    assert page.locator("#installments tbody tr").count() == 4
    page.screenshot(path=shots / "plan.png", full_page=True)


def test_a_housing_body_sees_only_its_units(page, shots: Path) -> None:
    log_in(page, "ente")
    page.wait_for_url(re.compile(r".*/body/$"))
    assert page.get_by_role("heading", name="ALER Milano").is_visible()
    rows = page.locator("#units tbody tr")
    assert rows.count() > 0
    page.screenshot(path=shots / "housing-body.png", full_page=True)
    assert page.goto("/reports/aging").status == 403


def test_an_administrator_sets_up_a_building_charges_it_and_records_a_payment(
    page, shots: Path
) -> None:
    """The administrator's day: a building with a flat and a household moving in, the month's
    charge run, a payment at the desk, and the aging that follows it."""
    from datetime import date

    from condo_admin.demo.taxcodes import tax_code

    log_in(page, "admin")
    page.get_by_role("link", name="Stabili").click()
    form = page.locator("#new-building")
    for label, value in [("Codice", "VIA-PROVA-1"), ("Nome", "Via Prova 1"),
                         ("Indirizzo", "Via Prova 1"), ("CAP", "20100"), ("Comune", "Milano"),
                         ("Provincia", "MI")]:  # fmt: skip
        form.get_by_label(label, exact=True).fill(value)
    form.get_by_role("button", name="Crea").click()
    assert page.get_by_role("heading", name=re.compile("Via Prova 1")).is_visible()
    unit = page.locator("#new-unit")
    unit.get_by_label("Codice dell'alloggio").fill("P1")
    unit.get_by_label("Proprietario (codice dell'ente)").fill("ALER-MI")
    unit.get_by_role("button", name="Aggiungi l'alloggio").click()
    rent = page.locator("#rent")
    rent.get_by_label("Codice dell'alloggio").fill("P1")
    rent.get_by_label("Canone mensile").fill("250.00")
    rent.get_by_label("Dal").fill("2026-12-01")
    rent.get_by_role("button", name="Salva il canone").click()
    assert "250,00" in page.locator("#units").inner_text()

    page.get_by_role("link", name="Nuclei").click()
    household = page.locator("#new-household")
    born = date(1980, 1, 1)
    fields = [
        ("Codice del nucleo", "PROVA-1"),
        ("Nome dell'intestatario", "Paola"),
        ("Cognome dell'intestatario", "Neri"),
        ("Codice fiscale", tax_code("Neri", "Paola", born, "F", "F205")),
        ("Data di nascita", "1980-01-01"),
        ("Codice dello stabile", "VIA-PROVA-1"),
        ("Codice dell'alloggio", "P1"),
        ("Abita lì dal", "2026-12-01"),
    ]
    for label, value in fields:
        household.get_by_label(label, exact=True).fill(value)
    household.get_by_role("button", name="Crea").click()
    assert page.get_by_text("Nucleo PROVA-1 creato.").is_visible()
    page.get_by_role("link", name="PROVA-1").first.click()
    assert "Neri" in page.locator("#main").inner_text()
    page.screenshot(path=shots / "household.png", full_page=True)

    # The building's share table, typed on the grid of its units: the one flat holds it all.
    page.get_by_role("link", name="Stabili").click()
    page.get_by_role("link", name="VIA-PROVA-1").click()
    page.locator("#building-accounts-link").click()
    page.get_by_role("link", name="Nuova tabella millesimale").click()
    grid = page.locator("#share-table-form")
    grid.get_by_label("Codice", exact=True).fill("GEN")
    grid.get_by_label("Nome", exact=True).fill("Generale")
    grid.locator("#share-grid input").first.fill("1000")
    page.screenshot(path=shots / "share-table.png", full_page=True)
    grid.get_by_role("button", name="Crea la tabella").click()
    assert "GEN" in page.locator("#main").inner_text()

    page.get_by_role("link", name="Addebiti").click()
    page.get_by_label("Registro").select_option("CAN-ALER-MI")
    page.get_by_label("Mese (AAAA-MM)").fill("2026-12")
    page.get_by_role("button", name="Esegui").click()
    assert "addebitati" in page.locator("#charge-result").inner_text()

    def owed() -> str:
        page.goto("/reports/aging?as_of=2026-12-31&by=household")
        row = page.locator("#report tbody tr", has_text="PROVA-1")
        return row.locator("td").last.inner_text()  # the total column

    assert owed() == "250,00"
    page.get_by_role("link", name="Nuclei").click()
    page.get_by_placeholder("Cerca").fill("PROVA-1")
    page.get_by_role("button", name="Cerca").click()
    reference = page.locator("code.rf").first.inner_text()

    page.get_by_role("link", name="Pagamenti").click()
    payment = page.locator("#payment")
    payment.get_by_label("Riferimento RF o REGISTRO:CONTO").fill(reference)
    payment.get_by_label("Importo").fill("100.00")
    payment.get_by_label("Data").fill("2026-12-05")
    payment.get_by_role("button", name="Registra").click()
    assert page.get_by_text("Pagamento registrato.").is_visible()
    page.screenshot(path=shots / "payment.png", full_page=True)
    assert owed() == "150,00"
    page.screenshot(path=shots / "aging.png", full_page=True)
