"""Admin mode (F7), questionnaires: the survey questions callbacks ask, reworded here.

Each questionnaire is a row, its questions indented under it. Enter on a question rewords it
(Persian and English); on a questionnaire, renames it or switches it off or on. Adding,
retiring and reordering questions, and their scales, stay with `abfa-desk` for now: a question
with answers is never deleted, and db.feedback guards that (this view only links to it).
"""

from dataclasses import dataclass, replace

from rich.text import Text
from sqlmodel import Session
from textual import work
from textual.app import ComposeResult

from console.i18n import N_, _, lang_digits
from console.i18n.callback_words import feedback_error_text
from console.i18n.intake_words import local_name
from console.screens.admin_dialog import AdminDialog, Refused
from console.screens.admin_view import AdminView
from console.widgets.lines import Line
from db.accounts import PermissionDenied
from db.engine import session
from db.feedback import (
    FeedbackError,
    QuestionnaireView,
    QuestionView,
    list_questionnaires,
    update_question,
    update_questionnaire,
)

__all__ = ["QuestionnairesView", "Wording", "WordingDialog"]

SCALES = {"yes_no": N_("yes/no"), "one_to_five": N_("1 to 5"), "text": N_("text")}


@dataclass(frozen=True)
class Entry:
    """A row: a questionnaire, or one of its questions."""

    questionnaire: QuestionnaireView
    question: QuestionView | None = None


@dataclass
class Wording:
    """A questionnaire's names and state, or a question's texts, as typed."""

    target_id: str
    is_question: bool
    fa: str
    en: str
    active: bool = True


class WordingDialog(AdminDialog[Wording]):
    """Reword a question, or rename a questionnaire and switch it off or on."""

    def __init__(self, draft: Wording, title: str, *, error: str = "", error_field: str = ""):
        self.draft = draft
        question = ("text_fa", "text_en")
        self.FIELDS = question if draft.is_question else ("name_fa", "name_en", "active")
        super().__init__(title, error=error, error_field=error_field)

    def _ids(self) -> tuple[str, str]:
        return ("text_fa", "text_en") if self.draft.is_question else ("name_fa", "name_en")

    def fields(self) -> ComposeResult:
        d = self.draft
        fa, en = self._ids()
        if d.is_question:
            yield from self.text_field(_("Persian text"), fa, d.fa, max_length=400)
            yield from self.text_field(_("English text"), en, d.en, max_length=400)
        else:
            yield from self.text_field(_("Persian name"), fa, d.fa, max_length=120)
            yield from self.text_field(_("English name"), en, d.en, max_length=120)
            options = [(True, _("in use")), (False, _("not in use"))]
            yield from self.choice_field(_("Use"), "active", options, d.active)

    def current(self) -> Wording:
        fa, en = self._ids()
        active = self.draft.active if self.draft.is_question else self.chosen("active")
        return replace(self.draft, fa=self.typed(fa), en=self.typed(en), active=active)

    def collect(self) -> Wording:
        d = self.current()
        if not d.fa.strip():
            raise Refused(self._ids()[0], _("This cannot be empty."))
        return d


class QuestionnairesView(AdminView):
    """The center's questionnaires, each with its questions."""

    SCOPE = "admin_questionnaires"
    LISTINGS = {
        "questionnaires": (
            ("code", N_("Code"), 16),
            ("text", N_("Question"), 44),
            ("scale", N_("Answer"), 9),
            ("state", N_("State"), 10),
        )
    }
    DETAIL_ROWS = 2

    def read(self, s: Session, listing: str):
        rows = []
        for q in list_questionnaires(s, actor=self.agent):
            rows.append(Entry(q))
            rows += [Entry(q, question) for question in q.questions]
        return rows, None

    def key(self, row: Entry) -> str:
        return f"x{row.question.id}" if row.question else f"q{row.questionnaire.id}"

    def cells(self, row: Entry) -> list[Text]:
        q, x = row.questionnaire, row.question
        if x is None:
            values = {
                "code": q.code,
                "text": local_name(q.name_fa, q.name_en),
                "state": _("in use") if q.active else _("not in use"),
            }
            return self.values_cells(values, dim=not q.active, code="bold", text="bold")
        scale = _(SCALES[x.scale]) if x.scale in SCALES else x.scale
        values = {
            "code": f"  {lang_digits(str(x.position))}. {x.code}",
            "text": local_name(x.text_fa, x.text_en),
            "scale": scale,
        }
        return self.values_cells(values, dim=not q.active)

    def detail(self, row: Entry) -> list[Line]:
        q, x = row.questionnaire, row.question
        if x is None:
            said = _("{n} questions, {retired} retired (kept for their answers)").format(
                n=lang_digits(str(len(q.questions))), retired=lang_digits(str(len(q.retired)))
            )
            return [Line(said)]
        lines = [Line(local_name(x.text_fa, x.text_en))]
        said = _("{n} answers").format(n=lang_digits(str(x.answers)))
        if x.reopens_on_no:
            said += " · " + _("a no reopens the request")
        lines.append(Line(said, "detail--muted"))
        return lines

    def count_text(self) -> str:
        count = sum(1 for row in self.rows if row.question is None)
        return _("Questionnaires: {n}").format(n=lang_digits(str(count)))

    def action_edit_row(self) -> None:
        row = self.current()
        if row is None:
            return
        q, x = row.questionnaire, row.question
        if x is None:
            draft = Wording(str(q.id), False, q.name_fa, q.name_en, q.active)
            title = _("Questionnaire {code}").format(code=q.code)
        else:
            draft = Wording(str(x.id), True, x.text_fa, x.text_en)
            title = _("Question {code}").format(code=x.code)
        self.open_wording(draft, title)

    def open_wording(self, draft: Wording, title: str, error: str = "", field: str = "") -> None:
        dialog = WordingDialog(draft, title, error=error, error_field=field)
        self.open(dialog, lambda d: self._save(d, title))

    @work(thread=True, group="admin-write", exit_on_error=False)
    def _save(self, d: Wording, title: str) -> None:
        # db.feedback's own refusals (FeedbackError), so not AdminView.write.
        now = self._clock()
        try:
            with session(self._engine) as s:
                if d.is_question:
                    update_question(
                        s, actor=self.agent, question_id=d.target_id, text_fa=d.fa,
                        text_en=d.en or d.fa, now=now,
                    )  # fmt: skip
                else:
                    update_questionnaire(
                        s, actor=self.agent, questionnaire_id=d.target_id, name_fa=d.fa,
                        name_en=d.en or d.fa, active=d.active, now=now,
                    )  # fmt: skip
        except FeedbackError as error:
            text = feedback_error_text(error.reason, error.params, now=now)
            field = str(error.params.get("field", ""))
            self.app.call_from_thread(self.open_wording, d, title, text, field)
            return
        except PermissionDenied:
            self.app.call_from_thread(
                self.say, _("You do not have permission for this."), warning=True
            )
            return
        key = f"x{d.target_id}" if d.is_question else f"q{d.target_id}"
        self.app.call_from_thread(self._written, lambda _r: (_("Saved."), key), None)
