"""The local summary method: a one-sentence TL;DR and 5–10 keyphrases from a paper's title and
abstract, offline, with the shipped embedding model as the only model (no ORM, no network).

- ``plain_text``: an abstract's LaTeX and HTML as readable plain text (``$\\alpha$`` → α,
  ``\\emph{x}`` → x, citations dropped).
- ``TokenVectors``: static vectors for the embedder's word pieces, each computed once by the
  embedder itself (one piece alone, mean-pooled, the Model2Vec idea), so that a phrase or a
  sentence gets a vector in the space of the paper's own embedding for the price of a table
  lookup: a full model call per candidate phrase would be ~40 calls per paper
  (bench/ai_extras.py measures both).
- ``summarize_batch``: for each paper, the TL;DR (the abstract sentence that best matches the
  title and the paper's embedding, with its "we propose…" made to stand alone and cut to
  ``MAX_WORDS`` at a clause boundary) and the keyphrases (runs of content words ranked against
  the paper's embedding with frequency, position and title features, picked with maximal
  marginal relevance, KeyBERT-style).

Weights are the ones ``python bench/ai_extras.py --tune`` chose on the tuning halves of the
labelled sets in ``../shared/data/summaries`` (the figures it reports are on the other halves).
Any input (empty, one word, all LaTeX, 20,000 characters, another language) gives a result or
nothing, never an exception.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from paperboy.lib.text import clean_text

log = logging.getLogger(__name__)

MAX_WORDS = 30  # a TL;DR is one line on a card
MAX_INPUT_CHARS = 6000  # longer abstracts are read up to here (a 20,000-character one too)
MIN_KEYWORDS, MAX_KEYWORDS = 5, 10
METHOD = "paperboy-local-2"  # stored as ai_summary_model; bump when the method changes


@dataclass(frozen=True)
class KeyphraseWeights:
    similarity: float = 1.0  # cosine with the paper's embedding
    frequency: float = 0.1  # log(1 + occurrences)
    position: float = 0.15  # 1 for the first word of the text, 0 for the last
    title: float = 0.15  # the phrase appears in the title
    length: float = 0.05  # per word beyond the first (up to 3 words)
    # MMR: the redundancy penalty for a phrase's vector close to a chosen one's (0: the tuning
    # preferred none, the static vectors of "graph neural network" and "neural network" being
    # close while both are good keys) and for words shared with a chosen phrase.
    diversity: float = 0.0
    whole: float = 0.2  # the phrase is a whole run of content words, not a piece of one
    overlap: float = 0.3


@dataclass(frozen=True)
class SentenceWeights:
    title: float = 1.0  # cosine with the title's vector
    document: float = 0.5  # cosine with the paper's embedding
    position: float = 0.1  # earlier sentences first (1 / (1 + index))
    cue: float = 0.15  # "we propose", "this paper introduces"…
    short: float = 0.1  # penalty per 10 words past MAX_WORDS
    title_words: float = 0.3  # share of the title's content words the sentence has


KEYPHRASE_WEIGHTS = KeyphraseWeights()
SENTENCE_WEIGHTS = SentenceWeights()


@dataclass
class Extras:
    summary: str = ""
    keywords: list[str] = field(default_factory=list)


# --- plain text -------------------------------------------------------------------------

_CITE = re.compile(r"~?\\(?:cite[tp]?|ref|eqref|autoref|cref|Cref|label|footnote)\*?\s*\{[^{}]*\}")
_URL_CMD = re.compile(r"\\(?:url|href)\s*\{([^{}]*)\}(?:\{([^{}]*)\})?")
_BRACKET_REFS = re.compile(r"\s*\[\s*\d+(?:\s*[,–-]\s*\d+)*\s*\]")
_LATEX_HINT = re.compile(r"[\\$]")
_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?)\]])")


def plain_text(value: str) -> str:
    """``value`` (a title or an abstract as stored) as readable plain text on one line."""
    value = clean_text(value or "")[: MAX_INPUT_CHARS * 2]
    if _LATEX_HINT.search(value):
        value = _CITE.sub("", value)
        value = _URL_CMD.sub(lambda m: m.group(2) or m.group(1), value)
        value = _latex_to_text(value)
    value = _BRACKET_REFS.sub("", value)
    value = _SPACES.sub(" ", value)
    return _SPACE_BEFORE_PUNCT.sub(r"\1", value).strip()


def _latex_to_text(value: str) -> str:
    try:
        from pylatexenc.latex2text import LatexNodes2Text

        text = LatexNodes2Text(math_mode="text", strict_latex_spaces=False).latex_to_text(value)
    except Exception:  # noqa: BLE001 - a parser bug must not stop a summary: strip instead
        log.info("pylatexenc could not read an abstract; stripping its markup", exc_info=True)
        text = re.sub(r"\\[A-Za-z]+\*?|[{}$^_]", " ", value)
    return text.replace("<cit.>", "")


# --- words, sentences, candidates -------------------------------------------------------


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _wordset(
    """a about above across after again against all almost alone along already also although
    always am among an and another any anyone anything are around as at be became because
    become been before being below between both but by can cannot could did do does doing done
    down due during each either else enough etc even ever every few for from further get gets
    given gives had has have having he her here hers herself him himself his how however i if
    in into is it its itself just least less like made make makes many may me might more most
    much must my myself neither no nor not now of off often on once one only onto or other
    others otherwise our ours ourselves out over own per perhaps rather same several shall she
    should since so some such than that the their theirs them themselves then there therefore
    these they this those though through thus to too toward towards under until up upon us very
    via was we well were what whatever when where whether which while who whom whose why will
    with within without would yet you your yours yourself yourselves"""
)
# Words that start or end no keyphrase: reporting verbs, vague adjectives, paper talk.
_WEAK = _wordset(
    """able achieve achieves achieved achieving addition additionally allow allows allowed
    apply applied applies applying approach approaches based better best called can certain
    challenge challenging compare compared comparing consider considered consists demonstrate
    demonstrated demonstrates describe described describes design designed develop developed
    different discuss discussed effective effectively efficient enable enables especially
    existing experiment experiments experimental extensive find finds first focus found further
    furthermore general good high higher important improve improved improves improving
    including increase increasing introduce introduced introduces investigate investigated key
    large larger last leads leverage leverages low lower main major many method methods moreover
    much new novel obtain obtained often outperform outperforms paper particular particularly
    performance present presented presents previous problem problems propose proposed proposes
    provide provided provides recent recently related requires result results second show showed
    shown shows significant significantly simple state study studied studies successfully
    superior task tasks three two use used uses using various way well work works need needs
    gap future overview"""
)
_TOKEN = re.compile(r"[^\W\d_][\w'’-]*[\w]|[^\W\d_]|\d+(?:\.\d+)?[^\W\d_]*|[^\w\s]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“(]?[A-Z0-9])")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def sentences(text: str) -> list[str]:
    """``text`` cut into sentences (a full stop, ! or ? followed by a capital or a digit;
    "e.g." and "et al." do not end one)."""
    text = re.sub(r"\b(e\.g|i\.e|et al|cf|vs|etc|Fig|Eq|Sec|resp)\.", r"\1<DOT>", text)
    parts = _SENTENCE_END.split(text)
    return [p.replace("<DOT>", ".").strip() for p in parts if p.strip()]


def is_english(text: str) -> bool:
    """Whether ``text`` reads as English (enough common English words among its words): the
    method's word lists and rules are English ones."""
    found = [w.lower() for w in _TOKEN.findall(text[:3000]) if w[0].isalpha()]
    if len(found) < 3:
        return bool(found) and all(w.isascii() for w in found)
    common = sum(w in STOPWORDS for w in found)
    return common / len(found) >= 0.15


