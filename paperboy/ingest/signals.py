"""Signals other apps listen to, so that ingest never imports them."""

from django.dispatch import Signal

# Sent by importer.import_records after each committed batch, with ``paper_ids``: the pks of
# papers that were created or whose metadata changed (the search index re-embeds those).
papers_imported = Signal()
