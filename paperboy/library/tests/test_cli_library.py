"""``paperboy papers save``, ``paperboy library ls|export`` (this machine's database, and a
live server with a token) and ``paperboy tokens create``."""

import json

import bibtexparser
import pytest

from paperboy.accounts.tokens import ApiToken
from paperboy.cli import main
from paperboy.library import services
from paperboy.library.models import SavedPaper
from paperboy.testing import make_paper

pytestmark = pytest.mark.django_db(transaction=True)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def papers(db):
    return [make_paper(arxiv_id=f"2507.0000{n}", title=f"Paper {n}") for n in range(1, 4)]


def test_save_ls_and_export_on_this_machine(capsys, alice, papers, tmp_path):
    code, out, _ = run(capsys, "papers", "save", "https://arxiv.org/abs/2507.00002v1",
                       "--user", "alice")  # fmt: skip
    assert (code, out) == (0, "Saved 2507.00002 to alice's reading list.\n")
    run(capsys, "papers", "save", "2507.00001", "--user", "alice")
    run(capsys, "papers", "save", "2507.00001", "--user", "alice")  # twice: nothing new
    assert SavedPaper.objects.filter(member=alice).count() == 2

    code, out, _ = run(capsys, "library", "ls", "--user", "alice", "--json")
    assert [row["id"] for row in json.loads(out)] == ["2507.00001", "2507.00002"]

    target = tmp_path / "alice.bib"
    code, _, err = run(capsys, "library", "export", "--user", "alice", "-o", str(target))
    assert code == 0 and "Wrote" in err
    entries = bibtexparser.parse_string(target.read_text()).entries
    assert [e["eprint"] for e in entries] == ["2507.00001", "2507.00002"]


def test_a_collection_exports_by_its_hub_id(capsys, alice, papers):
    collection = services.create_collection(by=alice, title="Picks")
    services.add_items(collection, by=alice, paper_ids=[papers[2].pk, papers[0].pk])

    code, out, _ = run(capsys, "library", "export", "--user", "alice", "--collection",
                       collection.hub_slug, "--format", "json")  # fmt: skip

    assert code == 0
    assert [i["number"] for i in json.loads(out)] == ["arXiv:2507.00003", "arXiv:2507.00001"]


def test_another_members_private_collection_is_not_exported(capsys, alice, bob, papers):
    collection = services.create_collection(by=alice, title="Secret")

    code, _, err = run(capsys, "library", "export", "--user", "bob", "--collection",
                       collection.hub_slug)  # fmt: skip

    assert code == 2 and "There is no such collection." in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["papers", "save", "2507.00001"], "say whose reading list"),
        (["papers", "save", "2507.00001", "--user", "nobody"], "no account named 'nobody'"),
        (["papers", "save", "2507.99999", "--user", "alice"], "Paper 2507.99999 not found."),
        (["library", "ls"], "say whose library"),
        (["library", "ls", "--user", "alice", "--limit", "0"], "--limit must be between"),
        (["library", "ls", "--endpoint", "http://x.invalid"], "needs --token"),
        (["tokens", "create", "nobody"], "no account named 'nobody'"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(capsys, alice, papers, argv, message):
    code, out, err = run(capsys, *argv)

    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_tokens_create_prints_the_token_once_and_it_works(capsys, alice, papers, live_server):
    code, out, err = run(capsys, "tokens", "create", "alice", "--name", "scripts")

    token = out.strip()
    assert code == 0 and token.startswith("pb_") and "shown once" in err
    stored = ApiToken.objects.get(user=alice)
    assert stored.name == "scripts" and token not in (stored.digest, stored.prefix)

    url = live_server.url
    code, out, _ = run(capsys, "papers", "save", "2507.00003", "--endpoint", url, "--token", token)
    assert (code, out) == (0, "Saved 2507.00003 to your reading list.\n")
    code, out, _ = run(capsys, "library", "ls", "--endpoint", url, "--token", token)
    assert out.startswith("  2507.00003")
    code, out, _ = run(capsys, "library", "export", "--endpoint", url, "--token", token,
                       "--format", "ris")  # fmt: skip
    assert code == 0 and "arXiv:2507.00003" in out
    code, _, err = run(capsys, "library", "ls", "--endpoint", url, "--token", "pb_wrong")
    assert code == 2 and "answered 401" in err
