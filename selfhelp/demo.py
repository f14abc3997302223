"""Demo guidance: the GovSign help articles shipped in ``selfhelp/demo_content``."""

from __future__ import annotations

from selfhelp.actions import import_articles


def load_demo_data() -> list[str]:
    result = import_articles()
    return [
        f"Help articles: {result.created} added, {result.updated} updated, "
        f"{result.unchanged} unchanged."
    ]
