"""The library through the token API: the reading list, collections, and Hugging Face's
collection endpoints driven by the real ``huggingface_hub`` client against a live server.
Private collections and notes are visible to their owner only, whatever token is used."""

import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError

from paperboy.accounts.tokens import ApiToken
from paperboy.api.tests.conftest import bearer
from paperboy.library import services
from paperboy.library.models import Collection, SavedPaper
from paperboy.testing import make_paper


@pytest.fixture
def papers(db):
    return [make_paper(arxiv_id=f"2506.0000{n}", title=f"Paper {n}") for n in range(1, 5)]


@pytest.fixture
def tokens(alice, bob):
    return {
        "alice": ApiToken.issue(user=alice, name="hf")[1],
        "bob": ApiToken.issue(user=bob, name="hf")[1],
    }


@pytest.fixture
def hub(live_server, tokens, monkeypatch):
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    return {
        "alice": HfApi(endpoint=live_server.url, token=tokens["alice"]),
        "bob": HfApi(endpoint=live_server.url, token=tokens["bob"]),
        "visitor": HfApi(endpoint=live_server.url, token=False),
    }


def _status(call) -> int:
    with pytest.raises(HfHubHTTPError) as refused:
        call()
    return refused.value.response.status_code


def test_the_hugging_face_client_runs_a_paper_collection_end_to_end(hub, papers, alice):
    api = hub["alice"]

    made = api.create_collection("Reading group", description="Week 1", private=True)
    assert made.slug.startswith("alice/reading-group-") and made.private and made.items == []
    assert made.description == "Week 1"

    for paper in papers[:3]:
        api.add_collection_item(made.slug, paper.arxiv_id, item_type="paper", note="why")
    assert _status(lambda: api.add_collection_item(made.slug, "2506.00001", item_type="paper"))
    assert (
        _status(lambda: api.add_collection_item(made.slug, "2506.00001", item_type="paper")) == 409
    )
    api.add_collection_item(made.slug, "2506.00001", item_type="paper", exists_ok=True)

    got = api.get_collection(made.slug)
    assert [i.item_id for i in got.items] == ["2506.00001", "2506.00002", "2506.00003"]
    assert {i.item_type for i in got.items} == {"paper"} and got.items[0].note == "why"

    api.update_collection_item(made.slug, got.items[2].item_object_id, note="first", position=0)
    got = api.get_collection(made.slug)
    assert [i.item_id for i in got.items] == ["2506.00003", "2506.00001", "2506.00002"]
    assert got.items[0].note == "first"

    api.delete_collection_item(made.slug, got.items[1].item_object_id)
    assert [i.item_id for i in api.get_collection(made.slug).items] == ["2506.00003", "2506.00002"]

    renamed = api.update_collection_metadata(made.slug, title="Reading group (W1)", private=False)
    assert renamed.title == "Reading group (W1)" and not renamed.private

    assert [c.slug for c in api.list_collections(owner="alice")] == [made.slug]
    assert [c.slug for c in api.list_collections(item="papers/2506.00002")] == [made.slug]
    assert api.create_collection("Reading group (W1)", exists_ok=True).slug == made.slug

    api.delete_collection(made.slug)
    assert not Collection.objects.exists()
    api.delete_collection(made.slug, missing_ok=True)


def test_a_private_collection_is_a_404_to_other_tokens_and_visitors(hub, papers):
    private = hub["alice"].create_collection("Secret", private=True)
    hub["alice"].add_collection_item(private.slug, "2506.00001", item_type="paper")

    for who in ("bob", "visitor"):
        assert _status(lambda: hub[who].get_collection(private.slug)) == 404, who  # noqa: B023
        assert list(hub[who].list_collections(owner="alice")) == [], who
    bob = hub["bob"]
    assert _status(lambda: bob.add_collection_item(private.slug, "2506.00002", "paper")) == 404
    assert _status(lambda: bob.delete_collection(private.slug)) == 404
    assert Collection.objects.get().items.count() == 1


def test_a_public_collection_is_read_by_anyone_and_changed_by_its_owner_only(hub, papers):
    public = hub["alice"].create_collection("Open list", private=False)
    hub["alice"].add_collection_item(public.slug, "2506.00001", item_type="paper")

    assert [i.item_id for i in hub["visitor"].get_collection(public.slug).items] == ["2506.00001"]
    bob = hub["bob"]
    assert _status(lambda: bob.add_collection_item(public.slug, "2506.00002", "paper")) == 403
    assert _status(lambda: hub["visitor"].create_collection("Nope", namespace="alice")) == 401


def test_only_papers_can_be_added(hub, papers):
    made = hub["alice"].create_collection("Models?")

    assert _status(lambda: hub["alice"].add_collection_item(made.slug, "gpt2", "model")) == 400


