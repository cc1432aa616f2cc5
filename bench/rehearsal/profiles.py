"""One profile per provider's default model: latency, per-minute limits, per-day limits, headers.

Every figure names its source and the day it was looked up (from stored copies of the pages; no
cloud provider is reachable where this bench runs). Latency figures are medians of public
benchmarks unless a provider documents its own; none of them was measured here.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    provider: str  # the value of LLM_PROVIDER that makes get_llm() use the real SDK
    model: str  # the default model in helpers/providers.py MODELS
    ttft: float  # seconds before the first token
    tokens_per_s: float  # output speed once the first token is out
    rpm: int
    tpm: int
    rpd: int | None = None  # per-day limits: reported against the workshop's totals, not enforced
    tpd: int | None = None
    # what a request reserves against TPM: "input+max_tokens" (OpenAI, Groq) or "input" (Gemini)
    tpm_counts: str = "input+max_tokens"
    headers: str = "openai"  # which 429 and x-ratelimit-* headers the real API sends
    sources: str = ""

    def seconds_for(self, output_tokens: int) -> float:
        return self.ttft + output_tokens / self.tokens_per_s


GROQ = Profile(
    name="groq-free", provider="groq", model="openai/gpt-oss-20b",
    # latency: TTFT 0.65 s is Artificial Analysis' median for GPT-OSS 20B across hosts (benchlm.ai/llm-speed,
    # data of 2026-04-07, looked up 2026-11-24); 1,000 tokens/s is Groq's own speed figure for its gpt-oss-20b
    # family (console.groq.com/docs/models, quoted in braintrust-proxy issue #609; looked up 2026-11-24).
    ttft=0.65, tokens_per_s=1000,
    # limits: Free plan row for openai/gpt-oss-20b: 30 RPM, 1K RPD, 8K TPM, 200K TPD
    # (console.groq.com/docs/rate-limits, looked up 2026-11-24).
    rpm=30, tpm=8_000, rpd=1_000, tpd=200_000,
    # Groq reserves prompt + max_tokens against TPM at admission ("Requested ~N" in its 429 message;
    # maplibre-agent-skills PR #63 and hyperwhisper-app PR #99 measured it, looked up 2026-11-24).
    tpm_counts="input+max_tokens", headers="groq",
    sources="console.groq.com/docs/rate-limits; console.groq.com/docs/models; benchlm.ai/llm-speed (AA); 2026-11-24",
)

GEMINI = Profile(
    name="gemini-free", provider="gemini", model="gemini-3.5-flash-lite",
    # latency: "zero thinking by default, simple requests in about 2 s" for gemini-3.5-flash-lite
    # (docs.apiyi.com/en/api-capabilities/gemini-3-5-flash-lite/overview, measured 2026-07-22; used here as
    # the time to first token, an upper bound); 205 tokens/s is Artificial Analysis' median for its
    # predecessor Gemini 3.1 Flash-Lite (benchlm.ai/llm-speed, data of 2026-04-07). Looked up 2026-11-24.
    ttft=2.0, tokens_per_s=205,
    # limits: Google publishes free-tier numbers only inside AI Studio (ai.google.dev/gemini-api/docs/rate-limits
    # says so; TPM counts input tokens only). The latest public figures for the Flash-Lite line are
    # 10 RPM, 250K TPM, 20 RPD (docs.orchable.app/guides/gemini-free-tier, 2026-02-24). Looked up 2026-11-24.
    rpm=10, tpm=250_000, rpd=20,
    tpm_counts="input", headers="gemini",
    sources="ai.google.dev/gemini-api/docs/rate-limits; docs.orchable.app (free tier, 2026-02-24); "
            "docs.apiyi.com (latency); benchlm.ai/llm-speed (AA); 2026-11-24",
)

OPENAI = Profile(
    name="openai-tier1", provider="openai", model="gpt-6-luna",
    # latency: no public benchmark of gpt-6-luna was found; Artificial Analysis' median for the nano tier it
    # succeeds (GPT-5.4 nano: 191 tokens/s, 3.6 s to first answer chunk at default reasoning;
    # benchlm.ai/llm-speed, data of 2026-04-07). Looked up 2026-11-24.
    ttft=3.6, tokens_per_s=191,
    # limits: Tier 1 (the lowest paid tier). OpenAI lists per-model limits on each model page; the stored copy
    # of developers.openai.com/api/docs/models/gpt-6-luna has no rate-limit table, so these are the Tier 1
    # figures of the mini/nano class (500 RPM, 200K TPM, 10K RPD: community.openai.com Tier 1 table and
    # rate-limits.apis.io/openai, looked up 2026-11-24). OpenAI reserves max_tokens + input against TPM.
    rpm=500, tpm=200_000, rpd=10_000,
    tpm_counts="input+max_tokens", headers="openai",
    sources="developers.openai.com/api/docs/models/gpt-6-luna (price); community.openai.com + "
            "rate-limits.apis.io (Tier 1); benchlm.ai/llm-speed (AA); 2026-11-24",
)

PROFILES = {p.provider: p for p in (GROQ, GEMINI, OPENAI)}

# Prices on the providers' pages (USD per 1M tokens, input and output), to check helpers/ledger.py's PRICES.
PAGE_PRICES = {
    # developers.openai.com/api/docs/models/gpt-6-luna (stored copy, looked up 2026-11-24)
    "gpt-6-luna": (0.10, 0.50),
    # Groq's models page for the gpt-oss-20b family (quoted in braintrust-proxy issue #609; vercel.com/ai-gateway
    # lists $0.07/$0.30 for Groq's host); looked up 2026-11-24
    "openai/gpt-oss-20b": (0.075, 0.30),
    # no stored copy of ai.google.dev/pricing lists 3.5 Flash-Lite; this is the list price a reseller mirrors
    # (docs.apiyi.com/en/api-capabilities/gemini-3-5-flash-lite/overview, 2026-07-22); looked up 2026-11-24
    "gemini-3.5-flash-lite": (0.30, 2.50),
}
