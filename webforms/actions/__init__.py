"""State changes of the webforms app, one module per part of the work:

- ``drafts``: starting, filling in, saving and resuming forms, attachments, draft expiry;
- ``intake``: submitting (the durable part), routing and acknowledging submissions;
- ``inbox``: what agents and citizens do to a submission afterwards;
- ``outbox``: writing emails to the outbox and sending them exactly once.
"""
