"""A spreadsheet sent to the bot for import, as Telegram text: its preview (the columns read,
the first rows as leads, the dry run's counts), the progress line and the report."""

from __future__ import annotations

from bot.i18n import t, t_raw
from bot.render.formatting import Localized, number, phone
from core.import_columns import Column
from core.lead_input import LeadInput
from core.lifecycle.chat_import import ChatPreview
from core.lifecycle.imports import ImportReport

SHOWN_REJECTED = 10  # rejected rows named in a preview or a report; the count is whole
_NO_CONTACT = "no phone or e-mail"  # imports.import_sheet's reason, said in the reader's words


def preview_text(lang: str, money: Localized, preview: ChatPreview, described: str) -> str:
    """The preview of an import: what Import would do, before it is pressed."""
    pending, report = preview.pending, preview.report
    lines = [t(lang, "import.preview.title", name=pending.file_name, described=described), "",
             t(lang, "import.preview.columns")]
    fields = [c for c in preview.columns if c.field != "extra"]
    lines += [t(lang, "import.preview.column", header=_header(c),
                field=t_raw(lang, f"import.field.{c.field}")) for c in fields]
    extras = [_header(c) for c in preview.columns if c.field == "extra"]
    if extras:
        lines.append(t(lang, "import.preview.extras", headers=", ".join(extras)))
    lines += ["", t(lang, "import.preview.samples")]
    lines += [t(lang, "import.preview.sample", row=row, lead=_lead(lang, money, lead))
              for row, lead in preview.samples] or [t(lang, "import.preview.no_samples")]
    lines += ["", t(lang, "import.preview.counts", **_counts(lang, report))]
    lines += _rejected(lang, report)
    if report.again:
        lines.append(t(lang, "import.preview.again", again=number(report.again, lang)))
    lines.append("")
    if not report.stored:
        lines.append(t(lang, "import.preview.nothing"))
    else:
        lines.append(t(lang, "import.preview.held" if report.held else "import.preview.routed",
                       source=pending.source))
        lines.append(t(lang, "import.preview.expires"))
    return "\n".join(lines)


def progress_text(lang: str, name: str, done: int, total: int) -> str:
    """The line an import in progress shows: rows read so far of the file's."""
    return t(lang, "import.progress", name=name, done=number(done, lang),
             total=number(max(total, done), lang))


def report_text(lang: str, name: str, report: ImportReport) -> str:
    """What an import did."""
    lines = [t(lang, "import.done", name=name), t(lang, "import.report.counts",
                                                   **_counts(lang, report))]
    lines += _rejected(lang, report)
    if report.again:
        lines.append(t(lang, "import.report.again", again=number(report.again, lang)))
    if report.stored:
        lines.append(t(lang, "import.report.held" if report.held else "import.report.routed"))
    return "\n".join(lines)


def _counts(lang: str, report: ImportReport) -> dict[str, str]:
    return {name: number(getattr(report, name), lang)
            for name in ("rows", "new", "merged", "duplicates", "rejected")}


def _rejected(lang: str, report: ImportReport) -> list[str]:
    shown = report.rejected_rows[:SHOWN_REJECTED]
    lines = [t(lang, "import.rejected_row", row=row,
               why=_why(lang, why))
             for row, why in shown]
    if report.rejected > len(shown):
        lines.append(t(lang, "import.rejected_more",
                       count=number(report.rejected - len(shown), lang)))
    return lines


def _why(lang: str, why: str) -> str:
    """A row's reason in the reader's words: intake's reasons name the fields at fault
    (`phone: is not a valid phone number`), and the unreadable phone or e-mail is said."""
    if why == _NO_CONTACT:
        return t_raw(lang, "import.why.no_contact")
    fields = frozenset(part.split(":", 1)[0] for part in why.split("; "))
    key = _UNREADABLE.get(fields)
    return t_raw(lang, key) if key else why


_UNREADABLE = {frozenset({"phone"}): "import.why.bad_phone",
               frozenset({"email"}): "import.why.bad_email",
               frozenset({"phone", "email"}): "import.why.bad_both"}


def _header(column: Column) -> str:
    return column.header or f"#{column.index + 1}"


def _lead(lang: str, money: Localized, lead: LeadInput) -> str:
    """A row as the lead it would become, on one line."""
    parts = [lead.name, phone(lead.phone) if lead.phone else None, lead.email, lead.region]
    low, high = lead.budget_min, lead.budget_max
    if low is not None or high is not None:
        shown = [money.money(lang, v) for v in dict.fromkeys((low, high)) if v is not None]
        parts.append("–".join(shown))
    if lead.extras:
        parts.append(", ".join(f"{k}: {v}" for k, v in list(lead.extras.items())[:3]))
    return " · ".join(p for p in parts if p)
