"""Who may open which page. Staff pages name the least role that may see them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from contactcentre.models import User
from contactcentre.roles import ROLE_REQUIRES, Role

View = Callable[..., HttpResponse]


def needs_second_factor(user: User) -> bool:
    """Staff must have an authenticator app set up before they see any staff page."""
    return bool(settings.STAFF_MFA_REQUIRED) and not is_mfa_enabled(user)


def staff_page(role: Role) -> Callable[[View], View]:
    """Limit a view to staff holding ``role`` (or a higher one) with a second factor.

    Signed-out visitors are sent to sign in; anyone else without the role gets 403.
    """
    permission = ROLE_REQUIRES[role]

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.has_perm(permission):
                raise PermissionDenied(_("You do not have access to this page."))
            assert isinstance(user, User)
            if needs_second_factor(user):
                messages.info(
                    request,
                    _("Set up an authenticator app before you use the staff pages."),
                )
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('mfa_activate_totp')}?{query}")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
