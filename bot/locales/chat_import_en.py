"""English catalog of a spreadsheet sent to the bot for import. Values are HTML for Telegram."""

MESSAGES: dict[str, str] = {
    "import.preview.title": "📄 <b>{name}</b> ({described})",
    "import.preview.columns": "<b>Columns read</b>",
    "import.preview.column": "• {header} → {field}",
    "import.preview.extras": "<b>Kept with each lead</b> (shown under More): {headers}",
    "import.preview.samples": "<b>The first rows as leads</b>",
    "import.preview.sample": "row {row}: {lead}",
    "import.preview.no_samples": "(no row in the first ones would become a lead)",
    "import.preview.counts": "<b>Dry run:</b> {rows} rows · {new} new · {merged} merged into "
                             "existing contacts · {duplicates} duplicates in the file · "
                             "{rejected} rejected",
    "import.preview.again": "{again} were imported before (same lead id) and stay as they are.",
    "import.preview.routed": "Source <code>{source}</code>. Import offers the leads to the "
                             "agents, as the website's are.",
    "import.preview.held": "Source <code>{source}</code>. Over 1,000 rows: Import stores the "
                           "leads in nurture, without offering them; /pending lists them and "
                           "/assign gives them out.",
    "import.preview.nothing": "No row would become a lead: nothing to import.",
    "import.preview.expires": "This preview can be imported for 24 hours.",
    "import.rejected_row": "row {row}: {why}",
    "import.rejected_more": "… and {count} more",
    "import.why.no_contact": "no phone or e-mail",
    "import.why.bad_phone": "the phone number could not be read",
    "import.why.bad_email": "the e-mail address could not be read",
    "import.why.bad_both": "neither the phone number nor the e-mail address could be read",
    "import.button.route": "✅ Import and offer",
    "import.button.store": "📥 Import to nurture",
    "import.button.cancel": "✖ Cancel",
    "import.answer.started": "Importing…",
    "import.answer.cancelled": "Cancelled",
    "import.progress": "⏳ Importing <b>{name}</b>… {done} / {total} rows",
    "import.starting": "⏳ Importing <b>{name}</b>…",
    "import.done": "✅ <b>{name}</b> imported",
    "import.report.counts": "{rows} rows read · {new} new leads · {merged} merged into "
                            "existing contacts · {duplicates} duplicates in the file (not "
                            "stored again) · {rejected} rejected",
    "import.report.again": "{again} imported before (same lead id), left as they were.",
    "import.report.routed": "The leads are offered to the agents at the team's pace; "
                            "/pending shows those still waiting.",
    "import.report.held": "Stored in nurture: /pending lists them and /assign gives them out.",
    "import.failed": "⚠️ The import of <b>{name}</b> broke off: {why}. The rows stored "
                     "before that stay; send the file again to import the rest (rows "
                     "imported already are merged, not doubled).",
    "import.cancelled": "✖ <b>{name}</b>: import cancelled, nothing was stored.",
    "import.reading": "📄 Reading <b>{name}</b>…",
    "import.too_big": "<b>{name}</b> is {size} MB, and Telegram lets a bot download files of "
                      "up to 20 MB. Split it into smaller files, or import it on the server: "
                      "<code>leadrelay import FILE --source import</code>.",
    "import.not_a_sheet": "I can import lists saved as <b>.csv</b> or Excel <b>.xlsx</b>. "
                          "Save the list in one of them and send it again.",
    "import.old_xls": "<b>{name}</b> is an old Excel .xls file: save it as .xlsx (Excel "
                      "Workbook) or CSV and send it again.",
    "import.unreadable": "<b>{name}</b> cannot be read: {why}. Send a CSV (UTF-8 or "
                         "Windows-1254, separated by commas or semicolons) or an .xlsx file.",
    "import.no_contact_column": "<b>{name}</b> has no column of phone numbers or e-mail "
                                "addresses (headers such as Phone, Telefon, Cep, GSM, E-mail, "
                                "E-posta), so no row can become a lead. Name the column so and "
                                "send it again.",
    "import.managers_only": "Only managers can import lists of leads. Send the file to a "
                            "manager.",
    "error.import_not_pending": "This import was already started or cancelled.",
    "error.import_expired": "This preview is over a day old: send the file again.",
    "import.field.name": "name",
    "import.field.first_name": "first name",
    "import.field.last_name": "last name",
    "import.field.phone": "phone",
    "import.field.email": "e-mail",
    "import.field.company": "company",
    "import.field.region": "region",
    "import.field.budget": "budget",
    "import.field.budget_min": "budget from",
    "import.field.budget_max": "budget up to",
    "import.field.message": "note",
    "import.field.source": "tag (source)",
    "import.field.tags": "tags",
    "import.field.product": "product",
    "import.field.timing": "timing",
    "import.field.postal_code": "postal code",
    "import.field.language": "language",
    "import.field.external_id": "lead id",
    "import.field.skip": "left out",
}
