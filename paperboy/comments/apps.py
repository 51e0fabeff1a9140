from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "paperboy.comments"
    label = "comments"

    def ready(self) -> None:
        # apps.py is imported before the models are ready.
        from paperboy.comments.discussion import discussion_key
        from paperboy.lib import pagecache

        pagecache.share_part("comments/paper_part.html#discussion", discussion_key)
