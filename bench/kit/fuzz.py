"""Fuzzing the intake: hypothesis strategies for requests, and the rules every answer keeps.

`probes(token)` draws whole requests (`bench.kit.hostile.Probe`): JSON and form bodies from
nearly right to plain hostile, with their headers, content types and framing. `Judge` holds
each answer to the rules: never a 5xx; a 201 is a new lead stored whole (with its contact and
its `received` event), a 200 one stored before; a 4xx stores nothing. `fuzz` runs a strategy
against a listening intake. tests/test_intake_fuzz.py runs a few thousand examples in CI,
bench/fuzz_intake.py as many as asked.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar
from urllib.parse import quote_plus

import hypothesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.kit.hostile import Probe, Reply, send
from core.lead_input import FIELDS, INTENTS
from storage.tables import contacts, lead_events, leads

T = TypeVar("T")
JSON = b"application/json"
FORM = b"application/x-www-form-urlencoded"
TRICKY_TEXT = [
    "", " ", "NaN", "nan", "Infinity", "-Infinity", "1e999", "-1", "0", "1,500,000", "1_000",
    "0000000000", "+900000000000", "+905321234567", "0532 123 45 67", "a@b.co", "Ayşe@Örnek.COM",
    "\ud800", "\udfff", "x\x00y", "\x1b[31m", "line\r\nline", "\t", "\x85", "\u2028", "\ufeff",
    "\uffff", "🏠" * 70, "İıŞşĞğ", "\u202eevil", "null", "true", "[]", "{}", '"', "\\", "%00",
    "x" * 121, "x" * 2001, "demo_request", "strong", "Weak", "pricing", "High",
]
SURROGATES_AND_CONTROLS = st.characters(categories=["Cs", "Cc"])
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@cache  # a strategy built once is drawn from quickly; built per draw, slowly
def texts(max_size: int = 40) -> st.SearchStrategy[str]:
    """Short text of any kind: ordinary, tricky, with lone surrogates and control characters."""
    return st.one_of(
        st.text(max_size=max_size), st.sampled_from(TRICKY_TEXT),
        st.text(st.one_of(st.characters(), SURROGATES_AND_CONTROLS), max_size=max_size))


@cache
def phones() -> st.SearchStrategy[str]:
    """Valid Turkish mobile numbers, mostly distinct, in the ways people write them."""
    return st.builds(lambda n, spaced: (f"0532 {n // 10000:03d} {n % 10000:04d}" if spaced
                                        else f"+90532{n:07d}"),
                     st.integers(1_000_000, 9_999_999), st.booleans())


@cache
def json_values() -> st.SearchStrategy[Any]:
    """Any JSON value, NaN and infinities included, nested a little."""
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-(10**30), 10**30),
                        st.floats(), texts())
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(texts(8), inner, max_size=3)),
        max_leaves=6)


@cache
def plausible(name: str) -> st.SearchStrategy[Any]:
    """What a sender means to put in field *name*: odd at times, meant to be taken."""
    words = st.text(st.characters(categories=["L", "N", "Zs", "P", "So"]), max_size=8)
    if name == "phone":
        return phones()
    if name == "email":
        return st.emails()
    if name.startswith("budget"):
        return st.one_of(st.integers(0, 10**9), st.integers(0, 10**9).map(str))
    if name == "tags":
        return st.one_of(st.lists(words, max_size=4), words)
    if name == "intent":
        return st.sampled_from(sorted(INTENTS))
    if name == "fit":
        return st.sampled_from(["strong", "weak", "Strong"])
    if name == "external_id":  # a few ids, so that some posts are a sender's retries
        return st.integers(0, 30).map(lambda n: f"ext-{n}")
    if name == "message":
        return st.text(max_size=300).map(lambda t: _CONTROL.sub("", t))
    return words


@cache
def field_values(name: str) -> st.SearchStrategy[Any]:
    """Anything for field *name*: often of its kind, often tricky, at times any JSON value."""
    kind: st.SearchStrategy[Any]
    if name == "phone":
        kind = st.one_of(phones(), texts())
    elif name == "email":
        kind = st.one_of(st.emails(), texts())
    elif name.startswith("budget"):
        kind = st.one_of(st.integers(-5, 10**13), st.floats(), texts(12),
                         st.integers(0, 10**9).map(str))
    elif name == "tags":
        kind = st.one_of(st.lists(texts(12), max_size=12), texts())
    else:
        kind = texts(300 if name == "message" else 40)
    return st.one_of(kind, kind, kind, json_values())


@cache
def payloads() -> st.SearchStrategy[dict[str, Any]]:
    """A lead as a mapping: a plausible one, and half the time a few fields made odd."""
    meant = st.fixed_dictionaries(
        {"phone": plausible("phone")},
        optional={name: plausible(name) for name in FIELDS if name != "phone"})
    odd = st.one_of(
        st.sampled_from(FIELDS).flatmap(lambda name: st.tuples(st.just(name),
                                                               field_values(name))),
        st.tuples(texts(12), json_values()))
    return st.builds(lambda lead, changes: {**lead, **dict(changes)}, meant,
                     st.one_of(st.just([]), st.lists(odd, min_size=1, max_size=3)))


def weighted(*options: tuple[int, st.SearchStrategy[T]]) -> st.SearchStrategy[T]:
    """One of *options*, each drawn as often as its weight says; shrinking goes to the first."""
    table = [strategy for weight, strategy in options for _ in range(weight)]
    return st.integers(0, len(table) - 1).flatmap(lambda n: table[n])


@cache
def json_bodies() -> st.SearchStrategy[bytes]:
    """A JSON body: mostly a lead; else another value, deep nesting, raw bytes, half of one."""
    deep = st.integers(1, 5_000).map(
        lambda n: b'{"phone": "+905321234567", "tags": ' + b"[" * n + b"]" * n + b"}")
    # Bytes straight into a string value, UTF-8 or not, as from a sender's broken encoder.
    raw = st.binary(max_size=12).map(
        lambda b: b'{"phone": "+905321234567", "name": "' + b + b'"}')
    lead = st.builds(_dumps, payloads(), st.booleans())
    cut = lead.flatmap(lambda body: st.integers(0, len(body)).map(lambda n: body[:n]))
    return weighted((16, lead), (1, st.builds(_dumps, json_values(), st.booleans())),
                    (1, deep), (1, raw), (1, cut), (1, st.binary(max_size=200)))


def _dumps(value: Any, ascii_only: bool) -> bytes:
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


@cache
def form_bodies(token: str) -> st.SearchStrategy[bytes]:
    """A URL-encoded form body: a lead's fields and its token field, or bytes that are not."""
    tokens = weighted((8, st.just([("token", token)])), (1, st.just([])),
                      (1, texts(30).map(lambda t: [("token", t)])))
    fields = st.builds(lambda lead, token_field: [*token_field, *(
        (name, value if isinstance(value, str) else json.dumps(value)) for name, value in
        lead.items())], payloads(), tokens).flatmap(st.permutations)
    encoded = fields.map(lambda pairs: "&".join(
        quote_plus(k, errors="surrogatepass") + "=" + quote_plus(v, errors="surrogatepass")
        for k, v in pairs).encode())
    # A sender that does not percent-encode at all, bytes UTF-8 or not.
    unencoded = st.builds(lambda body, raw: body + b"&name=" + raw, encoded,
                          st.binary(max_size=12))
    return weighted((16, encoded), (2, unencoded), (1, st.binary(max_size=200)))


