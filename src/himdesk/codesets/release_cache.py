"""A library read from release files, cached on disk as encoded parts keyed by the files'
digests: the first process parses, later ones (test workers, benchmarks) decode, which is
several times faster. A cache entry is written whole to a temporary name and renamed into
place, so concurrent processes never read half of one."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import orjson

from himdesk.codesets.code_set_codec import (
    collection_paused,
    decode_code_set,
    decode_sources,
    encode_parts,
    encode_sources,
)
from himdesk.codesets.release_reader import ReleaseDirectory
from himdesk.domain.coding.code_set import (
    CodeSetLibrary,
    CodeSetRelease,
    DiagnosisCodeSet,
    ProcedureCodeSet,
)
from himdesk.domain.coding.codes import CodeSystem

_RELEASE = "release.json"
_READER_MODULES = (
    "official_xml", "index_lines", "cm_tabular", "cm_index_xml", "cm_index_flat",
    "pcs_tables", "pcs_definitions", "release_files", "release_reader",
    "code_set_codec", "tabular_codec", "index_codec", "pcs_codec", "release_cache",
)  # fmt: skip


def cached_library(directory: Path | None, cache: Path) -> CodeSetLibrary:
    files = ReleaseDirectory(directory)
    diagnoses: list[DiagnosisCodeSet] = []
    procedures: list[ProcedureCodeSet] = []
    for system in files.systems:
        entry = cache / f"{system.name}-{files.digest(system)[:32]}-{_reader_version()}"
        if not (entry / _RELEASE).is_file():
            _write(entry, files.read(system))
        with collection_paused():
            code_set = _read(entry)
        if isinstance(code_set, DiagnosisCodeSet):
            diagnoses.append(code_set)
        else:
            procedures.append(code_set)
    return CodeSetLibrary(tuple(diagnoses), tuple(procedures))


def _reader_version() -> str:
    """A digest of the readers' and codec's own source: a cache written by other code (an
    earlier checkout, a fixed reader) is never read back."""
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for module in _READER_MODULES:
        digest.update((package / f"{module}.py").read_bytes())
    return digest.hexdigest()[:16]


def _write(entry: Path, code_set: DiagnosisCodeSet | ProcedureCodeSet) -> None:
    entry.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=entry.parent, prefix=".writing-"))
    for name, payload in encode_parts(code_set):
        (staging / name.replace(":", "-")).write_bytes(payload)
    release = code_set.release
    (staging / _RELEASE).write_bytes(
        orjson.dumps({
            "system": release.system.value, "fiscal_year": release.fiscal_year,
            "sources": encode_sources(release.sources),
        })
    )  # fmt: skip
    try:
        os.rename(staging, entry)
    except OSError:
        # Another process cached the same release first: theirs is identical.
        for leftover in staging.iterdir():
            leftover.unlink()
        staging.rmdir()


def _read(entry: Path) -> DiagnosisCodeSet | ProcedureCodeSet:
    stored = orjson.loads((entry / _RELEASE).read_bytes())
    release = CodeSetRelease.for_fiscal_year(
        CodeSystem(stored["system"]), stored["fiscal_year"], decode_sources(stored["sources"])
    )
    parts = {
        path.name.replace("-", ":", 1): path.read_bytes()
        for path in entry.iterdir()
        if path.name != _RELEASE
    }
    return decode_code_set(release, parts)
