"""The relevance floor (a query nothing matches well gets "no close matches" and the nearest
papers by meaning, labelled) and each hit's own reason (its matched words, or the sentence of
its abstract closest in meaning to the query)."""

from django.urls import reverse

from paperboy.search import engine
from paperboy.search.engine import search
from paperboy.search.views import why_html
from paperboy.testing import make_paper

LAY = "machines that copy how we pick stuff up after seeing us do it on film"


def test_gibberish_has_no_close_match_and_offers_the_nearest_by_meaning(corpus):
    results = search("qwxzvplorknik")
    assert results.hits == [] and results.total == 0
    assert 0 < len(results.nearest) <= engine.NEAREST
    assert {h.why for h in results.nearest} == {"nearest in meaning"}


def test_a_query_of_stop_words_has_no_close_match(corpus):
    results = search("the")
    assert results.hits == [] and results.total == 0
    assert results.nearest


def test_real_queries_clear_the_floor(corpus):
    assert search("protein structure diffusion").hits[0].paper.arxiv_id == "2501.10002"
    assert search(LAY).hits[0].paper.arxiv_id == "2501.10003"
    assert search("qwxzvplorknik protein").hits[0].paper.arxiv_id == "2501.10002"


def test_the_page_says_no_close_matches_and_labels_the_nearest(client, corpus):
    html = client.get(reverse("search:search"), {"q": "qwxzvplorknik"}).content.decode()
    assert "No close matches" in html
    assert "Nearest by meaning" in html and "(not close matches)" in html
    assert "nearest in meaning (not a close match)" in html
    assert " results for" not in html


def test_the_api_answers_an_empty_list_when_nothing_is_close(client, corpus):
    response = client.get("/api/papers/search", {"q": "qwxzvplorknik"})
    assert response.status_code == 200
    assert response.json() == []
    assert client.get("/api/papers/search", {"q": "protein folding"}).json()


def test_a_word_hit_says_which_of_the_query_words_it_contains(corpus):
    hit = search("protein structure diffusion").hits[0]
    assert set(hit.matched) == {"protein", "structure", "diffusion"}
    html = why_html(hit)
    assert "<mark>protein</mark>" in html and "<mark>diffusion</mark>" in html


def test_a_meaning_hit_quotes_its_sentence_closest_to_the_query(db):
    paper = make_paper(
        title="Two Studies",
        abstract="Protein folding is predicted from amino-acid sequences. "
        "Robots learn to grab household objects by watching videos of people.",
    )
    closest = engine.closest_sentences(LAY, [paper])
    assert closest[paper.pk].startswith("Robots learn to grab")
    hit = engine.Hit(paper=paper, score=1.0, why="similar meaning")
    html = why_html(hit, closest[paper.pk])
    assert html.startswith("similar in meaning to your query: “Robots learn to grab")


def test_hits_on_one_page_give_their_own_reasons(client, corpus):
    html = client.get(reverse("search:search"), {"q": "learning models data"}).content.decode()
    reasons = [
        part.split("</p>")[0]
        for part in html.split('<p class="why"><span>Why it\'s here:</span>')[1:]
    ]
    assert len(reasons) >= 2
    assert len(set(reasons)) >= 2  # not one fixed phrase for every hit


def test_a_page_s_sentences_are_embedded_on_one_thread(db, monkeypatch):
    """The batch session runs on every core and its idle threads spin after each call: a web
    request embedding a page's sentences must not take the machine (issue 18, under load)."""
    from paperboy.search.embeddings import get_embedder

    paper = make_paper(
        title="Two More Studies",  # an abstract of its own: none of its sentences cached
        abstract="Protein folding is predicted from amino-acid sequences alone. "
        "Robots learn to grab household objects by watching videos of people at home.",
    )
    monkeypatch.setattr(get_embedder(), "session", None)  # the batch session: not to be used
    closest = engine.closest_sentences(LAY, [paper])
    assert closest[paper.pk].startswith("Robots learn to grab")


SKILLS = (
    "We study how agents acquire skills. "
    "Large language models are pretrained on web text and then fine-tuned with human feedback "
    "to follow instructions. "
    "A robot arm is taught to pick up cups and fold towels from a few videos of people doing "
    "the same chores in their kitchens. "
    "Our method needs no rewards. "
    "It outperforms behaviour cloning on 12 of 14 tasks. "
    "Code is released."
)


def test_the_sentence_picked_is_the_closest_in_meaning_and_embedded_once(db, monkeypatch):
    """The sentence the padded batches picked (scores 0.32 0.28 0.55 0.11 0.38 0.19 for LAY),
    picked the same without padding; a paper's sentences are embedded once across searches,
    again when its abstract changes (issue 18: the search page's CPU)."""
    from paperboy.search.embeddings import get_embedder

    embedder = get_embedder()
    calls = []
    embed_here = embedder.embed_here
    monkeypatch.setattr(
        embedder, "embed_here", lambda texts: calls.append(texts) or embed_here(texts)
    )
    paper = make_paper(title="Skills From Videos", abstract=SKILLS)
    other = make_paper(title="Folding", abstract="Protein folding is predicted from sequences.")
    first = engine.closest_sentences(LAY, [paper])
    assert first[paper.pk].startswith("A robot arm is taught to pick up cups")
    again = engine.closest_sentences("robots imitating people from video", [paper, other])
    assert again[paper.pk].startswith("A robot arm is taught")
    assert calls == [engine.sentences(SKILLS), [other.abstract]]  # SKILLS's sentences once
    paper.abstract = SKILLS.replace("Code is released.", "Robots copy people seen on film.")
    engine.closest_sentences(LAY, [paper])
    assert len(calls) == 3 and "Robots copy people seen on film." in calls[2]


def test_a_query_vector_waits_for_a_few_papers_sentences_not_a_page_s(db, monkeypatch):
    """The embedding thread is one per process and also computes every search's query vector:
    a page's sentences go to it a few papers at a time, so a query asked meanwhile runs after
    the current few (issue 18: a page's ~140 sentences held other searches for 1-3 s)."""
    from paperboy.search.embeddings import get_embedder

    embedder = get_embedder()
    turns = []
    embed_here = embedder.embed_here

    def recording(texts):
        if not turns:  # another search asks for its query vector while the first few run
            engine._embedding_pool().submit(turns.append, "query vector")
        turns.append(len(texts))
        return embed_here(texts)

    monkeypatch.setattr(embedder, "embed_here", recording)
    papers = [
        make_paper(title=f"Study {n}", abstract=f"Study {n} has one finding. It is number {n}.")
        for n in range(engine.SENTENCE_TURN + 2)
    ]
    closest = engine.closest_sentences(LAY, papers)
    assert turns == [2 * engine.SENTENCE_TURN, "query vector", 4]
    assert set(closest) == {p.pk for p in papers}
