"""The lexical index follows deleted papers, and never stops Django from emptying its tables."""

import pytest
from django.core.management import call_command
from django.db import connection

from paperboy.papers.models import Paper
from paperboy.search import lexical
from paperboy.search.lexical import parse
from paperboy.testing import make_paper


@pytest.mark.django_db
def test_a_deleted_paper_leaves_the_lexical_index():
    make_paper(title="Sparse retrieval with learned lexicons")
    paper = make_paper(title="Sparse retrieval for product search")
    query = parse("sparse retrieval")
    assert paper.pk in {pk for pk, _ in lexical.candidates(query)}

    paper.delete()

    assert paper.pk not in {pk for pk, _ in lexical.candidates(query)}


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_catalog_with_the_index_in_place():
    make_paper(title="A paper that flush removes")

    call_command("flush", interactive=False, verbosity=0)

    assert not Paper.objects.exists()
    assert connection.vendor in ("sqlite", "postgresql")
