"""The JSON API (Hugging Face-compatible shapes), its OpenAPI document, personal API tokens,
bulk export and the reader CLI (``paperboy papers``)."""
