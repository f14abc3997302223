"""The chat's own rules, in the contact centre's error hierarchy. The consumer turns each into an
error frame with its ``code``."""

from contactcentre.errors import ContactCentreError, NotPermitted

__all__ = ["ConversationClosed", "EmptyMessage", "MessageTooLong", "NotPermitted"]


class MessageTooLong(ContactCentreError):
    code = "too_long"


class EmptyMessage(ContactCentreError):
    code = "empty"


class ConversationClosed(ContactCentreError):
    code = "closed"
