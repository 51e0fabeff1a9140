from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "paperboy.ingest"
    label = "ingest"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(restore_held_keys, sender=self, dispatch_uid="ingest.held_keys")

    def repair(self) -> None:
        """Called by every command at its start (``lib.cli.repair``): an import killed with the
        word index down is finished (``recovery.py``); a live one is left alone."""
        # apps.py loads before the models; recovery needs them
        from paperboy.ingest.recovery import repair

        repair()


def restore_held_keys(sender, using: str = "default", **kwargs) -> None:
    """Put back the foreign keys a killed bulk import left dropped (``ingest/pgload.py``)."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    if ("ingest", "0002_heldforeignkey") not in MigrationRecorder(connection).applied_migrations():
        return
    # apps.py loads before the models; pgload needs them
    from paperboy.ingest import pgload

    pgload.restore_link_keys(connection)
