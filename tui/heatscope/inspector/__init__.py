"""The Textual inspector: app, widgets and screens (the only package that imports textual)."""
