"""The foundation's pages in a real browser: they work, switch language and pass axe-core.

Each test drives Chromium against a live Daphne and checks every page it passes through for
serious or critical WCAG 2.2 AA problems.
"""

from __future__ import annotations

import time

import pytest
from django.template.loader import render_to_string
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible

pytestmark = pytest.mark.browser

NEW_PASSWORD = "correct-horse-battery-staple-42"


def sign_in(page: Page, site: str, email: str, password: str) -> None:
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def current_totp_code(secret: str) -> str:
    """The authenticator app's code now, waiting out the last moments of a 30-second period."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    if time.time() % 30 > 27:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_start_page_in_english_then_welsh_via_the_language_switcher(site: str, page: Page):
    page.goto(f"{site}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("GovSign help")
    expect(page.locator("main")).to_contain_text("Monday to Friday, 8am to 8pm")
    assert_accessible(page)

    page.get_by_role("navigation", name="Language").get_by_role("button", name="Cymraeg").click()

    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page).to_have_url(f"{site}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Help GovSign")
    expect(page.locator("main")).to_contain_text("Dydd Llun i ddydd Gwener, 8am i 8pm")
    expect(page.locator(".govuk-skip-link")).to_have_text("Neidio i'r prif gynnwys")
    expect(page.get_by_role("navigation", name="Dewislen")).to_contain_text("Mewngofnodi")
    assert_accessible(page)


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(site: str, page: Page):
    page.goto(f"{site}/")

    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.className, location.hash]")
    assert "govuk-skip-link" in focused[0]
    expect(page.locator(".govuk-skip-link")).to_be_visible()

    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main-content"


def test_sign_in_sign_up_and_error_pages(site: str, page: Page):
    page.goto(f"{site}/accounts/login/")
    expect(page).to_have_title("Sign in – GovSign help – GOV.UK")
    assert_accessible(page)

    sign_in(page, site, "nobody@example.com", "not-the-password")
    expect(page).to_have_title("Error: Sign in – GovSign help – GOV.UK")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)

    page.goto(f"{site}/accounts/signup/")
    assert_accessible(page)
    page.get_by_label("Email").fill("not an email")
    page.get_by_label("Password", exact=True).fill("1234")
    page.locator("main").get_by_role("button", name="Create account").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a valid email address.")
    summary.get_by_role("link", name="Enter a valid email address.").click()
    expect(page.get_by_label("Email")).to_be_focused()
    assert_accessible(page)

    response = page.goto(f"{site}/no-such-page/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_accessible(page)

    # The 500 page renders without a request; serve it through the browser to check it.
    server_error = render_to_string("errors/500.html", {})
    page.route(
        f"{site}/boom/",
        lambda route: route.fulfill(status=500, body=server_error, content_type="text/html"),
    )
    page.goto(f"{site}/boom/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sorry, there is a problem with the service"
    )
    assert_accessible(page)


def test_citizen_signs_up_confirms_email_and_resets_password(site: str, page: Page):
    from allauth.account.forms import default_token_generator
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC
    from allauth.account.utils import user_pk_to_url_str

    email = "new.citizen@example.com"
    page.goto(f"{site}/accounts/signup/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password (again)").fill(NEW_PASSWORD)
    page.locator("main").get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page)

    address = EmailAddress.objects.get(email=email)
    page.goto(f"{site}/accounts/confirm-email/{EmailConfirmationHMAC(address).key}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    assert_accessible(page)
    page.get_by_role("button", name="Confirm email address").click()
    expect(page).to_have_url(f"{site}/account/")
    expect(page.get_by_text("You have not contacted us while signed in yet.")).to_be_visible()
    assert_accessible(page)

    response = page.goto(f"{site}/console/")
    assert response is not None
    assert response.status == 403
    assert_accessible(page)

    page.goto(f"{site}/accounts/logout/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Are you sure you want to sign out?")
    assert_accessible(page)
    page.get_by_role("navigation", name="Menu").get_by_role("button", name="Sign out").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out.")
    expect(
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Sign in")
    ).to_be_visible()

    page.goto(f"{site}/accounts/password/reset/")
    assert_accessible(page)
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page)

    user = address.user
    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    page.goto(f"{site}/accounts/password/reset/key/{key}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a new password")
    assert_accessible(page)
    page.get_by_label("New Password", exact=True).fill(NEW_PASSWORD + "!")
    page.get_by_label("New Password (again)").fill(NEW_PASSWORD + "!")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been changed")
    assert_accessible(page)


def test_agent_sets_up_an_authenticator_app_then_works_the_console(site: str, page: Page):
    from contactcentre.actions import open_contact
    from contactcentre.models import Channel, Urgency

    contact = open_contact(channel=Channel.WEBFORM, topic="fraud", urgency=Urgency.URGENT)

    sign_in(page, site, "agent@govsign.example", "demo-agent-pass")
    # Staff need a second factor; allauth asks for the password again before setting one up.
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    assert_accessible(page)
    page.get_by_label("Password", exact=True).fill("demo-agent-pass")
    page.locator("main").get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    expect(
        page.get_by_role("img", name="QR code to scan with your authenticator app")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Authenticator code").fill("000000")
    page.locator("main").get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Incorrect code.")
    assert_accessible(page)

    secret = page.locator("#authenticator-secret").inner_text().strip()
    page.get_by_label("Authenticator code").fill(current_totp_code(secret))
    page.locator("main").get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    assert_accessible(page)

    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{site}/console/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Agent console")
    expect(page.get_by_role("heading", name="Open contacts", level=2)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=f"Contact {str(contact.public_id)[:8]}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(contact.public_id)[:8])
    assert_accessible(page)


def test_manager_signs_in_with_a_code_and_sees_the_figures(site: str, page: Page):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from contactcentre.models import User

    manager = User.objects.get(email="manager@govsign.example")
    secret = generate_totp_secret()
    TOTP.activate(manager, secret)
    RecoveryCodes.activate(manager)

    sign_in(page, site, manager.email, "demo-manager-pass")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Enter the code from your authenticator app"
    )
    assert_accessible(page)
    page.get_by_label("Code").fill(current_totp_code(secret))
    page.locator("main").get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{site}/console/")

    page.get_by_role("link", name="Manage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How the service is doing")
    expect(page.get_by_role("table", name="By channel: Today")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{site}/accounts/2fa/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor authentication")
    assert_accessible(page)
