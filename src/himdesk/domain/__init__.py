"""Pure rules and values of the legal medical record: no I/O, no frameworks."""