def stem(word: str) -> str:
    """A light stem for telling phrases apart (plural and a few suffixes): "networks" and
    "network" are one keyphrase."""
    w = word.lower()
    for suffix, keep in (("ies", "y"), ("sses", "ss"), ("es", "e"), ("s", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not w.endswith("ss"):
            return w[: len(w) - len(suffix)] + keep
    return w


def _chunks(text: str) -> list[tuple[list[str], int]]:
    """Runs of content words (no stopword, punctuation or number inside), with the index of
    their first word among the text's words."""
    out: list[tuple[list[str], int]] = []
    run: list[str] = []
    start = 0
    index = 0
    for tok in tokens(text):
        word = tok[0].isalpha() and tok.lower() not in STOPWORDS and len(tok) > 1
        if word:
            if not run:
                start = index
            run.append(tok)
        elif run:
            out.append((run, start))
            run = []
        if tok[0].isalnum():
            index += 1
    if run:
        out.append((run, start))
    return out


# Endings of adverbs, participles and adjectives: a keyphrase ends with a noun ("neural
# network", not "neural"); the nouns among such words are listed.
_ADJECTIVE_END = re.compile(r"(?:ly|ed|ive|ous|able|ible|ful|less|ical|ial|ar|ant|ent|al)$")
_NOUNS_LIKE_ADJECTIVES = _wordset(
    """signal interval material potential terminal journal proposal tutorial arrival removal
    retrieval survival trial animal manual capital portal total integral differential
    polynomial individual principal rival mineral chemical seed speed need feed bed embed
    agent gradient component element environment experiment document segment measurement
    management treatment assessment alignment deployment development equipment statement
    patient student client content event agreement argument instrument investment solvent
    constant variant tenant percent plant participant descendant grammar seminar radar
    calendar bar scalar polar molar cellular lunar sonar collar pillar dollar vinegar war
    star car solar linear nuclear"""
)


def _not_a_noun(word: str) -> bool:
    w = word.lower()
    return w.isalpha() and bool(_ADJECTIVE_END.search(w)) and w not in _NOUNS_LIKE_ADJECTIVES


@dataclass
class Candidate:
    words: list[str]
    first: int
    count: int = 1
    in_title: bool = False
    whole: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.words)


def candidates(title: str, body: str, *, max_words: int = 4) -> list[Candidate]:
    """Keyphrase candidates: the content-word runs of the title and the abstract and their
    sub-runs of up to ``max_words`` words that neither start nor end with a weak word."""
    text = f"{title}. {body}" if title else body
    title_stems = " ".join(stem(w) for w in tokens(title))
    found: dict[str, Candidate] = {}
    for run, start in _chunks(text):
        n = len(run)
        for i in range(n):
            for j in range(i + 1, min(n, i + max_words) + 1):
                words = run[i:j]
                if words[0].lower() in _WEAK or words[-1].lower() in _WEAK:
                    continue
                if _not_a_noun(words[-1]):
                    continue
                key = " ".join(stem(w) for w in words)
                if key in found:
                    found[key].count += 1
                else:
                    found[key] = Candidate(
                        words=list(words),
                        first=start + i,
                        in_title=f" {key} " in f" {title_stems} ",
                    )
                if i == 0 and j == n:
                    found[key].whole = True
    return list(found.values())


# --- vectors ----------------------------------------------------------------------------


class TokenVectors:
    """Static vectors for an embedder's word pieces (or words), computed by the embedder one
    piece at a time on first use and kept (at most the model's vocabulary: 30,522 × 384
    floats, 47 MB, for the shipped model)."""

    MAX_WORDS_KEPT = 100_000  # for embedders without a word-piece tokenizer

    def __init__(self, embedder):
        self.embedder = embedder
        self.dim = embedder.dim
        self.tokenizer = getattr(embedder, "tokenizer", None) if hasattr(embedder, "run") else None
        if self.tokenizer is not None:
            size = self.tokenizer.get_vocab_size()
            self.table = np.zeros((size, self.dim), dtype=np.float32)
            self.have = np.zeros(size, dtype=bool)
        self.words: dict[str, int] = {}  # without a tokenizer: word -> row of self.rows
        self.rows: list[np.ndarray] = []

    @property
    def count(self) -> int:
        return int(self.have.sum()) if self.tokenizer is not None else len(self.words)

    def units(self, texts: list[str]) -> list[np.ndarray]:
        """Each text as its word-piece ids (or words): the units its vector is the mean of."""
        if self.tokenizer is not None:
            encoded = self.tokenizer.encode_batch(texts, add_special_tokens=False)
            return [
                np.array(
                    [i for i, m in zip(e.ids, e.attention_mask, strict=True) if m], dtype=np.int64
                )
                for e in encoded
            ]
        return [np.array([w.lower() for w in t.split()], dtype=object) for t in texts]

    def ensure(self, units: list[np.ndarray]) -> None:
        if self.tokenizer is not None:
            ids = np.unique(np.concatenate(units)) if units else np.zeros(0, dtype=np.int64)
            missing = ids[~self.have[ids]]
            for start in range(0, len(missing), 512):
                part = missing[start : start + 512]
                batch = np.stack([np.full(len(part), 101), part, np.full(len(part), 102)], axis=1)
                feed = {  # [CLS] piece [SEP], as the model sees a one-piece text
                    "input_ids": batch.astype(np.int64),
                    "attention_mask": np.ones_like(batch, dtype=np.int64),
                    "token_type_ids": np.zeros_like(batch, dtype=np.int64),
                }
                self.table[part] = self.embedder.run(feed)
                self.have[part] = True
            return
        missing = sorted({str(w) for u in units for w in u} - self.words.keys())
        if not missing:
            return
        if len(self.words) + len(missing) > self.MAX_WORDS_KEPT:
            self.words, self.rows = {}, []
            missing = sorted({str(w) for u in units for w in u})
        matrix = self.embedder.embed_many(missing, batch_size=256)
        for word, vector in zip(missing, matrix, strict=True):
            self.words[word] = len(self.rows)
            self.rows.append(vector)

    def mean(self, units: np.ndarray) -> np.ndarray | None:
        if not len(units):
            return None
        if self.tokenizer is not None:
            vector = self.table[units].mean(axis=0)
        else:
            vector = np.mean([self.rows[self.words[str(w)]] for w in units], axis=0)
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm > 0 else None


# --- the method -------------------------------------------------------------------------


@dataclass
class _Prepared:
    title: str
    body: str
    sentences: list[str]
    candidates: list[Candidate]
    vector: np.ndarray | None
    english: bool
    texts: list[str] = field(default_factory=list)
    units: dict[str, np.ndarray] = field(default_factory=dict)


def summarize_batch(
    papers: Sequence[tuple[str, str, np.ndarray | None]],
    vectors: TokenVectors,
    *,
    keyphrase_weights: KeyphraseWeights = KEYPHRASE_WEIGHTS,
    sentence_weights: SentenceWeights = SENTENCE_WEIGHTS,
    max_keywords: int = 8,
) -> list[Extras]:
    """The TL;DR and keyphrases of each ``(title, abstract, embedding)``; an embedding of
    ``None`` is made from the title and abstract's own word pieces (same method)."""
    return [
        score(p, vectors, keyphrase_weights, sentence_weights, max_keywords)
        for p in prepare_batch(papers, vectors)
    ]


def prepare_batch(
    papers: Sequence[tuple[str, str, np.ndarray | None]], vectors: TokenVectors
) -> list[_Prepared]:
    """Each paper's plain text, sentences and candidates, with the vectors of their word
    pieces computed (one model call for the whole batch's new pieces)."""
    prepared = []
    for title, abstract, vector in papers:
        try:
            prepared.append(_prepare(title, abstract, vector))
        except Exception:  # noqa: BLE001 - one odd paper must not stop a batch
            log.exception("the local summary could not read %r", (title or "")[:80])
            prepared.append(_Prepared("", "", [], [], None, english=False))
    texts: list[str] = []
    for p in prepared:
        if p.english:
            p.texts = [p.title, *p.sentences, *(c.text for c in p.candidates)]
            if p.vector is None:
                p.texts.append(f"{p.title}. {p.body}")
            texts += p.texts
    units = vectors.units([_content(t) for t in texts]) if texts else []
    vectors.ensure(units)
    position = 0
    for p in prepared:
        if p.english:
            p.units = dict(zip(p.texts, units[position : position + len(p.texts)], strict=True))
            position += len(p.texts)
            if p.vector is None:
                p.vector = vectors.mean(p.units[p.texts[-1]])
    return prepared


def score(
    p: _Prepared,
    vectors: TokenVectors,
    keyphrase_weights: KeyphraseWeights = KEYPHRASE_WEIGHTS,
    sentence_weights: SentenceWeights = SENTENCE_WEIGHTS,
    max_keywords: int = 8,
) -> Extras:
    try:
        return _extras(p, vectors, keyphrase_weights, sentence_weights, max_keywords)
    except Exception:  # noqa: BLE001 - one odd paper must not stop a batch
        log.exception("the local summary failed for %r", p.title[:80])
        return Extras()


def _prepare(title: str, abstract: str, vector: np.ndarray | None) -> _Prepared:
    title = plain_text(title)[:500]
    body = plain_text(abstract)[:MAX_INPUT_CHARS]
    english = is_english(f"{title} {body}") and len(tokens(body)) >= 3
    return _Prepared(
        title=title,
        body=body,
        sentences=sentences(body) if english else [],
        candidates=candidates(title, body) if english else [],
        vector=None if vector is None else np.asarray(vector, dtype=np.float32),
        english=english,
    )


def _content(text: str) -> str:
    return " ".join(w for w in tokens(text) if w[0].isalnum() and w.lower() not in STOPWORDS)


def _extras(
    p: _Prepared,
    vectors: TokenVectors,
    kw: KeyphraseWeights,
    sw: SentenceWeights,
    max_keywords: int,
) -> Extras:
    if not p.english:
        return Extras()
    doc = p.vector
    if doc is None:
        return Extras()
    title_vector = vectors.mean(p.units[p.title]) if p.title else None
    return Extras(
        summary=_tldr(p, vectors, doc, title_vector, sw),
        keywords=_keyphrases(p, vectors, doc, kw, max_keywords),
    )


_CUE = re.compile(
    r"\b(we|this (?:paper|work|article|study)|here,? we|in this (?:paper|work))\b[^.]{0,40}?\b"
    r"(propose|introduce|present|develop|show|describe|design|study|investigate|demonstrate)",
    re.IGNORECASE,
)


def _tldr(
    p: _Prepared,
    vectors: TokenVectors,
    doc: np.ndarray,
    title_vector: np.ndarray | None,
    w: SentenceWeights,
) -> str:
    best, best_score = "", -math.inf
    title_stems = {stem(t) for t in _content(p.title).split()}
    for index, sentence in enumerate(p.sentences[:40]):
        vector = vectors.mean(p.units[sentence])
        if vector is None:
            continue
        words = len(sentence.split())
        if words < 4:
            continue
        score = w.document * float(vector @ doc) + w.position / (1 + index)
        if title_vector is not None:
            score += w.title * float(vector @ title_vector)
        if _CUE.search(sentence):
            score += w.cue
        score -= w.short * max(0, words - MAX_WORDS) / 10
        stems = [stem(t) for t in _content(sentence).split()]
        if title_stems and stems:
            score += w.title_words * len(title_stems & set(stems)) / len(title_stems)
        if score > best_score:
            best, best_score = sentence, score
    if not best and p.sentences:
        best = p.sentences[0]
    return standalone(best)


_LEAD = re.compile(
    r"^(?:(?:in|within) (?:this|the present) (?:paper|work|article|study|note),?\s*"
    r"|here,?\s*|to this end,?\s*|in this regard,?\s*|specifically,?\s*|moreover,?\s*"
    r"|(?:motivated|inspired|building|based) (?:by|on) (?:this|these|such)(?: \w+)?,\s*"
    r"|to (?:address|tackle|solve|overcome|fill|bridge|close|mitigate|resolve|alleviate|handle)"
    r" (?:this|these|such|the)(?: \w+){0,2},\s*"
    r"|furthermore,?\s*|finally,?\s*|additionally,?\s*|however,?\s*|therefore,?\s*)+",
    re.IGNORECASE,
)
_WE_VERB = re.compile(
    r"^(?:we|this (?:paper|work|article|study|note)|the authors)\s+(?:also\s+|further\s+|then\s+)?"
    r"([a-z]+)\b\s*",
    re.IGNORECASE,
)
_IRREGULAR = {"are": "is", "have": "has", "do": "does", "go": "goes", "can": "can"}


def _third_person(verb: str) -> str:
    verb = verb.lower()
    if verb in _IRREGULAR:
        return _IRREGULAR[verb]
    if verb.endswith(("ed", "s")) or verb in ("can", "will", "may", "must", "should", "could"):
        return verb  # past tense, or already third person ("this paper presents")
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return verb[:-1] + "ies"
    if verb.endswith(("sh", "ch", "x", "o")):
        return verb + "es"
    return verb + "s"


def standalone(sentence: str) -> str:
    """A sentence as a TL;DR that stands alone: no "In this paper, we propose" ("Proposes"),
    no dangling "we"/"our"/"us", no reference left as a number or bracket, at most
    ``MAX_WORDS`` words cut at a clause boundary, ending with a full stop."""
    s = _SPACES.sub(" ", sentence).strip()
    s = _LEAD.sub("", s)
    s = re.sub(r"\s*\((?:see |e\.g\.,? )?(?:Fig|Sec|Table|Eq|Appendix)[^)]*\)", "", s)
    match = _WE_VERB.match(s)
    if match:
        s = _third_person(match.group(1)) + " " + s[match.end() :]
    s = re.sub(r"\b(?:that|which) we (call|term|dub|name)\b", r"called", s, flags=re.IGNORECASE)
    s = re.sub(r"\bwe\b", "the authors", s, flags=re.IGNORECASE)
    s = re.sub(r"\bour\b", "the", s, flags=re.IGNORECASE)
    s = re.sub(r"\bus\b", "them", s)  # lower case only: "US" the country stays
    s = _cut(s.strip(" ,;:"))
    if not s:
        return ""
    s = s[0].upper() + s[1:]
    if s[-1] not in ".!?…":
        s += "."
    return s


_CLAUSE_BREAK = re.compile(r"[,;:]\s|\s(?:which|where|while|whereas|by|through|using|and)\s")


def _cut(s: str) -> str:
    # Cutting shorter (at 25, 22, 20 or 18 words) or dropping parentheses lowered ROUGE on the
    # tuning half of SciTLDR (bench/ai_extras.py): 30 words is the length TL;DRs have.
    words = s.split()
    if len(words) <= MAX_WORDS:
        return s
    limit = len(" ".join(words[:MAX_WORDS]))
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(s) if 40 <= m.start() <= limit]
    if breaks:
        return s[: breaks[-1]].rstrip(" ,;:")
    return " ".join(words[: MAX_WORDS - 1]).rstrip(" ,;:") + " …"


