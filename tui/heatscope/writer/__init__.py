"""Writing run files from a training loop (RunWriter), with the writer lock and SWMR flags."""
