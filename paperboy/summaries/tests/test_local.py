"""The local method: TL;DR and keyphrases with the shipped model, and any input survives."""

import pytest

from paperboy.search.embeddings import OnnxEmbedder, paper_text
from paperboy.summaries import local

TITLE = "Adaptive Loss Scaling for Mixed Precision Training"
ABSTRACT = (
    "Mixed precision training (MPT) is becoming a practical technique to improve the speed and "
    "energy efficiency of training deep neural networks by leveraging the fast hardware support "
    "for IEEE half-precision floating point that is available in existing GPUs [3, 4]. MPT is "
    "typically used in combination with a technique called loss scaling. In this paper, we "
    "introduce a loss scaling-based training method called adaptive loss scaling that makes MPT "
    "easier and more practical to use, by removing the need to tune a model-specific loss scale "
    "hyperparameter. We present experimental results on a variety of networks and tasks."
)


@pytest.fixture(scope="module")
def embedder():
    return OnnxEmbedder()


@pytest.fixture(scope="module")
def vectors(embedder):
    return local.TokenVectors(embedder)


def summarize(vectors, title, abstract, vector=None):
    (extras,) = local.summarize_batch([(title, abstract, vector)], vectors)
    return extras


def test_a_normal_abstract_gets_a_short_standalone_tldr_and_keyphrases(embedder, vectors):
    vector = embedder.embed([paper_text(TITLE, ABSTRACT)])[0]
    extras = summarize(vectors, TITLE, ABSTRACT, vector)
    words = extras.summary.split()
    assert 5 <= len(words) <= local.MAX_WORDS
    assert "adaptive loss scaling" in extras.summary.lower()
    assert " we " not in f" {extras.summary.lower()} " and "[3" not in extras.summary
    assert extras.summary.endswith(".")
    assert local.MIN_KEYWORDS <= len(extras.keywords) <= local.MAX_KEYWORDS
    assert any("loss scaling" in k for k in extras.keywords)
    assert len({k.lower() for k in extras.keywords}) == len(extras.keywords)


def test_it_works_without_a_stored_vector(vectors):
    extras = summarize(vectors, TITLE, ABSTRACT)
    assert extras.summary and len(extras.keywords) >= local.MIN_KEYWORDS


@pytest.mark.parametrize(
    "abstract",
    [
        "",
        "   ",
        "Transformers",
        r"$\alpha + \beta = \gamma$ $$\int_0^1 f(x)\,dx$$ \begin{equation} x^2 \end{equation}",
        r"\textbf{{{{ \unclosed $ \frac{ ^^ _ }",
        "Nous proposons une nouvelle méthode d'apprentissage profond pour la traduction "
        "automatique des langues à faibles ressources, évaluée sur dix paires de langues.",
        "本文提出了一种新的深度学习方法用于低资源语言的机器翻译。",
        "<p>An <b>HTML</b> abstract &amp; entities</p>",
        "\x00\x01 control characters \ud800",
    ],
)
def test_bad_input_gives_a_sensible_result_or_none(vectors, abstract):
    extras = summarize(vectors, "", abstract)
    assert isinstance(extras.summary, str) and isinstance(extras.keywords, list)
    assert len(extras.summary.split()) <= local.MAX_WORDS
    assert "\\" not in extras.summary and "$" not in extras.summary
    assert "<" not in extras.summary


def test_another_language_gets_nothing_rather_than_english_rules(vectors):
    extras = summarize(
        vectors,
        "Une nouvelle méthode",
        "Nous proposons une nouvelle méthode d'apprentissage profond pour la traduction "
        "automatique des langues à faibles ressources, évaluée sur dix paires de langues.",
    )
    assert extras == local.Extras()


def test_a_20000_character_abstract_is_read_up_to_a_bound(vectors):
    long = " ".join([ABSTRACT] * 40)[:20_000]
    extras = summarize(vectors, TITLE, long)
    assert 0 < len(extras.summary.split()) <= local.MAX_WORDS
    assert len(extras.keywords) >= local.MIN_KEYWORDS


def test_latex_becomes_readable_text():
    text = local.plain_text(
        r"We bound the error by $\mathcal{O}(n^2)$ for $\alpha \geq 0.5$ with \emph{sparse} "
        r"attention~\cite{vaswani2017} (see \url{https://example.org})."
    )
    assert "α≥ 0.5" in text or "α ≥ 0.5" in text
    assert "sparse attention" in text
    assert "\\" not in text and "$" not in text and "cite" not in text and "{" not in text


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("In this paper, we propose a new router.", "Proposes a new router."),
        ("We study sparse attention.", "Studies sparse attention."),
        ("This paper presents a benchmark", "Presents a benchmark."),
        (
            "A router that we call TopK beats our baseline.",
            "A router called TopK beats the baseline.",
        ),
        ("Motivated by this, the authors propose MRPO.", "Proposes MRPO."),
        ("To address these issues, we introduce FooNet.", "Introduces FooNet."),
        ("To bridge this gap, we present BarNet.", "Presents BarNet."),
    ],
)
def test_a_tldr_stands_alone(sentence, expected):
    assert local.standalone(sentence) == expected


def test_a_long_sentence_is_cut_at_a_clause_boundary():
    sentence = (
        "We introduce a loss scaling-based training method called adaptive loss scaling that "
        "makes mixed precision training easier and more practical to use, by removing the need "
        "to tune a model-specific loss scale hyperparameter for every layer and every stage."
    )
    out = local.standalone(sentence)
    assert len(out.split()) <= local.MAX_WORDS
    assert out == (
        "Introduces a loss scaling-based training method called adaptive loss scaling that "
        "makes mixed precision training easier and more practical to use."
    )