@cache
def header_values() -> st.SearchStrategy[bytes]:
    """Header bytes of any kind, except the line breaks that would end the header."""
    return st.binary(max_size=40).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))


@cache
def content_types(kind: bytes) -> st.SearchStrategy[bytes]:
    """The right content type mostly, with parameters, case and at times another type."""
    params = st.sampled_from([b"; charset=utf-8", b"; charset=UTF8", b"; charset=latin-1",
                              b"; charset=foo", b";", b"; boundary=x", b"; charset="])
    others = st.sampled_from([JSON, FORM, b"text/plain", b"multipart/form-data; boundary=x",
                              b"application/json-patch+json", b"", b"*/*"])
    return weighted((12, st.just(kind)), (1, st.just(kind.upper())),
                    (2, params.map(lambda p: kind + p)), (1, others), (1, header_values()))


@cache
def authorizations(token: str) -> st.SearchStrategy[bytes | None]:
    """The source's bearer token mostly; else none, another token, another scheme or bytes."""
    right = token.encode()
    near = st.sampled_from([b"bearer " + right, b"Bearer  " + right + b" ", b"Basic " + right,
                            b"Bearer", b"Bearer ", b"Bearer " + right[:-1]])
    return weighted((14, st.just(b"Bearer " + right)), (1, st.none()), (2, near),
                    (1, header_values().map(lambda b: b"Bearer " + b)), (1, header_values()))


@cache
def extra_headers() -> st.SearchStrategy[list[tuple[bytes, bytes]]]:
    """Headers beside the ones that matter, some of them logged (User-Agent, X-Forwarded-For)."""
    names = st.sampled_from([b"User-Agent", b"X-Forwarded-For", b"Accept", b"X-Request-Id",
                             b"Content-Encoding", b"Expect", b"Cookie"])
    values = st.one_of(header_values(), st.sampled_from(
        [b"100-continue", b"gzip", b"deflate", b"br", b"identity", b"curl/8.0"]))
    return weighted((3, st.just([])), (1, st.lists(st.tuples(names, values), max_size=3)))


