"""The life of each request, told as its event log (see TicketStatus and DOMAIN.md).

A request is registered, referred to its unit (emergencies at once, by the desk), started,
maybe paused for the subscriber, answered by the unit (maybe rejected and done again),
accepted, queued for feedback, and closed: by a callback, by SMS after three failed attempts,
or reopened as a complaint when the caller says the problem is not solved. Late requests
escalate. A story told past `now` is cut at `now`: what has not happened yet is left out.

Small demos should still show every status, so a few recent requests are re-told to end in
the statuses chance left out (`cover_statuses`), faster if need be to end before `now`.
"""

import bisect
import math
import random
from collections import Counter
from collections.abc import Callable
from typing import Any

from db.demo.calls import CallPlan
from db.demo.catalog import Catalog
from db.demo.city import City
from db.demo.context import DAY, HOUR, MINUTE
from db.demo.feedback import AttemptPlan, CallbackPlan, draw_survey
from db.demo.staff import Staff
from db.demo.tickets import EventPlan, TicketPlan
from db.models import AttemptOutcome, CallbackStatus, Role, TicketKind, TicketStatus

_S = TicketStatus

UNIT_ANSWERS: dict[str, list[str]] = {
    "pipe_burst": ["لوله شکسته تعویض و آب‌رسانی برقرار شد", "محل شکستگی با بست تعمیر شد"],
    "branch_leak": ["انشعاب بازسازی و نشت برطرف شد", "شیر انشعاب تعویض شد"],
    "water_cutoff": ["علت قطعی رفع و آب وصل شد", "شیر فلکه محله باز و آب برقرار شد"],
    "low_pressure": ["فشار شبکه تنظیم شد", "لوله رسوب‌گرفته انشعاب تعویض شد"],
    "water_quality": ["نمونه‌برداری انجام شد؛ شبکه شست‌وشو و کیفیت آب در حد استاندارد است"],
    "meter_leak": ["اتصالات کنتور تعویض و نشت رفع شد"],
    "sewer_blockage": ["گرفتگی با دستگاه لایروبی رفع شد", "انشعاب فاضلاب شست‌وشو شد"],
    "manhole_overflow": ["خط فاضلاب لایروبی و سرریز برطرف شد"],
    "manhole_cover": ["دریچه منهول نو نصب شد"],
    "street_water": ["منشأ آب (نشت انشعاب همسایه) پیدا و تعمیر شد"],
    "bill_dispute": ["قبض بررسی و اصلاح شد", "کنتور سالم است؛ مصرف واقعی و قبض درست است"],
    "meter_reading": ["کنتور قرائت و قبض اصلاحی صادر شد"],
    "meter_replacement": ["کنتور معیوب تعویض شد"],
    "new_connection": ["بازدید انجام و هزینه انشعاب به متقاضی اعلام شد"],
    "name_usage_change": ["تغییر نام در سامانه مشترکین ثبت شد"],
    "debt_cutoff": ["پرداخت تأیید و آب وصل شد"],
    "street_repair": ["نوار حفاری آسفالت شد"],
    "illegal_connection": ["بازدید انجام و انشعاب غیرمجاز جمع‌آوری شد"],
    "staff_complaint": ["موضوع با همکار مربوط بررسی و تذکر داده شد"],
    "suggestion": ["پیشنهاد به واحد مربوط منتقل شد"],
}


def tell_stories(
    rng: random.Random,
    now_ts: float,
    tickets: list[TicketPlan],
    *,
    city: City,
    catalog: Catalog,
    staff: Staff,
    calls: list[CallPlan],
) -> None:
    """Tell every request's story up to now, then re-tell a few to cover every status."""
    teller = _Storyteller(rng, now_ts, city, catalog, staff, calls)
    for t in tickets:
        teller.story(t, None)
    teller.cover_statuses(tickets)


