"""The LLM method: an OpenAI-compatible chat endpoint (``POST {url}/chat/completions``) asked for
a TL;DR and keyphrases with a versioned prompt. No ORM (the cache and the budget are the
caller's: ``summaries.build``).

Configured by ``PAPERBOY_LLM`` (settings: URL, model, key, timeout, concurrency, daily budget).
``LLMClient.summarize`` either returns an answer that passed ``accept`` (plain text, one
sentence of at most ``local.MAX_WORDS`` words, no refusal, no markup; keyphrases a list of
short strings) or raises ``LLMError`` saying why: the caller then uses the local method.
Network errors, timeouts and 429/5xx are retried with backoff (``Retry-After`` honoured, as
``ingest.http`` does for the sources); anything else fails at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from paperboy.ingest.http import RETRY_STATUSES, retry_after
from paperboy.lib.text import clean_text
from paperboy.summaries import local

log = logging.getLogger(__name__)

# Bump when the prompt or ``accept`` changes: every LLM summary is then written again.
PROMPT_VERSION = "1"
SYSTEM_PROMPT = (
    "You write one-line summaries of research papers for people skimming a daily list. "
    "Answer with a JSON object only, no prose, no markdown: "
    '{"tldr": "...", "keywords": ["...", ...]}. '
    "tldr: one plain-text sentence of at most 25 words saying what the paper does and finds; "
    'no "we", no "this paper", no LaTeX, no markdown, no citations. '
    "keywords: 5 to 8 short technical keyphrases from the paper, lower case unless a name "
    "or an acronym."
)
MAX_ABSTRACT_CHARS = 4000  # the prompt's size stays bounded whatever the abstract
MAX_KEYWORD_CHARS = 60
_REFUSAL = re.compile(
    r"^(?:i'?m sorry|sorry|i cannot|i can'?t|i am unable|i'm unable|as an ai|i apologi[sz]e"
    r"|unfortunately|i do not|i don'?t)\b",
    re.IGNORECASE,
)
_MARKUP = re.compile(r"<[a-zA-Z/!][^>]*>|\\[a-zA-Z]+\{|\*\*|^#+ |```|\[[^\]]*\]\(", re.MULTILINE)


class LLMError(Exception):
    """The LLM did not give a usable answer (unreachable, timed out, refused, garbage…)."""


@dataclass(frozen=True)
class LLMConfig:
    url: str = ""
    model: str = ""
    api_key: str = ""
    timeout: float = 60.0
    concurrency: int = 2
    daily_budget: int = 2000

    @classmethod
    def from_settings(cls) -> LLMConfig:
        from django.conf import settings

        return cls(**settings.PAPERBOY_LLM)

    @property
    def configured(self) -> bool:
        return bool(self.url.strip() and self.model.strip())


def method_name(model: str) -> str:
    """What ``Paper.ai_summary_model`` says for an LLM's summary, and what the cache and the
    build state key on: the model and the prompt version."""
    return f"{model}@prompt-{PROMPT_VERSION}"


def cache_key(title: str, abstract: str, model: str) -> str:
    """The cache key of an answer: the content's hash, the prompt version and the model."""
    content = hashlib.sha256(f"{title}\n\n{abstract}".encode()).hexdigest()
    return hashlib.sha256(f"{content}|{PROMPT_VERSION}|{model}".encode()).hexdigest()


def messages(title: str, abstract: str) -> list[dict[str, str]]:
    title = local.plain_text(title)[:500]
    abstract = local.plain_text(abstract)[:MAX_ABSTRACT_CHARS]
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"Title: {title}\n\nAbstract: {abstract}"},
    ]


