"""The withdrawal function in a real browser (Debian's chromium, driven by Playwright): the two
steps as a consumer takes them, by the labels and buttons a screen reader announces, under the
pages' Content Security Policy."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # `make test` installs chromium (Makefile: browser); Playwright's own download is not used.
    executable = shutil.which("chromium")
    assert executable, "chromium is missing: `make test` installs it"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="de-DE")
    opened = context.new_page()
    yield opened
    context.close()


def test_a_consumer_withdraws_in_two_steps_and_reads_the_time_of_receipt(
    api: str, page: Page
) -> None:
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)

    page.goto(f"{api}/v1/pages/withdrawal")
    main = page.get_by_role("main")
    main.get_by_label("Name").fill("Anna Schmidt")
    main.get_by_label("Bestellnummer").fill("1001")
    main.get_by_label("E-Mail-Adresse für die Bestätigung").fill("anna@example.com")
    main.get_by_role("button", name="Vertrag widerrufen").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Bitte bestätige deinen Widerruf"
    assert "anna@example.com" in page.get_by_role("main").inner_text()
    page.get_by_role("button", name="Widerruf bestätigen").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Dein Widerruf ist eingegangen"
    assert page.get_by_role("status").inner_text().startswith("Eingegangen am ")
    assert refused == []


def test_the_browser_keeps_an_incomplete_form_on_step_one(api: str, page: Page) -> None:
    page.goto(f"{api}/v1/pages/withdrawal?lang=en")
    page.get_by_label("Name").fill("Anna Schmidt")
    page.get_by_role("button", name="Withdraw from contract here").click()

    # The fields are required: the browser does not send the form, and says which is missing.
    assert page.get_by_role("heading", level=1).inner_text() == "Withdraw from contract"
    missing: Any = page.get_by_label("Order number").evaluate("e => e.validity.valueMissing")
    assert missing is True


def test_the_server_shows_a_refused_field_as_invalid_to_assistive_technology(
    api: str, page: Page
) -> None:
    page.goto(f"{api}/v1/pages/withdrawal?lang=en")
    # What a browser without form validation would send: the server's answer marks the field.
    page.get_by_label("Name").evaluate("e => e.form.noValidate = true")
    page.get_by_label("Name").fill("Anna Schmidt")
    page.get_by_role("button", name="Withdraw from contract here").click()

    order = page.get_by_label("Order number")
    assert order.get_attribute("aria-invalid") == "true"
    description = order.get_attribute("aria-describedby")
    assert description and "order number" in page.locator(f"#{description}").inner_text()
