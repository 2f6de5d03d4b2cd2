"""A deterministic OpenAI-compatible "teacher" for the qa tests and ``scripts/bench/qa.py``.

It stands in for SGLang's HTTP behaviour and for a well-behaved teacher's *format*, never for a
model's quality: questions are built from the passage's sentences, the judge approves, the
"translation" maps words to fixed characters. Markers in a passage or pair trigger the
failures the filters must catch:

``MARK-GARBAGE`` no JSON at all; ``MARK-FLAKY`` no JSON on the first request only;
``MARK-BADPAIR`` one pair lacks its answer; ``MARK-SHORT`` one-letter answers;
``MARK-WRONGLANG`` answers in the other language; ``MARK-UNSUPPORTED`` the judge says no;
``MARK-KEEPLATIN`` the "translation" keeps the English; ``MARK-LETTER`` it changes the answer
letter; ``MARK-LONG`` it repeats the answer thirty times.

Run: ``python tests/qa/teacher_server.py --port 8123 --delay 0.5`` (loopback only).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import time
import zlib
from collections import Counter

from aiohttp import web

ZH_CHARS = "麻醉药物剂量患者术后镇痛血压呼吸监测神经阻滞肌松拮抗诱导维持苏醒气道管理心率体温液体治疗"
EN_WORDS = ["the", "patient", "receives", "anesthesia", "and", "the", "drug", "dose", "during", "surgery", "is", "adjusted", "while", "blood", "pressure", "monitoring", "of", "breathing", "continues"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _passage(user: str) -> str:
    m = re.search(r'"""\n(.*?)\n"""', user, re.DOTALL)
    return m.group(1) if m else ""


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?。！？])\s*", text) if len(s.strip()) > 3]


def _question(sentence: str, zh: bool) -> str:
    core = sentence.rstrip(".。!?！？")
    return f"关于“{core}”，临床上应如何理解？" if zh else f"In anesthesia practice, is it true that {core[0].lower()}{core[1:]}?"


def generate(user: str, seen: Counter[str]) -> str:
    passage = _passage(user)
    seen[passage] += 1
    if "MARK-GARBAGE" in passage or ("MARK-FLAKY" in passage and seen[passage] == 1):
        return "Sure! Here are some great questions about anesthesia (no JSON, sorry)."
    zh = bool(CJK.search(passage))
    m = re.search(r"(?:Write|编写)\s*(\d+)", user)
    n = int(m.group(1)) if m else 3
    sents = [s for s in _sentences(passage) if "MARK-" not in s] or [passage]
    pairs = []
    for i in range(n):
        s = sents[i % len(sents)]
        if i >= len(sents):
            s = f"{s} (restated {i})"
        answer = s
        if "MARK-SHORT" in passage:
            answer = "x"
        if "MARK-WRONGLANG" in passage:
            answer = "这是中文答案，用于测试语言检查是否有效。" if not zh else "This answer is written in English on purpose."
        if '"options"' in user:
            target = "ABCD"[zlib.crc32(s.encode()) % 4]
            options = [f"Distractor {k} for {s[:20]}" for k in range(3)]
            options.insert("ABCD".index(target), s[:60])
            pairs.append({"question": _question(s, zh), "options": options, "answer": target,
                          "explanation": answer, "level": ["System 1", "System 1.x", "System 2"][i % 3]})
        else:
            pairs.append({"question": _question(s, zh), "answer": answer})
    if "MARK-BADPAIR" in passage:
        pairs[-1].pop("answer", None)
        pairs[-1].pop("explanation", None)
    return "```json\n" + json.dumps({"pairs": pairs}, ensure_ascii=False) + "\n```"


def judge(user: str) -> str:
    passage = _passage(user)
    n = len(re.findall(r"^\d+\. Q: ", user, flags=re.MULTILINE))
    ok = "MARK-UNSUPPORTED" not in passage
    reason = "stated in the passage" if ok else "the passage does not say this"
    return json.dumps({"verdicts": [{"id": i, "supported": ok, "reason": reason} for i in range(1, n + 1)]})


def _to_zh(text: str) -> str:
    def word(m: re.Match) -> str:
        w = m.group(0)
        if w.isdigit():
            return w
        h = zlib.crc32(w.lower().encode())
        return ZH_CHARS[h % len(ZH_CHARS)] + ZH_CHARS[(h // 7) % len(ZH_CHARS)]
    return re.sub(r"[A-Za-z]+|\d+", word, text).replace(" ", "").replace("?", "？").replace(".", "。")


def _to_en(text: str) -> str:
    chars = CJK.findall(text)
    words = [EN_WORDS[zlib.crc32(a.encode() + b.encode()) % len(EN_WORDS)]
             for a, b in zip(chars[::2], chars[1::2] + [""])]
    return " ".join(words).capitalize() + "."


def translate(user: str) -> str:
    m = re.search(r"\n\n(\{.*\})\n\n", user, re.DOTALL)
    pair = json.loads(m.group(1)) if m else {}
    to_zh = "Simplified Chinese" in user
    blob = json.dumps(pair, ensure_ascii=False)
    out = {}
    for k, v in pair.items():
        if k == "answer" and isinstance(v, str) and re.fullmatch(r"[A-I]", v):
            out[k] = ("B" if v == "A" else "A") if "MARK-LETTER" in blob else v
            continue
        if "MARK-KEEPLATIN" in blob:
            out[k] = v
            continue
        tr = _to_zh if to_zh else _to_en
        out[k] = [tr(x) for x in v] if isinstance(v, list) else tr(v)
        if "MARK-LONG" in blob and k == "answer":
            out[k] = out[k] * 30
    return json.dumps(out, ensure_ascii=False)


def make_app(delay: float = 0.0) -> web.Application:
    app = web.Application()
    stats: Counter[str] = Counter()
    seen: Counter[str] = Counter()

    async def chat(request: web.Request) -> web.Response:
        body = await request.json()
        stats["requests"] += 1
        await asyncio.sleep(delay)
        system = next((m["content"] for m in body["messages"] if m["role"] == "system"), "")
        user = next((m["content"] for m in reversed(body["messages"]) if m["role"] == "user"), "")
        if system.startswith(("You write", "你为")):
            stats["generate"] += 1
            content = generate(user, seen)
        elif system.startswith("You check"):
            stats["judge"] += 1
            content = judge(user)
        elif system.startswith("You translate"):
            stats["translate"] += 1
            content = translate(user)
        else:
            content = "unknown task"
        return web.json_response({
            "id": f"teacher-{stats['requests']}", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model"),
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": len(user) // 4, "completion_tokens": len(content) // 4},
        })

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def models(request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [{"id": "teacher", "object": "model"}]})

    async def get_stats(request: web.Request) -> web.Response:
        return web.json_response(dict(stats))

    app.router.add_post("/v1/chat/completions", chat)
    app.router.add_get("/health", health)
    app.router.add_get("/v1/models", models)
    app.router.add_get("/stats", get_stats)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", choices=("127.0.0.1", "localhost", "::1"))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    args = parser.parse_args()
    web.run_app(make_app(args.delay), host=args.host, port=args.port, print=None, backlog=4096, access_log=None)


if __name__ == "__main__":
    main()
