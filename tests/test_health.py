"""`make doctor`'s catalog check: a broken campaigns or advisers file is named, in French."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cnam.settings import get_settings
from stack import health

CATALOG = Path(__file__).parents[1] / "catalog"


def test_the_catalog_files_are_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(CATALOG, tmp_path / "catalog")
    monkeypatch.setattr(get_settings(), "catalog_dir", str(tmp_path / "catalog"))
    assert health.check_catalog().ok

    (tmp_path / "catalog" / "campaigns.yaml").write_text("campaigns:\n  - code: A!\n", encoding="utf-8")
    check = health.check_catalog()
    assert not check.ok and "campaigns.yaml" in check.detail and check.detail.endswith("relancez")

    (tmp_path / "catalog" / "campaigns.yaml").unlink()  # no campaigns: fine
    assert health.check_catalog().ok
    (tmp_path / "catalog" / "advisers.yaml").write_text("advisers: [", encoding="utf-8")
    assert "advisers.yaml" in health.check_catalog().detail
