"""paperboy ai build."""

import pytest

from paperboy.cli import main
from paperboy.papers.models import Paper
from paperboy.search import indexing
from paperboy.summaries import local
from paperboy.testing import make_paper


@pytest.fixture
def cli_db(db, monkeypatch):
    # The CLI calls django.setup() again; it is already set up here.
    monkeypatch.setattr("paperboy.summaries.cli.setup_django", lambda args=None: None)
    make_paper(title="Origami Folding Robots")
    indexing.build()


def test_build_writes_summaries_and_prints_a_summary_line(cli_db, capsys):
    assert main(["ai", "build"]) == 0
    captured = capsys.readouterr()
    assert "1 papers checked, 1 written; 1 local" in captured.out
    assert "Summaries and keywords" in captured.err  # the progress bar
    assert Paper.objects.get().ai_summary_model == local.METHOD
    assert main(["ai", "build"]) == 0
    assert "0 papers checked, 0 written." in capsys.readouterr().out


def test_since_limits_the_papers(cli_db, capsys):
    assert main(["ai", "build", "--since", "2030-01-01"]) == 0
    assert "0 papers checked" in capsys.readouterr().out


def test_a_bad_date_is_one_line_and_a_non_zero_exit(cli_db, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["ai", "build", "--since", "yesterday"])
    assert exit_.value.code != 0
    assert "'yesterday' is not a date" in capsys.readouterr().err


def test_llm_without_configuration_is_a_clear_error(cli_db, settings, capsys):
    settings.PAPERBOY_LLM = {**settings.PAPERBOY_LLM, "url": "", "model": ""}
    assert main(["ai", "build", "--llm"]) != 0
    assert "PAPERBOY_LLM_URL" in capsys.readouterr().err