@st.composite
def probes(draw: st.DrawFn, token: str, kinds: tuple[bytes, ...] = (JSON, FORM)) -> Probe:
    """A whole request to /webhooks/leads: its body, headers and framing."""
    kind = draw(st.sampled_from(kinds))
    body = draw(json_bodies() if kind == JSON else form_bodies(token))
    headers = [(b"Content-Type", draw(content_types(kind)))]
    # A form carries its token in a field, mostly; at times in the header as well.
    authorization = draw(authorizations(token) if kind == JSON else
                         weighted((4, st.none()), (1, authorizations(token))))
    if authorization is not None:
        headers.append((b"Authorization", authorization))
    headers += draw(extra_headers())
    framing = draw(weighted((16, st.just("plain")), (1, st.just("chunked")),
                            (1, st.just("huge")), (1, st.just("short"))))
    if framing == "huge":  # a sender that announces gigabytes and waits to be told to go on
        return Probe(b"", (*headers, (b"Expect", b"100-continue")),
                     declared_length=draw(st.integers(64 * 1024 + 1, 10**11)), send_body=False)
    if framing == "short":
        return Probe(body, tuple(headers), declared_length=draw(st.integers(0, len(body))))
    return Probe(body, tuple(headers), chunked=framing == "chunked")


class RuleBroken(AssertionError):
    """An answer that breaks one of the intake's rules."""


class Judge:
    """Holds each answer to the rules, reading the intake's database; counts the statuses."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.statuses: Counter[int] = Counter()
        self._leads = 0

    async def leads(self) -> int:
        """How many leads are stored."""
        async with self.engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(leads)))
                       .scalar_one())

    async def torn(self) -> list[int]:
        """Leads stored without their contact or without their `received` event."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(select(leads.c.id).where(~_whole()))
            return [int(lead_id) for lead_id in rows.scalars()]

    async def start(self) -> None:
        """Count the leads stored before the first probe."""
        self._leads = await self.leads()

    async def judge(self, reply: Reply) -> None:
        """Raise RuleBroken unless *reply* (to the last probe sent) keeps the rules."""
        self.statuses[reply.status] += 1
        before, now = self._leads, await self.leads()
        self._leads = now
        if reply.status >= 500 or reply.status < 200 or 300 <= reply.status < 400:
            raise RuleBroken(f"answered {reply.status}: {reply.body[:300]!r}")
        if reply.status >= 400:
            if now != before:
                raise RuleBroken(f"answered {reply.status} but {now - before} lead(s) stored")
            return
        lead_id = int(reply.json()["lead_id"])
        if not await self._whole(lead_id):
            raise RuleBroken(f"answered {reply.status} for lead {lead_id}, not stored whole")
        if now != before + (reply.status == 201):
            raise RuleBroken(f"answered {reply.status}, and the leads went {before} → {now}")

    async def _whole(self, lead_id: int) -> bool:
        async with self.engine.connect() as conn:
            found = await conn.execute(select(leads.c.id).where(leads.c.id == lead_id, _whole()))
            return found.first() is not None


def _whole() -> Any:
    return and_(exists().where(contacts.c.id == leads.c.contact_id),
                exists().where(lead_events.c.lead_id == leads.c.id,
                               lead_events.c.kind == "received"))


ANSWER_WITHIN = 15.0
"""Seconds an answer may take: a body time limit of a few seconds, on a busy machine."""
# A probe takes milliseconds to tens of them, on a machine shared with the rest of a test run.
FUZZ_SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


async def fuzz(port: int, judge: Judge, strategy: st.SearchStrategy[Probe], *,
               config: settings, on_reply: Callable[[Probe, Reply], None] | None = None,
               seed: int | None = None) -> None:
    """Send probes drawn from *strategy* to the intake on *port* as *config* says, judging each.

    Hypothesis runs in a thread of its own; each probe is sent from this loop, where the
    intake (in a test) also runs. The first broken rule is shrunk and raised; *seed* repeats
    a run.
    """
    await judge.start()
    loop = asyncio.get_running_loop()

    async def one(probe: Probe) -> None:
        try:
            reply = await send(port, probe, within=ANSWER_WITHIN)
        except TimeoutError:
            raise RuleBroken(f"no answer within {ANSWER_WITHIN:g} s") from None
        except (ConnectionError, asyncio.IncompleteReadError):
            raise RuleBroken("the connection closed without an answer") from None
        if on_reply is not None:
            on_reply(probe, reply)
        await judge.judge(reply)

    @config
    @given(strategy)
    def run(probe: Probe) -> None:
        asyncio.run_coroutine_threadsafe(one(probe), loop).result()

    await asyncio.to_thread(run if seed is None else hypothesis.seed(seed)(run))
