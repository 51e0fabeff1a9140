"""Parse arXiv identifiers as people type them: ids, ``arXiv:`` prefixes and abs/pdf URLs.

New style: ``YYMM.NNNNN`` (4 digits after the dot until 2014-12, 5 since 2015-01).
Old style: ``archive[.SUBJ]/YYMMNNN`` such as ``hep-th/9901001`` or ``math.GT/0309136``.
Both may carry a version suffix ``vN``.
"""

import re
from dataclasses import dataclass

# [0-9], not \d: \d also matches other scripts' digits ("٢٥٠١"), which are no arXiv id.
_NEW = r"(?P<new>(?P<yymm>[0-9]{4})\.(?P<num>[0-9]{4,5}))"
_OLD = r"(?P<old>[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/(?P<old_yymm>[0-9]{4})[0-9]{3})"
_ID = re.compile(rf"(?:{_NEW}|{_OLD})(?:v(?P<version>[1-9][0-9]*))?")
_URL = re.compile(
    r"(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/"
    r"(?P<rest>[^?#]+?)(?:\.pdf)?/?(?:[?#].*)?",
    re.IGNORECASE | re.DOTALL,
)
# The first new-style id is 0704.0001 (April 2007); before that, only old-style ids exist.
_FIRST_NEW_YYMM = 704
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
    # The two look-ups only where they can match: most callers (imports) pass plain ids.
    url = _URL.fullmatch(value) if "arxiv.org" in value.lower() else None
    if url:
        value = url.group("rest")
    if ":" in value:
        value = _PREFIX.sub("", value)
    match = _ID.fullmatch(value)
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
        if int(match.group("yymm")) < _FIRST_NEW_YYMM:
            raise InvalidArxivId(f"“{value}” is older than arXiv's new-style ids (0704.0001).")
        if (year >= 15 and digits != 5) or (year < 15 and digits != 4):
            raise InvalidArxivId(f"“{value}” has the wrong number of digits after the dot.")
        base = match.group("new")
    else:
        if not 1 <= int(match.group("old_yymm")[2:]) <= 12:
            raise InvalidArxivId(f"“{value}” has no valid month (the YYMM part).")
        base = match.group("old")
    version = match.group("version")
    return ArxivId(base=base, version=int(version) if version else None)
