"""How patient names are normalised and keyed so that search tolerates typos.

Registration clerks misspell names; HIM staff type them from paper. A name is found by
its exact normalised form, a prefix of it, its sound (NYSIIS key) or a small edit distance.
"""

from __future__ import annotations

import re
import unicodedata

import jellyfish

_NOT_LETTERS = re.compile(r"[^a-z]")
# Letters that Unicode does not decompose into an ASCII base letter.
_SPELLED_OUT = str.maketrans(
    {"ß": "ss", "ẞ": "ss", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "æ": "ae", "Æ": "ae",
     "œ": "oe", "Œ": "oe", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th",
     "ı": "i"}
)  # fmt: skip


def normalize_name(name: str) -> str:
    """Lower-case ASCII letters only: 'O'Brien-Smith' -> 'obriensmith'."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_SPELLED_OUT))
    ascii_only = decomposed.encode("ascii", "ignore").decode().lower()
    return _NOT_LETTERS.sub("", ascii_only)


def sound_key(name: str) -> str:
    normalized = normalize_name(name)
    return str(jellyfish.nysiis(normalized)) if normalized else ""
