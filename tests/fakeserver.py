"""A loopback stand-in for OpenAI-compatible and Gemini endpoints, driven by a queue of scripted replies.

The real SDKs talk to it over HTTP on 127.0.0.1, so the tests exercise their actual request and error
paths. Each script item is (status, body, headers, delay_seconds).
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def chat_body(text, prompt_tokens=11, completion_tokens=7, model="fake-model"):
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": model,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens}}


def gemini_body(text, prompt_tokens=9, completion_tokens=5):
    return {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP"}],
            "usageMetadata": {"promptTokenCount": prompt_tokens, "candidatesTokenCount": completion_tokens,
                              "totalTokenCount": prompt_tokens + completion_tokens}}


def error_body(status, message, code=None, kind="invalid_request_error"):
    return {"error": {"message": message, "type": kind, "code": code, "status": status}}


class FakeServer:
    def __init__(self):
        self.script, self.requests = [], []
        self.models = ["fake-model", "other-model"]
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body, headers=None):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                outer.requests.append({"method": "GET", "path": self.path, "headers": dict(self.headers)})
                if "/models" in self.path:
                    if "x-goog-api-key" in self.headers:  # google-genai asks in Gemini's own shape
                        return self._send(200, {"models": [{"name": f"models/{m}"} for m in outer.models]})
                    return self._send(200, {"object": "list", "data": [
                        {"id": m, "object": "model", "created": 0, "owned_by": "me"} for m in outer.models]})
                self._send(404, error_body(404, "no such path"))

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                outer.requests.append({"method": "POST", "path": self.path, "headers": dict(self.headers),
                                       "json": body})
                status, reply, headers, delay = outer.script.pop(0) if outer.script else (
                    200, chat_body("default reply"), {}, 0)
                if delay:
                    time.sleep(delay)
                try:
                    self._send(status, reply, headers)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def add(self, status=200, body=None, headers=None, delay=0.0):
        self.script.append((status, body if body is not None else chat_body("ok"), headers or {}, delay))
        return self

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
