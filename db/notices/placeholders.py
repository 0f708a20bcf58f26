"""Named placeholders in notice texts: which exist, which a text uses, and filling them in.

Templates are written as ``{name} گرامی، درخواست {tracking_code} ثبت شد``: only plain names from
:data:`PLACEHOLDERS`, no positions, no expressions, no format specs, so an information officer
cannot write a template that fails (or leaks an attribute) at send time; ``{{`` and ``}}`` are
literal braces. :func:`check_body` refuses a bad template when it is saved.
"""

import string
from collections.abc import Mapping
from dataclasses import dataclass

from db.notices.errors import NoticeError

#: Every placeholder a template may use: name -> (Persian, English) description.
PLACEHOLDERS: dict[str, tuple[str, str]] = {
    "name": ("نام مشترک یا تماس‌گیرنده", "subscriber's or caller's name"),
    "tracking_code": ("کد رهگیری درخواست", "tracking code of the request"),
    "district": ("محله یا محدوده", "district or area"),
    "eta": ("زمان تقریبی وصل", "expected restoration time"),
    "start": ("ساعت شروع", "start time"),
    "date": ("تاریخ", "date"),
    "title": ("عنوان حادثه", "incident title"),
    "message": ("پیام عمومی حادثه", "public message of the incident"),
    "center": ("نام مرکز یا شرکت", "center or company name"),
    "result": ("نتیجه رسیدگی", "result of the request"),
    "survey_code": ("کد نظرسنجی", "survey code"),
}

_formatter = string.Formatter()


@dataclass(frozen=True)
class Rendered:
    """A filled text and the placeholders it had no value for."""

    text: str
    missing: tuple[str, ...]


def _parse(body: str) -> list[tuple[str, str | None]]:
    """(literal text, placeholder or None) pairs; NoticeError("bad_template") when malformed."""
    try:
        parsed = list(_formatter.parse(body))
    except ValueError:
        raise NoticeError("bad_template", detail="unbalanced") from None
    out: list[tuple[str, str | None]] = []
    for literal, field, spec, conversion in parsed:
        if field is not None:
            if field == "" or field.isdigit():
                raise NoticeError("bad_template", detail="positional", field=field)
            if not field.isidentifier():
                raise NoticeError("bad_template", detail="expression", field=field)
            if spec or conversion:
                raise NoticeError("bad_template", detail="format", field=field)
        out.append((literal, field))
    return out


def placeholders_of(body: str) -> tuple[str, ...]:
    """The placeholders ``body`` uses, in order of first use (it must be well-formed)."""
    return tuple(dict.fromkeys(f for _lit, f in _parse(body) if f is not None))


def check_body(body: str) -> tuple[str, ...]:
    """The placeholders of a template to save; refuses malformed ones (bad_template) and names
    outside :data:`PLACEHOLDERS` (unknown_placeholder, names)."""
    used = placeholders_of(body)
    unknown = [name for name in used if name not in PLACEHOLDERS]
    if unknown:
        raise NoticeError("unknown_placeholder", names=tuple(unknown))
    return used


def render(body: str, values: Mapping[str, object], *, keep_missing: bool = False) -> Rendered:
    """Fill ``body``. A placeholder with no value (absent, None or empty) is reported in
    ``missing`` and left out, or kept as ``{name}`` with ``keep_missing`` (for a preview)."""
    out: list[str] = []
    missing: dict[str, None] = {}
    for literal, field in _parse(body):
        out.append(literal)
        if field is None:
            continue
        value = values.get(field)
        if value is None or value == "":
            missing[field] = None
            if keep_missing:
                out.append("{" + field + "}")
        else:
            out.append(str(value))
    return Rendered("".join(out), tuple(missing))