def _keyphrases(
    p: _Prepared, vectors: TokenVectors, doc: np.ndarray, w: KeyphraseWeights, top: int
) -> list[str]:
    cands = [c for c in p.candidates if len(p.units.get(c.text, ()))]
    if not cands:
        return []
    matrix = np.stack([vectors.mean(p.units[c.text]) for c in cands])
    total = max(1, len(tokens(p.body)) + len(tokens(p.title)))
    relevance = (
        w.similarity * (matrix @ doc)
        + w.frequency * np.log1p([c.count for c in cands])
        + w.position * (1 - np.array([c.first for c in cands]) / total)
        + w.title * np.array([c.in_title for c in cands], dtype=np.float32)
        + w.length * np.array([min(len(c.words), 3) - 1 for c in cands])
        + w.whole * np.array([c.whole for c in cands], dtype=np.float32)
    )
    stems = [{stem(x) for x in c.words} for c in cands]
    chosen: list[int] = []
    pool = list(np.argsort(-relevance)[: top * 6])
    while pool and len(chosen) < top:
        if chosen:
            redundancy = (matrix[pool] @ matrix[chosen].T).max(axis=1)
            shared = np.array(
                [max(len(stems[i] & stems[j]) / len(stems[i]) for j in chosen) for i in pool]
            )
            scores = relevance[pool] - w.diversity * redundancy - w.overlap * shared
            pick = pool[int(np.argmax(scores))]
        else:
            pick = pool[0]
        chosen.append(pick)
        pool.remove(pick)
    return [_display(cands[i].words) for i in chosen]


def _display(words: list[str]) -> str:
    """A keyphrase as shown: lower case unless a word is an acronym or a name ("BERT",
    "ImageNet")."""
    return " ".join(
        w if any(ch.isupper() for ch in w[1:]) or w.isupper() else w.lower() for w in words
    )
