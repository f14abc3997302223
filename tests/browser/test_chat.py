"""Live chat in a real browser: a citizen and an agent in two browser contexts against Daphne,
through a network drop, with axe-core on the widget and the console."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.axe import assert_accessible

pytestmark = pytest.mark.browser


def current_code(secret: str) -> str:
    from tests.totp import current_code as code

    if time.time() % 30 > 27:
        time.sleep(30 - time.time() % 30 + 0.1)
    return code(secret)


def always_open() -> None:
    """Advisers work whenever the test runs, and the demo agent serves every queue."""
    from routing.demo import load_demo_data
    from routing.models import Queue

    load_demo_data()  # again, now that the demo people exist: their skills
    Queue.objects.update(schedule=None)


def signed_in_agent(browser: Browser, site: str) -> tuple[BrowserContext, Page]:
    from contactcentre.models import User
    from tests.totp import enable_totp

    agent = User.objects.get(email="agent@govsign.example")
    secret = enable_totp(agent)
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("Email").fill(agent.email)
    page.get_by_label("Password", exact=True).fill("demo-agent-pass")
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(current_code(secret))
    page.locator("main").get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{site}/console/")
    return context, page


def citizen_page(browser: Browser, site: str, **options: object) -> tuple[BrowserContext, Page]:
    context = browser.new_context(
        viewport=options.pop("viewport", {"width": 1280, "height": 900}),  # type: ignore[arg-type]
        locale="en-GB",
        **options,  # type: ignore[arg-type]
    )
    context.set_default_timeout(15_000)
    return context, context.new_page()


def log_texts(page: Page) -> list[str]:
    return page.locator(".app-chat__log .app-chat__text").all_inner_texts()


def test_citizen_chats_with_the_bot_then_an_agent_through_a_network_drop(
    site: str, browser: Browser
):
    always_open()
    agent_context, agent = signed_in_agent(browser, site)
    expect(agent.get_by_role("heading", name="Live chat")).to_be_visible()
    assert_accessible(agent)
    agent.get_by_role("link", name="Open your chats").click()
    agent.get_by_label("Your status").select_option("available")
    agent.get_by_role("button", name="Update status").click()
    expect(agent.get_by_text("No chats yet")).to_be_visible()
    assert_accessible(agent)

    citizen_context, citizen = citizen_page(browser, site)
    citizen.goto(f"{site}/chat/")
    status = citizen.get_by_role("status").filter(has_text=re.compile("Ask a question|Chatting"))
    expect(status).to_have_text("Ask a question to start")
    assert_accessible(citizen)
    log = citizen.get_by_role("log", name="Chat messages")

    citizen.get_by_label("Your message").fill("how do I reset my password")
    citizen.keyboard.press("Enter")
    expect(log.locator(".app-chat__message--bot")).to_have_count(1)
    expect(citizen.locator(".app-chat__state")).to_have_text("Chatting with the assistant")
    assert_accessible(citizen)

    citizen.get_by_role("button", name="Talk to an adviser").click()
    expect(agent.get_by_role("alert")).to_contain_text("New chat assigned to you")
    expect(citizen.locator(".app-chat__state")).to_have_text(
        re.compile("An adviser will be with you shortly|Waiting")
    )
    # The agent sees what the bot already said, then accepts.
    expect(agent.get_by_role("log").first).to_contain_text("how do I reset my password")
    agent.get_by_role("button", name="Accept chat").click()
    expect(citizen.locator(".app-chat__state")).to_have_text("Chatting with Sam")

    reply = agent.get_by_label("Reply")
    reply.fill("Hello, I'm Sam. How can I help?")
    reply.press("Enter")
    expect(log).to_contain_text("Hello, I'm Sam. How can I help?")
    citizen.get_by_label("Your message").fill("I cannot sign in")
    citizen.get_by_role("button", name="Send").click()
    expect(agent.get_by_role("log").first).to_contain_text("I cannot sign in")
    assert_accessible(agent)
    assert_accessible(citizen)

    # The citizen's network drops: the agent writes twice, the citizen writes once.
    citizen_context.set_offline(True)
    expect(citizen.locator("#chat")).to_have_attribute("data-chat-connection", "reconnecting")
    reply.fill("First while you were away")
    reply.press("Enter")
    reply.fill("Second while you were away")
    reply.press("Enter")
    citizen.get_by_label("Your message").fill("Typed while offline")
    citizen.get_by_role("button", name="Send").click()
    expect(agent.get_by_role("log").first).to_contain_text("Second while you were away")
    citizen_context.set_offline(False)
    expect(citizen.locator("#chat")).to_have_attribute("data-chat-connection", "connected")
    expect(agent.get_by_role("log").first).to_contain_text("Typed while offline")
    expect(log).to_contain_text("Second while you were away")
    texts = log_texts(citizen)
    order = [
        "how do I reset my password",
        "Hello, I'm Sam. How can I help?",
        "I cannot sign in",
        "First while you were away",
        "Second while you were away",
    ]
    positions = [next(i for i, t in enumerate(texts) if t == wanted) for wanted in order]
    assert positions == sorted(positions), texts
    assert "Typed while offline" in texts
    seqs = [
        int(s)
        for s in citizen.locator(".app-chat__log li").evaluate_all(
            "items => items.map(li => li.dataset.seq)"
        )
    ]
    assert seqs == sorted(seqs), seqs
    assert len(seqs) == len(set(seqs)), seqs

    # Now the adviser's network drops: what they write waits, shown as not sent yet, and is
    # delivered once when they are back.
    agent_context.set_offline(True)
    agent_log = agent.get_by_role("log").first
    reply.fill("Written while the adviser was offline")
    reply.press("Enter")
    expect(agent.locator(".app-chat__pending")).to_contain_text(
        "Written while the adviser was offline"
    )
    expect(agent_log).not_to_contain_text("Written while the adviser was offline")
    agent_context.set_offline(False)
    expect(agent_log).to_contain_text("Written while the adviser was offline")
    expect(log).to_contain_text("Written while the adviser was offline")
    expect(agent.locator(".app-chat__pending")).to_have_count(0)
    assert log_texts(citizen).count("Written while the adviser was offline") == 1

    # The agent closes the chat; the citizen is offered the transcript.
    agent.get_by_text("Close chat", exact=True).first.click()
    agent.get_by_label("Outcome").select_option("resolved")
    agent.get_by_label("Reason for contact").select_option("sign-in")
    agent.get_by_role("button", name="Close chat").click()
    expect(citizen.locator(".app-chat__state")).to_have_text("Closed")
    expect(citizen.get_by_role("button", name="Download the transcript")).to_be_visible()
    assert_accessible(citizen)
    assert_accessible(agent)

    with citizen.expect_download() as download:
        citizen.get_by_role("button", name="Download the transcript").click()
    transcript = download.value.path().read_text()
    assert "You: I cannot sign in" in transcript
    assert "Sam: Second while you were away" in transcript
    agent_context.close()
    citizen_context.close()


def test_embedded_widget_works_by_keyboard_at_320_pixels(site: str, browser: Browser):
    context, page = citizen_page(browser, site, viewport={"width": 320, "height": 640})
    page.goto(f"{site}/")
    page.add_script_tag(url="/static/chat/widget.js", type="module")
    launcher = page.get_by_role("button", name="Chat with us")
    launcher.focus()
    page.keyboard.press("Enter")
    message = page.get_by_label("Your message")
    expect(message).to_be_focused()
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(launcher).to_be_focused()
    # Not a focus trap: Tab moves on from the widget to the rest of the page.
    launcher.press("Enter")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("() => document.activeElement.id") != message.get_attribute("id")
    context.close()


def test_without_javascript_the_chat_page_offers_the_webform(site: str, browser: Browser):
    context, page = citizen_page(browser, site, java_script_enabled=False)
    page.goto(f"{site}/chat/")
    link = page.get_by_role("button", name="Use the online form")
    expect(link).to_have_attribute("href", "/forms/general/")
    context.close()
