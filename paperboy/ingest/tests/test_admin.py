"""Operators read what each ingest run did in the admin; nothing there can be edited."""

from datetime import date

from paperboy.ingest.models import Checkpoint, GithubRepo, IngestRun
from paperboy.ingest.runs import ingest_run


def test_runs_checkpoints_and_repositories_are_listed_read_only(admin_client, db):
    with ingest_run("hf-daily-papers", args={"date": "2025-11-05"}) as run:
        run.result.fail("2511.02755", "githubRepo 'javascript:x' is not a URL")
    checkpoint = Checkpoint.objects.create(
        key=f"arxiv-backfill:cs.CL:{date(2025, 11, 1)}:{date(2025, 11, 14)}",
        state={"window": "2025-11-08", "offset": 4},
    )
    repo = GithubRepo.objects.create(name="example-lab/mmrag", stars=12)
    pages = {
        "ingestrun": IngestRun.objects.get().pk,
        "checkpoint": checkpoint.pk,
        "githubrepo": repo.pk,
    }
    for model, pk in pages.items():
        listing = admin_client.get(f"/admin/ingest/{model}/")
        assert listing.status_code == 200, model
        assert admin_client.get(f"/admin/ingest/{model}/{pk}/change/").status_code == 200, model
        assert admin_client.get(f"/admin/ingest/{model}/add/").status_code == 403, model
    page = admin_client.get(f"/admin/ingest/ingestrun/{pages['ingestrun']}/change/").content
    assert b"2511.02755: githubRepo" in page  # the failures, with their reasons
    assert b'name="message"' not in page  # shown, not editable
