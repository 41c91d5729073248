"""Logging set-up: one line per record, as text or JSON, with secrets, phones and e-mails masked."""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import traceback
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, TextIO

import phonenumbers
from pythonjsonlogger.json import JsonFormatter as _LibraryJsonFormatter

from core.lead_input import mask_phone
from core.trace import TRACE_LOGGER

LogFormat = Literal["text", "json"]
REDACTED = "<redacted>"

# Every attribute a bare record has; anything else on a record came in through `extra=`.
_STANDARD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message", "asctime", "taskName"}
# Libraries that log every request at INFO: with redaction their lines would be safe, but a
# poll every few seconds drowns the lines an operator looks for.
_NOISY = ("httpx", "httpcore", "apscheduler", "aiohttp.access", "alembic")
# Libraries whose DEBUG lines hold whole rows, statement arguments or Bot API requests: a lead's
# name and message, which no pattern can tell from other text. They stay at INFO unless
# LOG_PII is set.
_PERSONAL_AT_DEBUG = ("aiosqlite", "sqlalchemy.engine", "telegram.Bot", "telegram.ext.ExtBot")
_TRACEBACKS = logging.Formatter()

# A bot token is <bot id>:<secret>; the id is public and tells an operator which bot it was.
_BOT_TOKEN = re.compile(r"(?<![0-9])(\d{3,12}):[A-Za-z0-9_-]{30,}")
_BEARER = re.compile(r"(?i)\b(bearer\s+)[^\s\"',;]+")
# `token=...`, `"secret": "..."`, `X-Telegram-Bot-Api-Secret-Token: ...` and the like; not a
# config key path with a colon, `sources[1].token: must be ...`, which names the field a
# problem is about (`sources.website.token=...` is still an assignment).
_SECRET_NAME = r"(?:[a-z_-]*token|[a-z_-]*secret|password)"
_NAMED_SECRET = re.compile(
    rf"(?i)(?:(?<![.\w-])|(?<=[.\]])(?={_SECRET_NAME}[\"']?\s*=))"
    rf"({_SECRET_NAME}[\"']?\s*[=:]\s*[\"']?)"
    r"[^\s\"'&,;)}\]]+")
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/?#\s@]+:)[^@/?#\s]+@", re.IGNORECASE)
# Only text with seven digits or more in a row (spaces, dots, dashes, brackets allowed) can
# hold a phone number; most lines have none and skip the slower phone matcher.
_PHONE_HINT = re.compile(r"\d(?:[\s().-]{0,2}\d){6,}")
# PostgreSQL's error DETAIL quotes the values of the row or key at fault: a lead's name, phone,
# e-mail and message. The values go; the constraint, the columns and the error stay.
_ROW_DETAIL = re.compile(r"(\bFailing row contains )\(.*\)")
_KEY_DETAIL = re.compile(r"(\bKey \([^()\n]*\)=)\(.*\)")
# An e-mail address keeps the first character of its local part and its domain: d***@example.com.
# Quotes, `=`, `/` and `:` end the local part, so `email='x@y.io'` keeps its `email='`.
_EMAIL_CHAR = r"[\w.!#$%&*+^~-]"
_EMAIL = re.compile(
    rf"(?<!{_EMAIL_CHAR})({_EMAIL_CHAR}){_EMAIL_CHAR}*@((?:[\w-]+\.)+[^\W\d_]{{2,}})")
_BARE_TEXT = re.compile(r"^[^\s\"=]+$")
_FIRST: tuple[str, ...] = ("time", "level", "logger", "message")


