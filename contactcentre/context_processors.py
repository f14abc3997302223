from django.conf import settings
from django.http import HttpRequest

from contactcentre.roles import is_staff_member


def service(request: HttpRequest) -> dict[str, object]:
    """What every page's header, phase banner and footer need."""
    user = getattr(request, "user", None)
    return {
        "service_name": settings.SERVICE_NAME,
        "service_phase": settings.SERVICE_PHASE,
        "support_email": settings.SUPPORT_EMAIL,
        "demo_mode": settings.DEMO_MODE,
        "is_staff_member": bool(user is not None and is_staff_member(user)),
    }
