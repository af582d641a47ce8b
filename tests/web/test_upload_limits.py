"""An upload is bounded per file and for all its files together (each is read into memory);
nothing of a refused upload is imported, a file's name is shown as text, never markup, and a
hold decision that names no number is a clear 400."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from himdesk.bootstrap import Himdesk
from himdesk.storage import tables as t
from himdesk.web.routes import imports as imports_routes
from tests.web.conftest import LogIn, csrf_of
from tests.web.test_imports_pages import BUNDLE, queued, upload

__all__ = ["queued"]  # the import page tests' queue examples, shared as a fixture


def receipts(himdesk: Himdesk) -> int:
    with himdesk.engine.connect() as db:
        return int(db.execute(select(func.count()).select_from(t.import_receipts)).scalar_one())


def test_a_file_over_the_limit_is_refused_by_name(
    himdesk: Himdesk, log_in: LogIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports_routes, "LARGEST_UPLOAD", len(BUNDLE) - 1)
    response = upload(log_in("hit"), ("halvorsen.json", BUNDLE))
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "halvorsen.json is larger than" in response.text  # type: ignore[attr-defined]
    assert receipts(himdesk) == 0


def test_files_over_the_limit_together_are_refused_and_none_is_imported(
    himdesk: Himdesk, log_in: LogIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports_routes, "LARGEST_UPLOADS", 2 * len(BUNDLE) - 1)
    response = upload(log_in("hit"), ("a.json", BUNDLE), ("b.json", BUNDLE))
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "larger than" in response.text and "together" in response.text  # type: ignore[attr-defined]
    assert receipts(himdesk) == 0


def test_a_file_name_with_markup_is_shown_as_text(log_in: LogIn) -> None:
    response = upload(log_in("him_manager"), ("<img src=x onerror=alert(1)>.pdf", b"%PDF-1.7"))
    page = response.text  # type: ignore[attr-defined]
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;.pdf" in page


@pytest.mark.parametrize("choice", [("chart_0", "²"), ("chart_²", "new"), ("chart_0", "9" * 40)])
def test_a_hold_decision_with_digits_that_are_no_number_is_a_clear_400(
    log_in: LogIn, queued: dict[str, str], choice: tuple[str, str]
) -> None:
    client = log_in("him_manager")
    hold = f"/imports/holds/{queued['hold_id']}"
    token = csrf_of(client.get(hold).text)
    response = client.post(hold, data={"csrf_token": token, "decision": "import", **dict([choice])})
    assert response.status_code == 400 and "Choose one of the patients shown" in response.text
