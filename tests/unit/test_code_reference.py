from __future__ import annotations

from himdesk.domain.coding.code_set import CodeSetLibrary
from himdesk.services.code_reference import CodeReference


class FakeReleases:
    def __init__(self) -> None:
        self.loads = 0
        self.stamp = 1

    def load(self) -> CodeSetLibrary:
        self.loads += 1
        return CodeSetLibrary()


def test_library_is_loaded_once_and_kept() -> None:
    releases = FakeReleases()
    reference = CodeReference(releases.load, stamp=lambda: releases.stamp, recheck_seconds=0)

    first = reference.library
    assert reference.library is first
    assert releases.loads == 1


def test_a_release_loaded_by_another_process_is_noticed() -> None:
    releases = FakeReleases()
    reference = CodeReference(releases.load, stamp=lambda: releases.stamp, recheck_seconds=0)
    _ = reference.library

    releases.stamp = 2
    _ = reference.library

    assert releases.loads == 2


def test_the_stamp_is_not_checked_more_often_than_asked() -> None:
    releases = FakeReleases()
    reference = CodeReference(releases.load, stamp=lambda: releases.stamp, recheck_seconds=3600)
    _ = reference.library

    releases.stamp = 2
    _ = reference.library

    assert releases.loads == 1
