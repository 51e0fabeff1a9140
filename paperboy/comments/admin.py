"""Comments' admin page lives in ``moderation/admin.py``: removing one is an audited action."""
