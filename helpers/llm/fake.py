"""``FakeLLM``: queued replies, for tests and for trying the machinery without any provider."""

import threading

from .base import LLM, Reply


class FakeLLM(LLM):
    """A model with queued replies, for tests and for trying the machinery without any provider.

    ``replies`` is a list of strings or callables ``f(request) -> str``; exceptions in it are raised.
    """

    provider = "fake"

    def __init__(self, replies=(), model: str = "fake-model", **kwargs):
        super().__init__(model, **kwargs)
        self.replies, self.requests = list(replies), []
        self._lock = threading.Lock()

    def _complete(self, request: dict) -> Reply:
        with self._lock:
            self.requests.append(request)
            item = self.replies.pop(0) if self.replies else ""
        if isinstance(item, Exception):
            raise item
        text = item(request) if callable(item) else item
        words = sum(len(m["content"].split()) for m in request["messages"])
        return Reply(text, input_tokens=words, output_tokens=len(text.split()))
