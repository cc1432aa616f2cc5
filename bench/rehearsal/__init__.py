"""Room rehearsal: every notebook run live through the real SDKs against a loopback "cloud".

profiles.py  what each provider's default model costs in time and limits (with sources);
limits.py    the per-minute windows that decide when a request gets 429;
server.py    the loopback server: OpenAI/Groq chat and Gemini generateContent, answered from recordings;
__main__.py  the runner: each notebook x profile headless, then a markdown table.

Run it with ``python bench/rehearsal --notebooks 01 03 --profiles groq gemini``.
"""
