"""Everything that depends on how Textual draws to the terminal or on its internals, in one
place: the early first frame (Textual's theme, color system and filters, reproduced),
the ANSI-to-truecolor filter with a larger cache, and garbage collections deferred to idle
moments. Each falls back to Textual's own behaviour when Textual's internals differ, and
``tests/test_terminal_coupling.py`` checks them against Textual's own output."""
