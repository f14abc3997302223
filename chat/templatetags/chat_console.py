"""What the console panel shows about chat: the agent's presence and their chats."""

from __future__ import annotations

from typing import Any

from django import template

from chat import selectors
from routing.models import AgentProfile, Presence

register = template.Library()


@register.simple_tag(takes_context=True)
def chat_console_summary(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    profile = AgentProfile.objects.filter(user=user).first()
    return {
        "profile": profile,
        "presence": profile.presence if profile else None,
        "presences": Presence.choices,
        "chats": len(selectors.agent_conversations(user)),
        "supervisor": selectors.is_supervisor(user),
    }
