from django.apps import AppConfig

from paperboy.papers.signals import papers_imported


class SearchConfig(AppConfig):
    name = "paperboy.search"
    label = "search"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_migrate, post_save

        # in ready(): apps.py loads before the models
        from paperboy.papers.models import Paper
        from paperboy.search import receivers

        papers_imported.connect(receivers.papers_imported, dispatch_uid="search.papers_imported")
        post_save.connect(receivers.paper_saved, sender=Paper, dispatch_uid="search.paper_saved")
        post_delete.connect(
            receivers.paper_deleted, sender=Paper, dispatch_uid="search.paper_deleted"
        )
        post_migrate.connect(receivers.post_migrate, sender=self, dispatch_uid="search.schema")
