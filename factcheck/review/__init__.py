"""Reviewer outputs: the Markdown checklist, the HTML report and the spreadsheet."""
