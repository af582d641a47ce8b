"""Coding rules: the ICD-10-CM/PCS code sets as values, index navigation, lookup ranking,
code edits and the coding abstract. Pure: no I/O; the code sets arrive already read."""
