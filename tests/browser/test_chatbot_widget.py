"""The chatbot in the embedded chat widget: a citizen asks in their own words, gets the answer
with a link to the guidance, and follows it to the right help page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def help_site(site: str) -> str:
    from chat.chatbot.index import current_index
    from selfhelp.actions import import_articles

    import_articles()
    # Keeps the guidance's sentence vectors in the database, as `prepare_assistant` does after
    # a deploy: Daphne's first answer reads them instead of computing them all.
    current_index()
    return site


def open_widget(page: Page, site: str) -> None:
    page.goto(f"{site}/help/")  # the help pages embed the widget, as a service's pages would
    page.get_by_role("button", name="Chat with us").click()
    expect(page.get_by_label("Your message")).to_be_focused()


def test_citizen_asks_the_bot_in_the_widget_and_follows_the_link_to_the_article(
    help_site: str, page: Page
) -> None:
    open_widget(page, help_site)
    page.get_by_label("Your message").fill("i cant remember my pasword for govsign")
    page.keyboard.press("Enter")

    log = page.get_by_role("log", name="Chat messages")
    answer = log.locator(".app-chat__message--bot").last
    expect(answer).to_contain_text("forgotten your GovSign password")
    expect(answer).to_contain_text("Did that answer your question?")
    link = answer.get_by_role("link", name="/help/reset-password/")
    expect(link).to_be_visible()
    assert_accessible(page)

    link.click()
    expect(page).to_have_url(re.compile(r"/help/reset-password/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")


def test_the_bot_answers_a_welsh_question_with_the_welsh_article(
    help_site: str, page: Page
) -> None:
    open_widget(page, help_site)
    page.get_by_label("Your message").fill("Dw i wedi anghofio fy nghyfrinair")
    page.keyboard.press("Enter")

    answer = page.get_by_role("log", name="Chat messages").locator(".app-chat__message--bot")
    expect(answer.last).to_contain_text("Oedd hynny'n ateb eich cwestiwn?")
    answer.last.get_by_role("link", name="/help/reset-password/").click()
    expect(page).to_have_url(re.compile(r"/help/reset-password/$"))


def test_a_follow_up_in_the_widget_gets_the_sentence_of_the_same_guidance(
    help_site: str, page: Page
) -> None:
    open_widget(page, help_site)
    message = page.get_by_label("Your message")
    message.fill("my account is locked")
    page.keyboard.press("Enter")
    answers = page.get_by_role("log", name="Chat messages").locator(".app-chat__message--bot")
    expect(answers.last).to_contain_text("locks an account after too many attempts")

    message.fill("how long for")
    page.keyboard.press("Enter")

    expect(answers).to_have_count(2)
    expect(answers.last).to_contain_text("The same guidance says:")
    expect(answers.last).to_contain_text("Wait 2 hours.")
    expect(answers.last.get_by_role("link", name="/help/account-locked/")).to_be_visible()
