"""Reading slices: selections, overviews, metric views, run stacks, the session's cache."""
