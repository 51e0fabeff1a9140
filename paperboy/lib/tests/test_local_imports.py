"""Every function-local ``paperboy.*`` import says why it is not at the top of its module.

An import inside a function once hid an import cycle between apps; the layers contract
(``test_layers.py``) now keeps the apps acyclic, so such an import is only right for a reason
of its own: after ``setup_django()`` in a CLI handler (the parser is built before Django is
configured), in ``AppConfig.ready`` (app modules load before the models), in the pytest plugin
(loaded before the settings), or to keep a light module light. That reason is written as a
comment on the line above the import (or above the run of imports it starts) or at the end of
its line, so that an import left local by habit shows up here.
"""

import ast
import io
import tokenize
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
SKIP_DIRS = {"tests", "tests_browser", "migrations", "__pycache__"}


def _is_paperboy(node: ast.stmt) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level == 0 and (node.module or "").split(".")[0] == "paperboy"
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] == "paperboy" for alias in node.names)
    return False


def _bodies(function: ast.AST):
    """Every statement list inside a function (its body, branches, loops, ``with``, ``try``)."""
    for node in ast.walk(function):
        for name in ("body", "orelse", "finalbody"):
            body = getattr(node, name, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                yield body
        for handler in getattr(node, "handlers", ()):
            yield handler.body


def unexplained_local_imports(source: str) -> list[int]:
    """Line numbers of function-local ``paperboy.*`` imports with no comment saying why."""
    tree = ast.parse(source)
    comments: dict[int, bool] = {}  # line -> whether the comment is the whole line
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = not token.line[: token.start[1]].strip()
    found = set()
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    for function in functions:
        for body in _bodies(function):
            for i, node in enumerate(body):
                if not _is_paperboy(node):
                    continue
                if any(line in comments for line in range(node.lineno, node.end_lineno + 1)):
                    continue
                first = i  # the run of imports this one belongs to, without blank lines
                while (
                    first > 0
                    and isinstance(body[first - 1], ast.Import | ast.ImportFrom)
                    and body[first - 1].end_lineno == body[first].lineno - 1
                ):
                    first -= 1
                if not comments.get(body[first].lineno - 1, False):
                    found.add(node.lineno)
    return sorted(found)


def modules() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if not SKIP_DIRS & set(path.relative_to(PACKAGE).parts[:-1])
    )


def test_every_function_local_paperboy_import_says_why():
    unexplained = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for path in modules()
        for line in unexplained_local_imports(path.read_text())
    ]
    assert not unexplained, (
        "function-local paperboy imports with no comment saying why (hoist them to the top "
        "of the module, or write the reason on the line above):\n" + "\n".join(unexplained)
    )


def test_the_check_sees_the_modules():
    names = {str(path.relative_to(PACKAGE)) for path in modules()}
    assert {"cli.py", "testing.py", "api/api.py", "search/apps.py"} <= names
    assert not any(name.startswith(("api/tests/", "tests_browser/")) for name in names)


def test_it_flags_a_local_import_without_a_reason():
    source = (
        "import paperboy.lib\n"
        "from paperboy.lib import dates\n"
        "\n"
        "def f():\n"
        "    x = 1  # not about the import\n"
        "    from paperboy.papers.models import Paper\n"
        "    return Paper\n"
        "\n"
        "class C:\n"
        "    def g(self):\n"
        "        if True:\n"
        "            import paperboy.feed.votes\n"
    )
    assert unexplained_local_imports(source) == [6, 12]


def test_it_accepts_a_reason_above_the_run_or_at_the_end_of_the_line():
    source = (
        "def f():\n"
        "    setup()\n"
        "    from django.utils import timezone\n"
        "\n"
        "    # after setup(): models need the app registry\n"
        "    from paperboy.digests import sending\n"
        "    from paperboy.digests.models import Delivery\n"
        "\n"
        "def g():\n"
        "    from paperboy.ingest.arxiv import ArxivError  # httpx loads only when needed\n"
        "    from django.utils import timezone\n"
        "\n"
        "    from os import path\n"
        "    from paperboy.papers.models import Paper\n"
    )
    assert unexplained_local_imports(source) == [14]
