"""Text that our pages show but that comes from outside our code, listed for translation.

``makemessages`` only finds strings in our own files, and neither django-allauth nor (for these
strings) Django ships Welsh. Listing the exact msgids here keeps them in
``locale/cy/LC_MESSAGES/django.po`` when the catalogue is regenerated. Nothing imports this
module: it exists to be read by xgettext.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop, ngettext_lazy

# The default SERVICE_NAME: base.html translates the configured name when a translation exists.
SERVICE_NAMES = (gettext_noop("GovSign help"),)

# django-allauth: form labels on the sign-in, sign-up, password and two-factor pages.
ALLAUTH_LABELS = (
    gettext_noop("Email"),
    gettext_noop("Password"),
    gettext_noop("Password (again)"),
    gettext_noop("Current Password"),
    gettext_noop("New Password"),
    gettext_noop("New Password (again)"),
    gettext_noop("Code"),
    gettext_noop("Authenticator code"),
)

# django-allauth: error messages on those pages.
ALLAUTH_ERRORS = (
    gettext_noop("The email address and/or password you specified are not correct."),
    gettext_noop("A user is already registered with this email address."),
    gettext_noop("You must type the same password each time."),
    gettext_noop("Incorrect code."),
    gettext_noop("Incorrect password."),
    gettext_noop("This account is currently inactive."),
    gettext_noop("Too many failed login attempts. Try again later."),
    gettext_noop("Be patient, you are sending too many requests."),
    gettext_noop("The password reset token was invalid."),
    gettext_noop("Please type your current password."),
)

# Django's password validators: Django's Welsh catalogue leaves these untranslated.
PASSWORD_RULES = (
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("This password is too common."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("This password is entirely numeric."),
    gettext_noop("Your password can’t be entirely numeric."),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
)
