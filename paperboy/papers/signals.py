"""The catalog's signals: sent by whoever writes papers (the importer), heard by whoever keeps
something in step with them (search), so neither imports the other."""

from django.dispatch import Signal

# Sent by importer.import_records inside each batch's transaction, after its writes, with
# ``paper_ids``: the pks of papers that were created or whose metadata changed (the search
# index logs and re-embeds those). What a receiver writes commits with the batch; work that
# must wait for the commit (enqueueing a task) goes through ``transaction.on_commit``. A
# receiver must not leave the transaction broken: wrap optional writes in a savepoint.
# ``bulk`` is True for a bulk import (``paperboy import papers``): defer what can wait.
papers_imported = Signal()
