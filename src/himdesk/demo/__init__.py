"""The demo hospital: a deterministic, synthetic population with planted HIM problems."""
