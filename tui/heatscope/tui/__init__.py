"""The Textual inspector; launch, options and first_frame run before textual is imported."""