def accept(content: str) -> local.Extras:
    """The answer's TL;DR and keyphrases as plain text, or ``LLMError`` saying what is wrong
    with it (not JSON, a refusal, markup, too long, empty)."""
    text = (content or "").strip()
    fenced = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", text, re.DOTALL)
    if fenced:
        text = fenced.group(1)
    if _REFUSAL.match(text):
        raise LLMError(f"a refusal: {text[:80]!r}")
    try:
        data = json.loads(text)
    except ValueError:
        raise LLMError(f"not JSON: {text[:80]!r}") from None
    if not isinstance(data, dict) or not isinstance(data.get("tldr"), str):
        raise LLMError(f"no tldr string in {text[:80]!r}")
    tldr = data["tldr"].strip()
    if not tldr:
        raise LLMError("an empty tldr")
    if _REFUSAL.match(tldr):
        raise LLMError(f"a refusal: {tldr[:80]!r}")
    if _MARKUP.search(tldr):
        raise LLMError(f"markup in the tldr: {tldr[:80]!r}")
    tldr = clean_text(tldr)
    if len(tldr.split()) > local.MAX_WORDS or len(tldr) > 400:
        raise LLMError(f"a tldr of {len(tldr.split())} words (at most {local.MAX_WORDS})")
    keywords: list[str] = []
    raw = data.get("keywords")
    if isinstance(raw, list):
        for item in raw:
            if not isinstance(item, str) or _MARKUP.search(item):
                continue
            item = clean_text(item).strip(" .;,")
            if (
                item
                and len(item) <= MAX_KEYWORD_CHARS
                and item.lower() not in map(str.lower, keywords)
            ):
                keywords.append(item)
    return local.Extras(summary=tldr, keywords=keywords[: local.MAX_KEYWORDS])


class LLMClient:
    """One configured endpoint; ``summarize`` is safe to call from several threads."""

    def __init__(
        self,
        config: LLMConfig,
        *,
        http: httpx.Client | None = None,
        max_attempts: int = 3,
        backoff_base: float = 2.0,
        max_delay: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not config.configured:
            raise LLMError("PAPERBOY_LLM_URL and PAPERBOY_LLM_MODEL must both be set")
        self.config = config
        base = config.url.rstrip("/")
        self.url = base if base.endswith("/chat/completions") else f"{base}/chat/completions"
        headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
        self.http = http or httpx.Client(timeout=config.timeout, headers=headers)
        self.max_attempts = max(1, max_attempts)
        self.backoff_base = backoff_base
        self.max_delay = max_delay
        self.sleep = sleep

    @classmethod
    def from_settings(cls) -> LLMClient | None:
        """The configured client, or None when no LLM is configured."""
        config = LLMConfig.from_settings()
        return cls(config) if config.configured else None

    @property
    def model(self) -> str:
        return self.config.model

    def close(self) -> None:
        self.http.close()

    def summarize(self, title: str, abstract: str) -> local.Extras:
        body = {
            "model": self.config.model,
            "messages": messages(title, abstract),
            "temperature": 0,
            "max_tokens": 200,
        }
        return accept(self._post(body))

    def _post(self, body: dict) -> str:
        problem = ""
        for attempt in range(1, self.max_attempts + 1):
            waited = None
            try:
                response = self.http.post(self.url, json=body)
                if response.status_code == 200:
                    return _content(response)
                problem = f"HTTP {response.status_code}"
                if response.status_code not in RETRY_STATUSES:
                    raise LLMError(f"the LLM endpoint answered {problem}")
                waited = retry_after(response.headers.get("Retry-After"))
            except httpx.TransportError as exc:  # timeouts included
                problem = f"{type(exc).__name__}: {exc}"
            if waited is not None and waited > self.max_delay:
                raise LLMError(f"the LLM endpoint asks to wait {waited:.0f} s")
            if attempt < self.max_attempts:
                delay = waited if waited is not None else self._delay(attempt)
                log.info("LLM attempt %d failed (%s); again in %.1f s", attempt, problem, delay)
                self.sleep(delay)
        raise LLMError(
            f"the LLM endpoint did not answer after {self.max_attempts} attempts ({problem})"
        )

    def _delay(self, attempt: int) -> float:
        step = min(self.max_delay, self.backoff_base * 2 ** (attempt - 1))
        return step / 2 + random.random() * step / 2


def _content(response: httpx.Response) -> str:
    try:
        data = response.json()
        content = data["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise LLMError(f"not a chat completion: {response.text[:80]!r}") from None
    if not isinstance(content, str):
        raise LLMError("the completion has no text")
    return content
