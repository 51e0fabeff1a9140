"""A member's library: saved papers (the reading list), collections, citations and
exports, imports from reference managers (issue 16)."""
