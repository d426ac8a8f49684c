"""Headless export: the TUI's panels written as svg, html, png, txt, ansi or csv.

Nothing here imports textual, so exports run in cron, CI or over a plain pipe.
"""