def test_the_reading_list_through_the_api(client, alice, papers, tokens):
    auth = bearer(tokens["alice"])

    saved = client.put(
        "/api/library/2506.00002",
        {"read": True, "note": "<b>mine</b>"},
        content_type="application/json",
        **auth,
    )
    client.put("/api/library/arXiv:2506.00001", content_type="application/json", **auth)

    assert saved.status_code == 200 and saved.json()["read"] is True
    listed = client.get("/api/library?sort=title", **auth).json()
    assert [s["id"] for s in listed] == ["2506.00001", "2506.00002"]
    assert listed[1]["note"] == "<b>mine</b>"
    exported = client.get("/api/library/export.bib", **auth)
    assert exported.status_code == 200 and "eprint = {2506.00001}" in exported.content.decode()
    assert client.delete("/api/library/2506.00001", **auth).json() == {"deleted": True}
    assert list(SavedPaper.objects.values_list("paper__arxiv_id", flat=True)) == ["2506.00002"]


def test_another_accounts_token_never_sees_my_notes_or_private_collections(
    client, alice, bob, papers, tokens
):
    services.set_note(member=alice, paper=papers[0], note="private thought")
    secret = services.create_collection(by=alice, title="Secret")
    services.add_item(secret, by=alice, paper=papers[0])
    bob_auth = bearer(tokens["bob"])
    url = f"/api/collections/{secret.hub_slug}"

    assert client.get("/api/library", **bob_auth).json() == []
    assert client.get(url, **bob_auth).status_code == 404
    assert client.get(f"{url}/export.bib", **bob_auth).status_code == 404
    assert client.get(f"{url}/export.bib").status_code == 404
    assert client.get("/api/collections?owner=alice", **bob_auth).json() == []
    assert client.get("/api/library").status_code == 401
    assert client.get("/api/collections", HTTP_AUTHORIZATION="Bearer pb_wrong").status_code == 401
    owner = client.get(f"{url}/export.ris", **bearer(tokens["alice"]))
    assert owner.status_code == 200 and "2506.00001" in owner.content.decode()


def test_an_unknown_reading_list_parameter_is_a_400(client, alice, tokens):
    response = client.get("/api/library?raed=unread", **bearer(tokens["alice"]))

    assert response.status_code == 400
    assert response.json()["error"].startswith("Unknown parameter 'raed'")


def test_the_collection_endpoints_are_in_the_openapi_document(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]

    for path in (
        "/api/collections",
        "/api/collections/{owner}/{slug}",
        "/api/collections/{owner}/{slug}/items",
        "/api/collections/{owner}/{slug}/items/{item_id}",
        "/api/collections/{owner}/{slug}/export.{ext}",
        "/api/library",
        "/api/library/{arxiv_id}",
        "/api/library/export.{ext}",
    ):
        assert path in paths, path
    created = paths["/api/collections"]["post"]["responses"]["409"]
    assert created["content"]["application/json"]["schema"]["$ref"].endswith("/SlugOut")


def test_references_import_through_the_api(client, alice, bob, papers, tokens, settings):
    settings.PAPERBOY_ARXIV_API_URL = ""
    auth = bearer(tokens["alice"])
    target = services.create_collection(by=alice, title="Imported")
    bibtex = (
        "@misc{a, eprint={2506.00003}}\n@misc{b, title={Broken {brace}\n"
        "@misc{c, url={https://arxiv.org/abs/2506.00001}}\n@misc{d, eprint={2506.09999}}\n"
    )

    response = client.post(
        "/api/library/import",
        {"text": bibtex, "collection": target.hub_slug},
        content_type="application/json",
        **auth,
    )

    assert response.status_code == 200
    body = response.json()
    assert body["format"] == "BibTeX" and body["added"] == 2
    assert [(e["label"], e["status"], e["id"]) for e in body["entries"]] == [
        ("a", "matched", "2506.00003"),
        ("@misc{b, title={Broken {brace}", "unmatched", None),
        ("c", "matched", "2506.00001"),
        ("d", "unmatched", None),
    ]
    assert "not in this site's catalog" in body["entries"][3]["reason"]
    assert list(target.items.in_order().values_list("paper__arxiv_id", flat=True)) == [
        "2506.00003",
        "2506.00001",
    ]
    again = client.post(
        "/api/library/import",
        {"text": bibtex, "collection": target.hub_slug},
        content_type="application/json",
        **auth,
    )
    assert again.json()["added"] == 0
    theirs = client.post(
        "/api/library/import",
        {"text": "2506.00002", "collection": target.hub_slug},
        content_type="application/json",
        **bearer(tokens["bob"]),
    )
    assert theirs.status_code == 404
    too_big = client.post(
        "/api/library/import",
        {"text": " ".join(["2506.00001"] * 10_001)},
        content_type="application/json",
        **auth,
    )
    assert too_big.status_code == 413 and "over 65536 bytes" in too_big.json()["error"]
