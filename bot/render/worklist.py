"""What /leads and /today answer: an agent's open leads page by page, and what is due."""

from __future__ import annotations

from bot.card_keyboards import leads_keyboard
from bot.i18n import Markup, t, t_raw
from bot.render.formatting import Localized, fit
from bot.render.shapes import Rendered
from core.lifecycle.worklist import DueTask, LeadsPage
from core.model import Lead

_LABEL_NAME = 18  # characters of a name on a /leads button


def _name(lead: Lead) -> str:
    return lead.name or "—"


class WorkReplies(Localized):
    """Renders the agent's work lists."""

    def leads_page(self, lang: str, page: LeadsPage) -> Rendered:
        """One page of /leads, with a button per lead and the pages either side."""
        if not page.total:
            return Rendered(t(lang, "leads.none"))
        head = [t(lang, "leads.page_title", count=page.total, page=page.page + 1,
                  pages=page.pages)]
        rows = []
        for lead in page.leads:
            task = page.next_tasks.get(lead.id)
            upcoming = (t_raw(lang, f"task.{task.kind.value}") + " " + self.local_time(task.due_at)
                        if task else t_raw(lang, "leads.no_task"))
            rows.append(t(lang, "leads.line", lead_id=lead.id, name=_name(lead),
                          stage=t_raw(lang, f"stage.{lead.stage.value}"), next=upcoming))
        labels = [f"#{lead.id} {_name(lead)[:_LABEL_NAME]}" for lead in page.leads]
        return Rendered(fit(lang, head, rows), leads_keyboard(
            lang, [lead.id for lead in page.leads], labels, page=page.page, pages=page.pages))

    def due_today(self, lang: str, due: list[DueTask]) -> str:
        """What /today answers: overdue tasks first, then today's, soonest first."""
        if not due:
            return t(lang, "today.none")
        rows = []
        for item in sorted(due, key=lambda d: (not d.overdue, d.task.due_at)):
            when = (Markup(t(lang, "today.overdue", time=self.local_time(item.task.due_at)))
                    if item.overdue else self.local_time(item.task.due_at))
            rows.append(t(lang, "today.line", when=when,
                          task=Markup(t(lang, f"task.{item.task.kind.value}")),
                          lead_id=item.lead.id, name=_name(item.lead)))
        return fit(lang, [t(lang, "today.title", count=len(due))], rows)
