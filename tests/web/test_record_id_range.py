"""Record ids in addresses past PostgreSQL's INTEGER are a clear 400, never a 500."""

from __future__ import annotations

import pytest

from tests.web.conftest import LogIn

PAST_INTEGER = "99999999999"  # fits 64 bits, not 32


@pytest.mark.parametrize(
    "path",
    [f"/patients/{PAST_INTEGER}", f"/imports/holds/{PAST_INTEGER}",
     f"/imports/rejections/{PAST_INTEGER}", f"/imports/holds?decided={PAST_INTEGER}",
     f"/patients/1/documents/{PAST_INTEGER}", f"/amendments/{PAST_INTEGER}"],
)  # fmt: skip
def test_ids_past_the_integer_column_range_get_a_clear_400(log_in: LogIn, path: str) -> None:
    page = log_in("him_manager").get(path)
    assert page.status_code == 400
    assert "Request not understood" in page.text