class Redactor(logging.Filter):
    """Masks secrets, phones and e-mails in every record a handler gets, whoever logged it."""

    # Bot tokens, bearer tokens, named secrets and URL passwords are found by their shape, as
    # a line may hold one this process never saw; source tokens and the webhook secret can
    # look like anything, so `protect` names them. Integer fields (lead_id, chat_id) are ids
    # by contract and are never read as phone numbers. With *pii* (LOG_PII, for debugging)
    # only secrets are masked.

    def __init__(self, *, region: str | None = None, secrets: Iterable[str | None] = (),
                 pii: bool = False) -> None:
        super().__init__()
        self.region = region
        self.pii = pii
        self._secrets: list[str] = []
        self.protect(*secrets)

    def protect(self, *secrets: str | None, region: str | None = None) -> None:
        """Mask these exact strings from now on and, if given, read national numbers as *region*."""
        # Short strings would mask ordinary words; every real secret here has 16 characters.
        known = {*self._secrets, *(s for s in secrets if s and len(s) >= 8)}
        self._secrets = sorted(known, key=len, reverse=True)
        if region is not None:
            self.region = region

    def redact(self, text: str) -> str:
        """*text* with every secret, and unless *pii* every phone number and e-mail, masked."""
        text = _BOT_TOKEN.sub(rf"\1:{REDACTED}", text)
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        text = _BEARER.sub(rf"\1{REDACTED}", text)
        text = _NAMED_SECRET.sub(rf"\1{REDACTED}", text)
        text = _URL_PASSWORD.sub(rf"\1{REDACTED}@", text)
        if self.pii:
            return text
        text = _ROW_DETAIL.sub(rf"\1({REDACTED})", text)
        text = _KEY_DETAIL.sub(rf"\1({REDACTED})", text)
        if "@" in text:
            text = _EMAIL.sub(r"\1***@\2", text)
        return self._mask_phones(text) if _PHONE_HINT.search(text) else text

    def _mask_phones(self, text: str) -> str:
        # International numbers need no region and only have to be possible (as intake
        # accepts them); national ones must be valid in the office's region, so that ids,
        # amounts and times are left alone.
        passes: list[tuple[str | None, Any]] = [(None, phonenumbers.Leniency.POSSIBLE)]
        if self.region:
            passes.append((self.region, phonenumbers.Leniency.VALID))
        spans: list[tuple[int, int, str]] = []
        for region, leniency in passes:
            for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=leniency):
                e164 = phonenumbers.format_number(match.number,
                                                  phonenumbers.PhoneNumberFormat.E164)
                spans.append((match.start, match.end, mask_phone(e164)))
        if not spans:
            return text
        out, at = [], 0
        for start, end, masked in sorted(spans):
            if start < at:
                continue  # the other pass found the same number
            out += [text[at:start], masked]
            at = end
        out.append(text[at:])
        return "".join(out)

    def _redact_value(self, value: object) -> object:
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, list | tuple):
            return [self._redact_value(item) for item in value]
        if isinstance(value, dict):
            return {key: self._redact_value(item) for key, item in value.items()}
        return value

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place (message, traceback, context); never drop it."""
        try:
            message = record.getMessage()
        except Exception:
            # A call whose arguments do not fit its format: logging would print them raw
            # to stderr, so they are kept, redacted, in the line itself.
            message = f"{record.msg} (arguments that did not fit: {record.args!r})"
        record.msg, record.args = self.redact(message), None
        if record.exc_info:
            # Rendered once here, so no formatter after us renders the raw exception again.
            record.exc_text = self.redact(_TRACEBACKS.formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key, value in context(record).items():
            setattr(record, key, self._redact_value(value))
        return True


def context(record: logging.LogRecord) -> dict[str, Any]:
    """The fields a logging call added with `extra=`."""
    return {key: value for key, value in record.__dict__.items()
            if key not in _STANDARD_ATTRS and not key.startswith("_")}


def _utc(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _text_value(value: object) -> str:
    if isinstance(value, str):
        return value if _BARE_TEXT.match(value) else json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool | int | float) or value is None:
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """One line per record: UTC time, level, logger, message, then the context as key=value."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line; line breaks in the message or traceback are escaped."""
        message = record.getMessage().replace("\n", "\\n")
        parts = [f"{_utc(record)} {record.levelname:<7} {record.name}: {message}"]
        parts += [f"{key}={_text_value(value)}" for key, value in context(record).items()]
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            parts.append(f"traceback={json.dumps(record.exc_text, ensure_ascii=False)}")
        if record.stack_info:
            parts.append(f"stack={json.dumps(record.stack_info, ensure_ascii=False)}")
        return " ".join(parts)


