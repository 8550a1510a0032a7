"""Log lines and error reports that name no person and carry no capability.

A survey link (``/s/<token>``) lets whoever holds it answer, or opt out of, someone's
survey; a phone number or an email is personal data. None of them may reach a log file or an
error-reporting service. ``ScrubFilter`` is attached to every logging handler (settings'
``LOGGING``, gunicorn's handlers in ``bluelamp serve``, and any other handler found at start-up
by ``install``); ``scrub_event`` does the same to a Sentry event before it leaves.

The request id and path come from the request being served (``request_started``, set by
``bluelamp.ops.middleware``), so a line can be traced to its request without a token in it.
"""

import contextvars
import datetime as dt
import json
import logging
import re
from typing import Any

# The request being served: its id and its path, scrubbed. Set per request by the ops
# middleware; empty outside a request (the worker, commands).
_request: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar(
    "bluelamp_request", default=None
)

_SURVEY_LINK = re.compile(r"/s/[^/\s?#\"'<>]+")
_BEARER = re.compile(r"(?i)\b(bearer|token|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_SECRET_PARAM = re.compile(
    r"(?i)\b([\w-]*?(?:token|secret|password|passwd|signature|api[_-]?key|sessionid))"
    r"(\s*[=:]\s*)(['\"]?)[^\s&'\",;]+"
)
# An address, also as a URL writes it (someone%40example.org); the local part stops at the
# characters that end a query parameter.
_EMAIL = re.compile(r"[\w.!#$*+^`{|}~-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# International (+44 7700 900123, 0044..., +1 (555) 010-0100) and UK national numbers
# (07700 900123, 020 7946 0000, 0117 496 0123), and E.164 digits without the plus; spaces
# and the plus may be written as in a URL (07700+900123, %2B447700900123).
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|%2[Bb]|00)\d[\d ().+-]{6,17}\d"
    r"|0\d{2,4}[ +-]?\d{3,4}[ +-]?\d{3,4}"
    r"|44\d{9,10}"
    r")(?![\w])"
)
# A run of URL-safe characters as long as a token, mixing character classes: survey tokens,
# API tokens, session keys, CSRF tokens, digests. CamelCase and snake_case names are not.
_TOKENISH = re.compile(r"(?<![\w-])[A-Za-z0-9_-]{20,}(?![\w-])")
_CAMEL = re.compile(r"(?:[A-Z][a-z]+)+")
_SNAKE = re.compile(r"[a-z]+(?:_[a-z]+)*")


def _words_like(word: str) -> bool:
    """CamelCase made of syllables ("ValidationError"): each part has a vowel. A random
    token can be CamelCase too ("AacSlVkiozFostukIntZvw", about once in 20,000), but its
    parts seldom all have one."""
    if _SNAKE.fullmatch(word):
        return True
    if not _CAMEL.fullmatch(word):
        return False
    parts = re.findall(r"[A-Z][a-z]+", word)
    return all(len(p) > 1 and any(c in "aeiouy" for c in p.lower()) for p in parts)


def _token_like(word: str) -> bool:
    if _words_like(word):
        return False
    classes = (
        any(c.islower() for c in word),
        any(c.isupper() for c in word),
        any(c.isdigit() for c in word),
    )
    return sum(classes) >= 2


def scrub(text: str) -> str:
    """``text`` with survey links, bearer tokens, secret parameters, emails, phone numbers and
    token-looking words replaced by a placeholder. Idempotent."""
    if not text:
        return text
    text = _SURVEY_LINK.sub("/s/[link]", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} [token]", text)
    text = _SECRET_PARAM.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}[secret]", text)
    text = _EMAIL.sub("[email]", text)
    text = _PHONE.sub("[phone]", text)
    return _TOKENISH.sub(lambda m: "[token]" if _token_like(m.group(0)) else m.group(0), text)


def request_started(request_id: str, path: str) -> contextvars.Token[tuple[str, str] | None]:
    return _request.set((request_id, scrub(path)))


def request_finished(token: contextvars.Token[tuple[str, str] | None]) -> None:
    _request.reset(token)


_formatter = logging.Formatter()


class ScrubFilter(logging.Filter):
    """Rewrites each record in place before any handler formats it: the message (with its
    arguments), the traceback and stack are scrubbed, and the request's id and path added.

    The traceback is formatted and scrubbed here and ``exc_info`` dropped, so no formatter or
    handler can render the raw exception again. Django's records carry the request object;
    it is replaced by nothing, since a handler could render its headers or body."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "_bluelamp_scrubbed", False):
            try:
                message = record.getMessage()
            except (TypeError, ValueError):  # arguments that do not fit the format
                message = f"{record.msg} {record.args}"
            record.msg = scrub(message)
            record.args = ()
            if record.exc_info:
                if not record.exc_text:
                    record.exc_text = _formatter.formatException(record.exc_info)
                record.exc_info = None
            if record.exc_text:
                record.exc_text = scrub(record.exc_text)
            if record.stack_info:
                record.stack_info = scrub(record.stack_info)
            request = getattr(record, "request", None)
            current = _request.get()
            if current is not None:
                record.request_id, record.path = current
            elif request is not None and hasattr(request, "path"):
                record.path = scrub(str(request.path))
            if request is not None:
                record.request = None
            record._bluelamp_scrubbed = True
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, and the request
    id, path, status and traceback where known."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ("request_id", "path", "status_code"):
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub(self.formatException(record.exc_info))
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False, default=str)


def install() -> None:
    """Attach the filter to every handler of every logger configured so far (the root's,
    Django's, and any a library added), once each."""
    loggers: list[logging.Logger | logging.PlaceHolder] = [
        logging.getLogger(),
        *logging.Logger.manager.loggerDict.values(),
    ]
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            handler_install(handler)


def handler_install(handler: logging.Handler) -> None:
    if not any(isinstance(f, ScrubFilter) for f in handler.filters):
        handler.addFilter(ScrubFilter())


def scrub_event(event: Any, hint: Any = None) -> Any:
    """Sentry's ``before_send``: every string in the event scrubbed, keys kept."""
    return _scrub_value(event)


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {key: _scrub_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_scrub_value(item) for item in value]
    if value is None or isinstance(value, int | float | dt.date):
        return value
    # Any other object (a log record's request, say) would be sent as its repr: scrub that.
    return scrub(repr(value))
