"""The help pages in a real browser: reading, searching, "Is this page useful?", Welsh, axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def help_site(daphne_server: str) -> str:
    from selfhelp.actions import import_articles

    import_articles()
    return daphne_server


def test_a_citizen_finds_an_article_from_the_help_home_and_says_it_was_not_useful(
    help_site: str, page: Page
) -> None:
    page.goto(f"{help_site}/help/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Help with GovSign")
    assert_accessible(page)

    page.get_by_role("link", name="Reset your password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    expect(page.get_by_role("complementary")).to_contain_text("Related guidance")
    assert_accessible(page)

    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select yes if this page is useful"
    )
    assert_accessible(page)

    page.get_by_label("No").check()
    page.get_by_label("How could we improve this page? (optional)").fill("Say how long it takes")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator("#feedback")).to_contain_text("Thank you for your feedback")
    assert_accessible(page)


def test_a_misspelt_search_finds_the_article(help_site: str, page: Page) -> None:
    page.goto(f"{help_site}/help/")
    page.get_by_label("Search the help pages").fill("pasword")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Search the help pages")
    assert_accessible(page)
    page.get_by_role("link", name="Reset your password").click()
    expect(page).to_have_url(f"{help_site}/help/reset-password/")

    page.goto(f"{help_site}/help/search/?q=zorbing")
    expect(page.locator("main")).to_contain_text("We could not find any guidance")
    assert_accessible(page)


def test_welsh_readers_get_welsh_or_english_with_a_notice(help_site: str, page: Page) -> None:
    page.goto(f"{help_site}/help/")
    page.get_by_role("navigation", name="Language").get_by_role("button", name="Cymraeg").click()
    page.goto(f"{help_site}/help/reset-password/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ailosod eich cyfrinair")
    assert_accessible(page)

    page.goto(f"{help_site}/help/change-email-address/")
    expect(page.locator("h1")).to_have_attribute("lang", "en")
    expect(page.locator(".govuk-inset-text")).to_be_visible()
    assert_accessible(page)
