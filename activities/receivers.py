"""What the timeline does when contacts tell of something (contacts.signals)."""

from activities import services


def write_imported_notes(sender, *, by, notes, at, fresh, **kwargs):
    """Put an import's notes on the timelines of their contacts."""
    services.notes_import(by=by, notes=notes, at=at, fresh=fresh)
