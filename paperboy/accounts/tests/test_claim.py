"""POST /papers/<arxiv_id>/claim: claiming authorship, the auto-approval rules, the profile."""

import pytest
from allauth.account.models import EmailAddress

from paperboy.accounts.claims import DomainRule, parse_rules
from paperboy.accounts.models import AuthorClaim
from paperboy.papers.models import Author
from paperboy.testing import make_entry, make_paper


@pytest.fixture
def paper(db):
    return make_paper(arxiv_id="2510.40001", authors=["Ada Lovelace", "Alan Turing"])


def ada():
    return Author.objects.get(name="Ada Lovelace")


def test_a_claim_waits_for_an_admin(client, alice, paper):
    client.force_login(alice)

    response = client.post("/papers/2510.40001/claim", {"author": ada().pk, "note": "it's me"})

    assert response.status_code == 302
    claim = AuthorClaim.objects.get()
    assert (claim.user, claim.author, claim.status, claim.note) == (
        alice,
        ada(),
        "pending",
        "it's me",
    )
    html = client.get("/papers/2510.40001").content.decode()
    assert "waiting for an admin" in html
    assert 'class="verified"' not in html


def test_a_verified_domain_rule_approves_at_once(client, alice, paper, settings):
    settings.PAPERBOY_CLAIM_AUTO_DOMAINS = "example.org"
    client.force_login(alice)  # alice@example.org, verified

    client.post("/papers/2510.40001/claim", {"author": ada().pk})

    claim = AuthorClaim.objects.get()
    assert claim.status == "approved" and "example.org" in claim.auto_rule
    html = client.get("/papers/2510.40001").content.decode()
    assert 'href="/u/alice" title="Verified author: @alice"' in html
    assert paper.title in client.get("/u/alice").content.decode()


def test_an_unverified_address_does_not_count(client, charlie, paper, settings):
    settings.PAPERBOY_CLAIM_AUTO_DOMAINS = "example.net"
    client.force_login(charlie)  # charlie@example.net, not verified

    client.post("/papers/2510.40001/claim", {"author": ada().pk})

    assert AuthorClaim.objects.get().status == "pending"


def test_an_organization_rule_vouches_only_for_that_organizations_papers(
    client, alice, example_lab, settings
):
    settings.PAPERBOY_CLAIM_AUTO_DOMAINS = "example.org:example-lab"
    theirs = make_paper(arxiv_id="2510.40002", authors=["Ada Lovelace"])
    make_entry(theirs, organization=example_lab)
    make_paper(arxiv_id="2510.40003", authors=["Ada Lovelace"])
    client.force_login(alice)

    client.post("/papers/2510.40002/claim", {"author": ada().pk})
    client.post("/papers/2510.40003/claim", {"author": ada().pk})

    statuses = dict(AuthorClaim.objects.values_list("paper__arxiv_id", "status"))
    assert statuses["2510.40002"] == "approved"
    # …and the earlier approved claim on the same author vouches for the next paper.
    assert statuses["2510.40003"] == "approved"
    assert (
        "earlier approved claim" in AuthorClaim.objects.get(paper__arxiv_id="2510.40003").auto_rule
    )


def test_rules_parse_and_match():
    rules = parse_rules(" tau.ac.il:tau , @example.org,, ")
    assert rules == [DomainRule("tau.ac.il", "tau"), DomainRule("example.org")]
    assert rules[0].matches("cs.tau.ac.il", {"tau"})
    assert not rules[0].matches("tau.ac.il", {"other"})
    assert not rules[1].matches("notexample.org", set())


def test_a_rejected_claim_is_resubmitted_with_a_note(client, alice, paper):
    claim = AuthorClaim.objects.create(
        user=alice, paper=paper, author=ada(), status="rejected", decision_note="who?"
    )
    client.force_login(alice)
    assert "who?" in client.get("/papers/2510.40001").content.decode()

    without_note = client.post("/papers/2510.40001/claim", {"author": ada().pk})
    assert without_note.status_code == 400 and "add a note" in without_note.content.decode()

    client.post("/papers/2510.40001/claim", {"author": ada().pk, "note": "see my homepage"})
    claim.refresh_from_db()
    assert claim.status == "pending" and claim.note == "see my homepage"


@pytest.mark.parametrize(
    ("author", "status", "message"),
    [
        ("999999", 404, "is not among this paper"),
        ("", 400, "Choose one of the paper"),
        ("ada", 400, "Choose one of the paper"),
    ],
)
def test_claims_on_authors_the_paper_does_not_list_are_refused(
    client, alice, paper, author, status, message
):
    make_paper(authors=["Someone Else"])
    client.force_login(alice)

    response = client.post("/papers/2510.40001/claim", {"author": author})

    assert response.status_code == status and message in response.content.decode()
    assert not AuthorClaim.objects.exists()


def test_an_oversized_note_is_refused(client, alice, paper):
    client.force_login(alice)

    response = client.post("/papers/2510.40001/claim", {"author": ada().pk, "note": "n" * 1001})

    assert response.status_code == 400
    assert "at most 1,000 characters" in response.content.decode()
    assert not AuthorClaim.objects.exists()


def test_an_author_of_another_paper_is_not_claimable_here(client, alice, paper):
    make_paper(authors=["Someone Else"])
    other = Author.objects.get(name="Someone Else")
    client.force_login(alice)

    response = client.post("/papers/2510.40001/claim", {"author": other.pk})

    assert response.status_code == 404 and not AuthorClaim.objects.exists()


def test_one_claim_per_paper_and_no_claim_on_a_taken_author(client, alice, bob, paper):
    AuthorClaim.objects.create(user=bob, paper=paper, author=ada(), status="approved")
    client.force_login(alice)

    taken = client.post("/papers/2510.40001/claim", {"author": ada().pk})
    assert taken.status_code == 409 and "already been claimed" in taken.content.decode()

    turing = Author.objects.get(name="Alan Turing")
    client.post("/papers/2510.40001/claim", {"author": turing.pk})
    twice = client.post("/papers/2510.40001/claim", {"author": turing.pk})
    assert twice.status_code == 409
    assert AuthorClaim.objects.filter(user=alice).count() == 1


def test_visitors_hidden_and_unknown_papers(client, alice, db):
    make_paper(arxiv_id="2510.40009", hidden=True)
    assert client.post("/papers/2510.40009/claim", {"author": 1}).status_code in (302, 404)
    client.force_login(alice)
    assert client.post("/papers/2510.40009/claim", {"author": 1}).status_code == 404
    assert client.post("/papers/2510.49999/claim", {"author": 1}).status_code == 404
    assert not AuthorClaim.objects.exists()


def test_claims_are_rate_limited(client, alice, settings):
    settings.PAPERBOY_RATE_LIMITS = {"claim": {"user": "1/h", "ip": "100/h"}}
    make_paper(arxiv_id="2510.40011", authors=["Ada Lovelace"])
    make_paper(arxiv_id="2510.40012", authors=["Ada Lovelace"])
    client.force_login(alice)

    client.post("/papers/2510.40011/claim", {"author": ada().pk})
    response = client.post("/papers/2510.40012/claim", {"author": ada().pk})

    assert (
        response.status_code == 429
        and "at most 1 claim per hour from one account" in response.content.decode()
    )
    assert AuthorClaim.objects.count() == 1


def test_unverified_email_domains_are_listed_separately(charlie):
    assert charlie.verified_domains() == set()
    EmailAddress.objects.filter(user=charlie).update(verified=True)
    assert charlie.verified_domains() == {"example.net"}
