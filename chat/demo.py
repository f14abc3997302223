"""Demo canned responses, in English and Welsh."""

from __future__ import annotations

from chat.models import CannedResponse

DEMO_RESPONSES = (
    ("Greeting", "hello", "en", "Hello {citizen_name}, my name is {agent_name}. How can I help?"),
    (
        "Reset password",
        "reset",
        "en",
        "You can reset your password from the sign-in page: choose 'Forgotten your password?' "
        "and we will email you a link.",
    ),
    (
        "Anything else",
        "else",
        "en",
        "Is there anything else I can help you with today, {citizen_name}?",
    ),
    ("Cyfarchiad", "helo", "cy", "Helo {citizen_name}, {agent_name} ydw i. Sut alla i helpu?"),
)


def load_demo_data() -> list[str]:
    for title, shortcut, language, body in DEMO_RESPONSES:
        CannedResponse.objects.get_or_create(
            shortcut=shortcut, defaults={"title": title, "language": language, "body": body}
        )
    return [f"Chat: {len(DEMO_RESPONSES)} canned responses."]
