"""A view as one value (spec), resolved to a state and evaluated to a frame; no drawing here."""
