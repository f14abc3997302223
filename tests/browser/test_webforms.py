"""Webforms in a real browser: a signed-in citizen fills a multi-page form, meets a validation
error, saves it, comes back from their account, sends it and sees the reference; axe-core
checks every form page on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.test_pages_accessible import sign_in
from webforms.reference import is_valid_body

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"^GS-[A-HJKMNP-TW-Z2-9]{4}-[A-HJKMNP-TW-Z2-9]{4}$")


@pytest.fixture
def forms_site(site: str) -> str:
    """The live site with the demo people, opening hours and the seven demo forms."""
    from webforms.demo import load_demo_data as load_demo_forms

    load_demo_forms()
    return site


def continue_(page: Page) -> None:
    page.locator("main").get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def test_citizen_fixes_an_error_saves_comes_back_and_sends_a_complaint(
    forms_site: str, page: Page
) -> None:
    sign_in(page, forms_site, "citizen@govsign.example", "demo-citizen-pass")

    page.goto(f"{forms_site}/forms/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Send us a form")
    assert_accessible(page)

    page.get_by_role("link", name="Make a complaint").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a complaint")
    assert_accessible(page)

    # Page 1 of 3: name and email together. Leave the email out.
    page.get_by_role("button", name="Start now").click()
    expect(page.locator("main")).to_contain_text("Page 1 of 3")
    assert_accessible(page)
    page.get_by_label("Full name").fill("Jo Citizen")
    page.get_by_label("Email address").fill("")
    continue_(page)

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(summary).to_contain_text("Enter your email address")
    assert_accessible(page)
    summary.get_by_role("link", name="Enter your email address").click()
    expect(page.get_by_label("Email address")).to_be_focused()

    page.get_by_label("Email address").fill("jo.citizen@example.org")
    continue_(page)

    # Page 2 of 3: one question; type an answer, then save and come back later.
    expect(page.locator("main")).to_contain_text("Page 2 of 3")
    assert_accessible(page)
    page.get_by_label("What went wrong?").fill("My identity check failed three times.")
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your form has been saved")
    assert_accessible(page)

    # Come back from the account: the answers are still there.
    page.goto(f"{forms_site}/forms/mine/")
    assert_accessible(page)
    page.locator("main").get_by_role("link", name="Make a complaint").click()
    expect(page.get_by_label("Full name")).to_have_value("Jo Citizen")
    expect(page.get_by_label("Email address")).to_have_value("jo.citizen@example.org")
    continue_(page)
    expect(page.get_by_label("What went wrong?")).to_have_value(
        "My identity check failed three times."
    )
    continue_(page)

    expect(page.locator("main")).to_contain_text("Page 3 of 3")
    assert_accessible(page)
    page.get_by_label("What would you like us to do?").fill("Let me prove who I am by post.")
    continue_(page)

    # Files are optional on this form.
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload files")
    assert_accessible(page)
    continue_(page)

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending your form"
    )
    answers = page.locator(".govuk-summary-list")
    expect(answers).to_contain_text("jo.citizen@example.org")
    expect(answers).to_contain_text("Let me prove who I am by post.")
    assert_accessible(page)

    page.get_by_role("button", name="Accept and send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Form sent")
    reference = page.locator(".app-reference").inner_text().strip()
    assert REFERENCE.match(reference), reference
    assert is_valid_body(reference[3:].replace("-", "")), f"{reference} fails its check character"
    assert_accessible(page)

    from webforms.models import Submission

    submission = Submission.objects.get(reference=reference)
    assert submission.answers["outcome_wanted"] == "Let me prove who I am by post."

    page.goto(f"{forms_site}/forms/track/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the progress of your request")
    assert_accessible(page)
