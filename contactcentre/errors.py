"""Domain errors. Actions raise these; the edge (view, consumer, task) turns them into an HTTP
status, a form error or a websocket error frame."""


class ContactCentreError(Exception):
    """Root of every rule the contact centre enforces."""

    code = "error"


class InvalidTransition(ContactCentreError):
    """A status change that the allowed-transitions table does not permit."""

    code = "invalid_transition"


class StaleState(ContactCentreError):
    """Someone else changed the record first (a status-checked update matched nothing)."""

    code = "stale_state"


class NotPermitted(ContactCentreError):
    """The person may not do this to this record."""

    code = "not_permitted"
