"""What feedback writes in Persian: notes on a request's timeline and the SMS it sends.

Stored text, not console strings: a note is read by whoever opens the request later, an SMS by
the subscriber, both in Persian whatever the agent's language (as the demo data and the other
notes of the timeline are). The result SMS prefers the center's own ``ticket_result`` template
(see :mod:`db.notices.templates`); the rest are fixed sentences.
"""

from collections.abc import Sequence

from db.models import AnswerScale
from db.text import to_persian_digits

#: The result SMS when the center has no active ``ticket_result`` template (the seed's text).
RESULT_SMS = "{name} گرامی، درخواست {tracking_code} رسیدگی شد: {result}. آبفا {center}"
#: Longest unit answer quoted in an SMS; a longer one is cut at a word.
MAX_RESULT_IN_SMS = 300

NOTE_TOLD = "نتیجه تلفنی به مشترک اعلام شد"
NOTE_SURVEY_REOPENED = "مشترک در نظرسنجی گفت مشکل برطرف نشده؛ بازگشایی به‌عنوان شکایت"
NOTE_SMS_SURVEY_REOPENED = "مشترک در نظرسنجی پیامکی گفت مشکل برطرف نشده؛ بازگشایی به‌عنوان شکایت"
NOTE_SMS_SURVEY_RESOLVED = "مشترک در نظرسنجی پیامکی رفع مشکل را تأیید کرد"
NOTE_HANDED_TO_CALLBACKS = "نتیجه به واحد نظرسنجی سپرده شد"
NOTE_REFUSED_SMS = "مشترک از گفت‌وگو خودداری کرد؛ نتیجه با پیامک اعلام شد"
NOTE_REFUSED = "مشترک از گفت‌وگو خودداری کرد و شماره همراه ندارد؛ نتیجه اعلام نشد"
NOTE_WRONG_NUMBER = "شماره تماس مشترک اشتباه است؛ نتیجه اعلام نشد"


def note_after_failures(attempts: int, by_sms: bool) -> str:
    n = to_persian_digits(str(attempts))
    if by_sms:
        return f"پس از {n} تماس ناموفق، نتیجه با پیامک اعلام شد"
    return f"مشترک پس از {n} تماس در دسترس نبود و شماره همراه ندارد؛ نتیجه اعلام نشد"


def with_comment(note: str, comment: str) -> str:
    return f"{note}. نظر مشترک: {comment}" if comment else note


def shorten(text: str, limit: int = MAX_RESULT_IN_SMS) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + "…"


# Short names of the starting questionnaire's questions, for the SMS reply format.
SHORT_LABELS = {"resolved": "برطرف‌شد", "on_time": "سرعت", "staff": "برخورد", "overall": "کلی"}
_SCALE_HINTS = {AnswerScale.YES_NO: "(۱/۰)", AnswerScale.ONE_TO_FIVE: "(۱-۵)"}


def reply_format(code: str, questions: Sequence[tuple[str, str]]) -> str:
    """``code`` then one slot per (question code, scale): "۱۲۳۴۵۶ برطرف‌شد(۱/۰) سرعت(۱-۵)"."""
    slots = [
        f"{SHORT_LABELS.get(qcode, f'پاسخ{to_persian_digits(str(i))}')}{_SCALE_HINTS[scale]}"
        for i, (qcode, scale) in enumerate(questions, start=1)
        if scale in _SCALE_HINTS
    ]
    return " ".join([to_persian_digits(code), *slots])


def survey_sms(*, name: str, tracking_code: str, format_: str, comment: bool, center: str) -> str:
    """The survey SMS, kept to three UCS-2 parts for the starting questionnaire."""
    about = f"درخواست {to_persian_digits(tracking_code)}" if tracking_code else "تماس شما"
    text = f"{name} گرامی، نظرتان درباره {about} را پیامک کنید: {format_}"
    if comment:
        text += " و اگر خواستید توضیح"
    return f"{text}. آبفا {center}" if center else f"{text}."
