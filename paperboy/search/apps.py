from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "paperboy.search"
    label = "search"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from paperboy.ingest.signals import papers_imported
        from paperboy.search import receivers

        papers_imported.connect(receivers.papers_imported, dispatch_uid="search.papers_imported")
        post_migrate.connect(receivers.post_migrate, sender=self, dispatch_uid="search.schema")
