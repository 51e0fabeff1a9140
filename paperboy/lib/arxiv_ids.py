"""Parse arXiv identifiers as people type them: ids, ``arXiv:`` prefixes and abs/pdf URLs.

New style: ``YYMM.NNNNN`` (4 digits after the dot until 2014-12, 5 since 2015-01).
Old style: ``archive[.SUBJ]/YYMMNNN`` such as ``hep-th/9901001`` or ``math.GT/0309136``.
Both may carry a version suffix ``vN``.
"""

import re
from dataclasses import dataclass

_NEW = r"(?P<new>(?P<yymm>\d{4})\.(?P<num>\d{4,5}))"
_OLD = r"(?P<old>[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7})"
_ID = re.compile(rf"^(?:{_NEW}|{_OLD})(?:v(?P<version>\d+))?$")
_URL = re.compile(
    r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/(?P<rest>[^?#]+?)(?:\.pdf)?/?(?:[?#].*)?$",
    re.IGNORECASE,
)
_PREFIX = re.compile(r"^arxiv:\s*", re.IGNORECASE)


class InvalidArxivId(ValueError):
    pass


@dataclass(frozen=True)
class ArxivId:
    base: str  # without version, e.g. "2510.12345" or "hep-th/9901001"
    version: int | None = None

    def __str__(self) -> str:
        return f"{self.base}v{self.version}" if self.version else self.base


def parse_arxiv_id(text: str) -> ArxivId:
    """Return the arXiv id in ``text`` (an id, ``arXiv:…`` or an arxiv.org URL).

    Raises InvalidArxivId with a readable message when it is not one.
    """
    value = (text or "").strip()
    if not value:
        raise InvalidArxivId("Enter an arXiv id such as 2510.12345 or an arxiv.org link.")
    if len(value) > 200:
        raise InvalidArxivId("That is too long to be an arXiv id or link.")
    url = _URL.match(value)
    if url:
        value = url.group("rest")
    value = _PREFIX.sub("", value)
    match = _ID.match(value)
    if not match:
        raise InvalidArxivId(
            f"“{text.strip()[:60]}” is not an arXiv id. Use the form 2510.12345, "
            "hep-th/9901001 or an arxiv.org/abs/… link."
        )
    if match.group("new"):
        month = int(match.group("yymm")[2:])
        year = int(match.group("yymm")[:2])
        digits = len(match.group("num"))
        if not 1 <= month <= 12:
            raise InvalidArxivId(f"“{value}” has no valid month (the YYMM part).")
        if (year >= 15 and digits != 5) or (year < 15 and digits != 4):
            raise InvalidArxivId(f"“{value}” has the wrong number of digits after the dot.")
        base = match.group("new")
    else:
        base = match.group("old")
    version = match.group("version")
    return ArxivId(base=base, version=int(version) if version else None)


def is_arxiv_id(text: str) -> bool:
    try:
        parse_arxiv_id(text)
    except InvalidArxivId:
        return False
    return True