class JsonFormatter(_LibraryJsonFormatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, then context."""

    def __init__(self) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s", timestamp="time", json_ensure_ascii=False,
            rename_fields={"levelname": "level", "name": "logger", "exc_info": "traceback",
                           "stack_info": "stack"})

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        """Put the four fields every line has first, so the lines read alike."""
        first: dict[str, Any] = {key: log_data.pop(key) for key in _FIRST if key in log_data}
        return {**first, **log_data}


def log_handler(fmt: LogFormat = "text", stream: TextIO | None = None,
                redactor: Redactor | None = None) -> logging.Handler:
    """A handler writing to *stream* (stderr) in *fmt*, with a Redactor on every record."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(redactor or Redactor())
    return handler


# What reaches stderr outside the configured handlers (an uncaught exception, a record logged
# before logging is configured) is masked by this one; `protect` tells it the secrets too.
_STDERR = Redactor()


def configure_logging(level: str = "INFO", fmt: LogFormat = "text", *, pii: bool = False,
                      trace: Path | None = None) -> None:
    """Send every logger's records, redacted, to stderr in *fmt* (*pii*: LOG_PII), and the
    stage marks of `core.trace` to the file *trace* (LOG_TRACE), if given."""
    # With *pii*, phones, e-mails and the libraries' row and request dumps are logged in full.
    handler = log_handler(fmt, redactor=Redactor(pii=pii))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    for noisy in _NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    debug = logging.getLogger().getEffectiveLevel() < logging.INFO
    for personal in _PERSONAL_AT_DEBUG:
        # Raised to INFO only under DEBUG: under a quieter root it would let INFO lines through.
        logging.getLogger(personal).setLevel(
            logging.INFO if debug and not pii else logging.NOTSET)
    _STDERR.pii = pii
    _trace_to(trace)
    if pii:
        logging.getLogger(__name__).warning(
            "LOG_PII is on: phone numbers and e-mail addresses are logged in full (at DEBUG, "
            "also database rows and Telegram requests with names and messages); for "
            "debugging only")


def _trace_to(path: Path | None) -> None:
    """Append `core.trace`'s marks to *path* as `<unix time> <stage> <lead ids>` lines."""
    tracer = logging.getLogger(TRACE_LOGGER)
    for old in tracer.handlers[:]:
        tracer.removeHandler(old)
        old.close()
    tracer.propagate = path is None
    if path is None:
        tracer.setLevel(logging.NOTSET)
        return
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(created).6f %(message)s"))
    tracer.addHandler(handler)
    tracer.setLevel(logging.DEBUG)


def guard_stderr() -> None:
    """Mask uncaught exceptions, in any thread, and records logged before logging is set up."""
    sys.excepthook = _print_uncaught
    threading.excepthook = _print_uncaught_in_thread
    # Python's own last resort would print such records to stderr as they are.
    last_resort = log_handler("text", redactor=_STDERR)
    last_resort.setLevel(logging.WARNING)
    logging.lastResort = last_resort


def redact(text: str) -> str:
    """*text* masked as the log masks it, for what the command line prints itself."""
    return _STDERR.redact(text)


def complain(problem: object) -> None:
    """Tell the operator what stopped a command: `leadrelay: <problem>` on stderr, masked."""
    print(f"leadrelay: {redact(str(problem))}", file=sys.stderr)


def _print_uncaught(kind: type[BaseException], exc: BaseException,
                    tb: TracebackType | None) -> None:
    sys.stderr.write(redact("".join(traceback.format_exception(kind, exc, tb))))
    sys.stderr.flush()


def _print_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return  # as Python's own hook: a thread that exits is no error
    name = args.thread.name if args.thread is not None else "unknown"
    sys.stderr.write(redact(f"Exception in thread {name}:\n" + "".join(
        traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))))
    sys.stderr.flush()


def protect(*secrets: str | None, region: str | None = None) -> None:
    """Tell the redaction of the root logger's handlers and of stderr these secrets and region."""
    _STDERR.protect(*secrets, region=region)
    for handler in logging.getLogger().handlers:
        for redactor in handler.filters:
            if isinstance(redactor, Redactor):
                redactor.protect(*secrets, region=region)
