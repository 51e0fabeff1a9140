"""A one-line summary (TL;DR) and keyphrases for every paper: local by default, an
OpenAI-compatible LLM when the operator configures one (issue 19)."""
