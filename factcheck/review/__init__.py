"""Reviewer outputs: the Markdown checklist, the HTML report and the spreadsheet.

command    `factcheck report` (arguments; the work goes through `factcheck.api.analyze`)
model      what the outputs share: worst finding per claim, linked claims, groups, sentences
checklist  Markdown: findings first, one box per claim by metric and period
html       one self-contained page; templates/ holds its Jinja2 template, CSS and JS
chart      the per-metric SVG of stated against implied values
xlsx       sheets claims, findings, documents
frames     the documents DataFrame (claims and findings frames are in factcheck.report)
"""
