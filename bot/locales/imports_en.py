"""English catalog of importing a spreadsheet's rows as leads. Values are HTML for Telegram."""

MESSAGES: dict[str, str] = {
    "error.unreadable_sheet": "This file cannot be read. Send a CSV file (UTF-8 or "
                              "Windows-1254, separated by commas or semicolons) or an .xlsx "
                              "workbook.",
    "error.import_bad_map": "That column mapping names a column the file lacks or a field "
                            "leads do not have.",
    "error.import_no_contact_column": "No column of this file is a phone number or an "
                                      "e-mail address, so no row can become a lead.",
}
