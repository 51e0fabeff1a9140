"""summaries.llm against a real local HTTP server answering with recorded completions."""

import pytest

from paperboy.summaries import llm

TITLE = "Sparse Attention for Long-Context Transformers"
ABSTRACT = "We route each token to a few keys with a learned top-k router."


def client(fake_llm, **kw):
    config = llm.LLMConfig(
        url=fake_llm.url,
        model="qwen2.5-7b-instruct",
        api_key="sk-test",
        timeout=kw.pop("timeout", 5.0),
    )
    return llm.LLMClient(config, sleep=lambda s: None, **kw)


def test_it_reads_a_good_answer_as_plain_text(fake_llm):
    extras = client(fake_llm).summarize(TITLE, ABSTRACT)
    assert extras.summary.startswith("A learned top-k router")
    assert extras.keywords[:2] == ["sparse attention", "top-k router"]
    request = fake_llm.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["body"]["model"] == "qwen2.5-7b-instruct"
    assert TITLE in request["body"]["messages"][1]["content"]
    assert fake_llm.headers[0]["Authorization"] == "Bearer sk-test"


def test_it_accepts_json_in_a_code_fence(fake_llm):
    fake_llm.script = ["fenced.json"]
    assert client(fake_llm).summarize(TITLE, ABSTRACT).summary.startswith("A learned")


@pytest.mark.parametrize(
    ("fixture", "why"),
    [
        ("html.json", "markup"),
        ("refusal.json", "refusal"),
        ("too_long.json", "45 words"),
        ("garbage.json", "not JSON"),
    ],
)
def test_it_refuses_a_bad_answer_with_the_reason(fake_llm, fixture, why):
    fake_llm.script = [fixture]
    with pytest.raises(llm.LLMError, match=why):
        client(fake_llm).summarize(TITLE, ABSTRACT)


def test_it_retries_a_5xx_then_succeeds(fake_llm):
    fake_llm.script = [503, 502, "good.json"]
    assert client(fake_llm).summarize(TITLE, ABSTRACT).summary
    assert len(fake_llm.requests) == 3


def test_it_gives_up_after_its_attempts(fake_llm):
    fake_llm.script = [500]
    with pytest.raises(llm.LLMError, match="after 3 attempts"):
        client(fake_llm).summarize(TITLE, ABSTRACT)
    assert len(fake_llm.requests) == 3


def test_a_4xx_is_not_retried(fake_llm):
    fake_llm.script = [401]
    with pytest.raises(llm.LLMError, match="HTTP 401"):
        client(fake_llm).summarize(TITLE, ABSTRACT)
    assert len(fake_llm.requests) == 1


def test_a_timeout_is_an_llm_error(fake_llm):
    fake_llm.script = [("sleep", 1.5, "good.json")]
    with pytest.raises(llm.LLMError, match="Timeout"):
        client(fake_llm, timeout=0.3, max_attempts=1).summarize(TITLE, ABSTRACT)


def test_the_cache_key_changes_with_the_text_the_prompt_and_the_model(monkeypatch):
    key = llm.cache_key(TITLE, ABSTRACT, "m1")
    assert key == llm.cache_key(TITLE, ABSTRACT, "m1")
    assert key != llm.cache_key(TITLE, ABSTRACT + " More.", "m1")
    assert key != llm.cache_key(TITLE, ABSTRACT, "m2")
    monkeypatch.setattr(llm, "PROMPT_VERSION", "2")
    assert key != llm.cache_key(TITLE, ABSTRACT, "m1")


def test_an_unconfigured_llm_is_none(settings):
    settings.PAPERBOY_LLM = {**settings.PAPERBOY_LLM, "url": "", "model": ""}
    assert llm.LLMClient.from_settings() is None