class _Storyteller:
    """Tells stories from one random stream, with what a story refers to at hand."""

    def __init__(
        self,
        rng: random.Random,
        now_ts: float,
        city: City,
        catalog: Catalog,
        staff: Staff,
        calls: list[CallPlan],
    ) -> None:
        self.rng = rng
        self.now_ts = now_ts
        self.categories = catalog.categories
        self.unit_names = [u.name_fa for u in city.units]
        self.staff = staff
        self.calls = calls

    def cover_statuses(self, tickets: list[TicketPlan]) -> None:
        """Re-tell recent requests to end in the statuses (and the due callback) that no
        request reached by chance."""
        if not tickets:
            return
        present = {t.status for t in tickets}
        missing = [s for s in TicketStatus if s not in present]
        if not any(cb.status == CallbackStatus.DUE for t in tickets for cb in t.callbacks):
            # ... and a callback still to make.
            missing.append(TicketStatus.AWAITING_FEEDBACK)
        if not missing:
            return
        referenced = {t.duplicate_of for t in tickets if t.duplicate_of >= 0}
        candidates = [
            t for t in reversed(tickets)
            if t.ts < self.now_ts - 6 * HOUR and t.duplicate_of < 0 and t.incident < 0
            and t.idx not in referenced and t.phone is not None
        ]  # fmt: skip
        counts = Counter(t.status for t in tickets)
        for status in missing:
            while candidates:
                t = candidates.pop(0)
                if counts[t.status] > 1:
                    break
            else:
                return
            counts[t.status] -= 1
            t.invalid = status == TicketStatus.CANCELLED
            self.story(t, status)
            counts[t.status] += 1

    def story(self, t: TicketPlan, target: str | None) -> None:
        """Tell ``t``'s story up to now; with a ``target`` status, one that ends there."""
        speed = 1.0
        for _attempt in range(24):
            events, callbacks = self._tell(t, target, speed)
            if target is None:
                keep = sum(1 for e in events if e.ts < self.now_ts - 1)
                break
            keep = next(i for i, e in enumerate(events) if e.to == target) + 1
            if events[keep - 1].ts < self.now_ts - 120:
                break
            speed *= 0.5
        events = [e for e in events[:keep] if e.ts < self.now_ts - 1] or events[:1]
        keep = len(events)
        kept_callbacks = []
        for cb in callbacks:
            if cb.opened_by >= keep:
                continue
            if cb.closed_by >= keep or cb.closed_by < 0:
                # Not finished yet: only the failed attempts made before now are known.
                cb.attempts = [
                    a for a in cb.attempts
                    if a.ts < self.now_ts - 1 and a.outcome != AttemptOutcome.REACHED
                ][:2]  # fmt: skip
                cb.survey = None
                cb.status = CallbackStatus.DUE
                cb.closed = None
            kept_callbacks.append(cb)
        self._escalate(t, events)
        t.events = events
        t.callbacks = kept_callbacks
        t.status = events[-1].to
        t.kind = (
            TicketKind.COMPLAINT
            if self.categories[t.cat].seed.complaint or any(e.action == "reopened" for e in events)
            else TicketKind.REQUEST
        )

    def _tell(
        self, t: TicketPlan, target: str | None, speed: float
    ) -> tuple[list[EventPlan], list[CallbackPlan]]:
        """The whole story of ``t`` (past now too), at ``speed`` times the usual pace."""
        rng = self.rng
        cat = self.categories[t.cat]
        emergency = cat.seed.emergency
        R, T = cat.response_s, cat.resolution_s
        unit = t.unit
        call = self.calls[t.call]
        events: list[EventPlan] = []
        callbacks: list[CallbackPlan] = []
        status: str | None = None

        def add(ts: float, action: str, to: str, actor: int, unit_: int = -1, note: str = "",
                data: dict[str, Any] | None = None) -> float:  # fmt: skip
            nonlocal status
            if events and ts <= events[-1].ts:
                ts = events[-1].ts + 1 + rng.random() * 30
            events.append(EventPlan(ts, action, status, to, actor, unit_, note, data))
            status = to
            return ts

        def gap(lo: float, hi: float) -> float:
            return speed * (lo + rng.random() * (hi - lo))

        followup = self.staff.pick(rng, Role.FOLLOWUP)
        ts = add(t.ts, "registered", _S.REGISTERED, call.agent, data={"call_id": str(call.id)})
        if t.duplicate_of >= 0 or t.invalid:
            ts += gap(5 * MINUTE, 40 * MINUTE) if emergency else gap(20 * MINUTE, 8 * HOUR)
            note = "" if t.duplicate_of >= 0 else "خارج از حوزه خدمات شرکت؛ ابطال شد"
            add(ts, "cancelled", _S.CANCELLED, followup, note=note,
                data={"duplicate_of": t.duplicate_of} if t.duplicate_of >= 0 else None)  # fmt: skip
            return events, callbacks

        stall_referred = target is None and rng.random() < 0.005
        stalled = target is None and rng.random() < 0.015
        pause = target == _S.PENDING_SUBSCRIBER or (
            target is None and rng.random() < (0.08 if emergency else 0.12)
        )
        reject = target == _S.REJECTED or (target is None and rng.random() < 0.08)
        callback_route = t.phone is not None and (
            target == _S.AWAITING_FEEDBACK or rng.random() < 0.35
        )
        unit_fa = self.unit_names[unit] if unit >= 0 else ""
        field_work = emergency or cat.seed.code in ("street_repair", "illegal_connection")

        if emergency:
            ts = add(ts + gap(5, 90), "referred", _S.REFERRED, call.agent, unit,
                     f"ارجاع خودکار به {unit_fa}")  # fmt: skip
        else:
            ts = add(ts + gap(10 * MINUTE, 20 * HOUR), "referred", _S.REFERRED, followup, unit,
                     f"ارجاع به {unit_fa}")  # fmt: skip
        if stall_referred:
            return events, callbacks
        ts = add(max(ts + 60, t.ts + speed * R * (0.3 + rng.random() * 0.95)), "started",
                 _S.IN_PROGRESS, followup, unit,
                 "اکیپ اعزام شد" if field_work else "در دست بررسی واحد")  # fmt: skip
        if pause:
            ts = add(ts + gap(0.05 * T, 0.3 * T), "paused", _S.PENDING_SUBSCRIBER, followup,
                     note="مشترک در محل حضور نداشت؛ هماهنگی برای بازدید دوباره" if field_work
                     else "مدارک تکمیلی از مشترک خواسته شد")  # fmt: skip
            ts = add(ts + (gap(HOUR, 30 * HOUR) if emergency else gap(HOUR, 3 * DAY)),
                     "resumed", _S.IN_PROGRESS, followup, note="با مشترک هماهنگ شد")  # fmt: skip
        if stalled:
            return events, callbacks
        answers = UNIT_ANSWERS[cat.seed.code]
        answer = rng.choice(answers)
        ts = add(ts + max(10 * MINUTE, speed * T * rng.lognormvariate(math.log(0.35), 0.6)),
                 "answered", _S.UNIT_ANSWERED, followup, unit, answer)  # fmt: skip
        if reject:
            ts = add(ts + gap(20 * MINUTE, 6 * HOUR), "rejected", _S.REJECTED, followup, unit,
                     rng.choice(["پاسخ واحد کامل نیست؛ بازدید دوباره لازم است",
                                 "به گفته مشترک مشکل همچنان باقی است"]))  # fmt: skip
            ts = add(ts + gap(30 * MINUTE, 36 * HOUR), "referred", _S.REFERRED, followup, unit,
                     f"ارجاع دوباره به {unit_fa}")  # fmt: skip
            ts = add(ts + gap(0.1 * R, 0.8 * R) + 60, "started", _S.IN_PROGRESS, followup, unit,
                     "اکیپ دوباره اعزام شد" if field_work else "بررسی دوباره")  # fmt: skip
            answer = rng.choice(answers)
            ts = add(ts + max(10 * MINUTE, gap(0.1 * T, 0.5 * T)), "answered",
                     _S.UNIT_ANSWERED, followup, unit, answer)  # fmt: skip
        ts = add(ts + gap(10 * MINUTE, 8 * HOUR), "accepted", _S.ACCEPTED, followup,
                 note="پاسخ واحد تأیید شد")  # fmt: skip
        ts = add(ts + gap(MINUTE, 30 * MINUTE), "feedback_queued", _S.AWAITING_FEEDBACK, followup,
                 note="برای اعلام نتیجه به مشترک")  # fmt: skip
        if not callback_route:
            self._close(add, ts + gap(5 * MINUTE, 2 * HOUR), t)
            return events, callbacks

        surveyor = self.staff.pick(rng, Role.SURVEYOR)
        due = ts + gap(30 * MINUTE, 6 * HOUR)
        cb = CallbackPlan(
            ticket=t.idx,
            sub=t.sub,
            phone=t.phone,
            created=ts,
            due=due,
            agent=surveyor,
            script=answer,
            opened_by=len(events) - 1,
            closed_by=-1,
            attempts=[],
        )
        callbacks.append(cb)
        failures = rng.choices([0, 1, 2, 3], cum_weights=[55, 80, 95, 100])[0]
        at = due + gap(0, 30 * MINUTE)
        for k in range(failures):
            outcome = rng.choice([AttemptOutcome.NO_ANSWER, AttemptOutcome.NO_ANSWER,
                                  AttemptOutcome.BUSY])  # fmt: skip
            cb.attempts.append(AttemptPlan(at, outcome, surveyor))
            if k < 2:
                at += gap(30 * MINUTE, 4 * HOUR)
        if failures == 3:
            cb.status = CallbackStatus.SMS_SENT
            cb.closed = add(at + 60, "closed", _S.CLOSED, surveyor,
                            note="پس از سه تماس ناموفق، نتیجه با پیامک اعلام شد",
                            data={"via": "sms"})  # fmt: skip
            cb.closed_by = len(events) - 1
            return events, callbacks
        cb.attempts.append(AttemptPlan(at, AttemptOutcome.REACHED, surveyor))
        cb.status = CallbackStatus.DONE
        end = at + gap(60, 180)
        if rng.random() < 0.75:
            resolved = rng.random() >= 0.07
            survey = draw_survey(rng, at + 20, surveyor, resolved, emergency)
            cb.survey = survey
            end = (survey.completed or at + 60) + 30
            if not resolved:
                note = "مشترک در نظرسنجی گفت مشکل برطرف نشده؛ بازگشایی به‌عنوان شکایت"
                cb.closed = add(end, "reopened", _S.REFERRED, surveyor, unit, note)
                cb.closed_by = len(events) - 1
                note = "شکایت مشترک؛ پیگیری با مسئول واحد"
                ts = add(cb.closed + gap(MINUTE, 10 * MINUTE), "escalated", _S.REFERRED,
                         followup, note=note)  # fmt: skip
                ts = add(ts + gap(0.2 * R, R) + 60, "started", _S.IN_PROGRESS, followup, unit,
                         "بررسی دوباره")  # fmt: skip
                answer = rng.choice(answers)
                ts = add(ts + max(10 * MINUTE, gap(0.2 * T, 0.6 * T)), "answered",
                         _S.UNIT_ANSWERED, followup, unit, answer)  # fmt: skip
                ts = add(ts + gap(10 * MINUTE, 4 * HOUR), "accepted", _S.ACCEPTED, followup,
                         note="پاسخ واحد تأیید شد")  # fmt: skip
                ts = add(ts + gap(MINUTE, 30 * MINUTE), "feedback_queued",
                         _S.AWAITING_FEEDBACK, followup,
                         note="برای اعلام نتیجه به مشترک")  # fmt: skip
                self._close(add, ts + gap(5 * MINUTE, 2 * HOUR), t)
                return events, callbacks
        cb.closed = add(end, "closed", _S.CLOSED, surveyor,
                        note="نتیجه تلفنی به مشترک اعلام شد", data={"via": "callback"})  # fmt: skip
        cb.closed_by = len(events) - 1
        return events, callbacks

    def _close(self, add: Callable[..., float], ts: float, t: TicketPlan) -> None:
        """Close ``t`` by telling the caller: by SMS, or in person to a walk-in with no phone."""
        rng = self.rng
        if t.phone is None:
            add(ts, "closed", _S.CLOSED, self.staff.pick(rng, Role.FOLLOWUP),
                note="نتیجه حضوری به متقاضی اعلام شد", data={"via": "in_person"})  # fmt: skip
        else:
            add(ts, "closed", _S.CLOSED, self.staff.pick(rng, Role.NOTIFIER),
                note="نتیجه با پیامک به مشترک اعلام شد", data={"via": "sms"})  # fmt: skip

    def _escalate(self, t: TicketPlan, events: list[EventPlan]) -> None:
        """Late requests climb: follow-up (1), supervisor (2), managing director's office (3).

        A request is late at a moment when its resolution target has passed and the unit has
        not answered (a paused clock does not count). A complaint reopened by a survey climbs
        one level too. Levels are numbered in time order, at most 3.
        """
        rng = self.rng
        T = self.categories[t.cat].resolution_s
        due = t.ts + T
        late_statuses = (_S.REGISTERED, _S.REFERRED, _S.IN_PROGRESS, _S.REJECTED)
        reopened = next((e.ts for e in events if e.action == "reopened"), math.inf)
        times = [e.ts for e in events]
        for threshold in (due + 0.05 * T, due + 0.5 * T, due + 1.5 * T):
            at = threshold + rng.random() * 20 * MINUTE
            if at >= min(self.now_ts - 1, reopened):
                break
            i = bisect.bisect_right(times, at) - 1
            if i < 0 or events[i].to not in late_statuses:
                continue
            if i + 1 < len(events) and events[i + 1].ts <= at + 1:
                continue
            events.append(EventPlan(at, "escalated", events[i].to, events[i].to, -1))
        events.sort(key=lambda e: e.ts)
        level = 0
        notes = {
            1: "تأخیر در رسیدگی؛ پیگیری با مسئول واحد",
            2: "ارجاع به سرپرست مرکز",
            3: "گزارش به دفتر مدیرعامل",
        }
        for e in list(events):
            if e.action != "escalated":
                continue
            if level == 3:
                events.remove(e)
                continue
            level += 1
            e.data = {"level": level}
            if level == 1:
                if e.actor < 0:
                    e.actor = self.staff.pick(rng, Role.FOLLOWUP)
            else:
                e.actor = self.staff.supervisor
            if not e.note or level > 1:
                e.note = notes[level] if not e.note else f"{e.note}؛ {notes[level]}"
