"""Fixtures of the API tests: a small daily list and tokens for the personas."""

from datetime import UTC, date, datetime

import pytest

from paperboy.accounts.tokens import ApiToken
from paperboy.testing import make_entry, make_paper

DAY = date(2025, 1, 15)


@pytest.fixture
def listed(db, alice, example_lab):
    """Three papers on Jan 15, 2025 (3, 1 and 0 imported upvotes) and one on Jan 16."""
    papers = [
        make_paper(
            arxiv_id="2501.00101",
            title="Most upvoted",
            imported_upvotes=3,
            github_repo="https://github.com/example/one",
            github_stars=12,
            project_page="https://example.org/one",
            ai_summary="It is the most upvoted.",
            ai_keywords=["upvotes", "tests"],
            organization=example_lab,
        ),
        make_paper(arxiv_id="2501.00102", title="Second", imported_upvotes=1),
        make_paper(arxiv_id="2501.00103", title="Third"),
        make_paper(arxiv_id="2501.00104", title="Next day"),
    ]
    entries = [
        make_entry(papers[0], DAY, submitted_by=alice),
        make_entry(papers[1], DAY),
        make_entry(papers[2], DAY, submitted_at=datetime(2025, 1, 15, 11, 30, tzinfo=UTC)),
        make_entry(papers[3], date(2025, 1, 16)),
    ]
    entries[1].external_submitter = "hf-user"
    entries[1].save(update_fields=["external_submitter"])
    return entries


@pytest.fixture
def alice_token(alice):
    return ApiToken.issue(user=alice, name="script")[1]


@pytest.fixture
def staff_token(db):
    from paperboy.testing import make_user

    staff = make_user("operator", is_staff=True)
    return ApiToken.issue(user=staff, name="backup")[1]


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
