"""The campaigns file (catalog/campaigns.yaml) and the QR command (python -m bot qr)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import segno
import yaml
from PIL import Image

from bot import qr
from cnam import campaigns
from cnam.campaigns import CampaignsFileError, get_campaigns, load_campaigns
from cnam.settings import get_settings

ROOT = Path(__file__).resolve().parents[1]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def write(path: Path, entries: list[dict]) -> Path:
    path.write_text(yaml.safe_dump({"campaigns": entries}, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def catalog_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CATALOG_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_the_real_file_is_valid() -> None:
    found = load_campaigns(campaigns.campaigns_path())
    assert {"koungou_affiche", "radio_spot", "rectorat_intranet", "forum_stand"} <= {
        c.code for c in found.campaigns
    }
    poster = found.get("koungou_affiche")
    assert poster is not None and poster.commune == "Koungou" and poster.label
    assert found.get("radio_spot").commune is None
    assert found.get("zzz_inconnu") is None


@pytest.mark.parametrize(
    ("entry", "said"),
    [
        ({"code": "Koungou_Affiche", "label": "x"}, "minuscules, chiffres et _ seulement"),
        ({"code": "ab", "label": "x"}, "3 à 32 caractères"),
        ({"code": "a" * 33, "label": "x"}, "3 à 32 caractères"),
        ({"code": "koungou-affiche", "label": "x"}, "minuscules, chiffres et _ seulement"),
        ({"code": "koungou", "label": "x", "commune": "Kawéni"}, "commune inconnue : Kawéni"),
        ({"code": "koungou", "label": "x", "comune": "Koungou"}, "champ inconnu"),
        ({"code": "koungou"}, "champ obligatoire manquant"),
        ({"code": "koungou", "label": ""}, "texte vide"),
        ({"code": "koungou", "label": "x" * 61}, "texte trop long"),
    ],
)
def test_a_wrong_entry_names_the_file_and_the_field(tmp_path: Path, entry: dict, said: str) -> None:
    path = write(tmp_path / "campaigns.yaml", [{"code": "radio_spot", "label": "Radio"}, entry])
    with pytest.raises(CampaignsFileError) as error:
        load_campaigns(path)
    message = str(error.value)
    assert message.startswith(f"{path} : champ « campaigns.1."), message
    assert said in message


def test_codes_are_unique(tmp_path: Path) -> None:
    path = write(tmp_path / "campaigns.yaml", [
        {"code": "radio_spot", "label": "Radio"}, {"code": "radio_spot", "label": "Radio bis"},
    ])
    with pytest.raises(CampaignsFileError, match="codes en double : radio_spot"):
        load_campaigns(path)


def test_broken_yaml_is_an_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "campaigns.yaml"
    path.write_text("campaigns: [\n", encoding="utf-8")
    with pytest.raises(CampaignsFileError, match="lecture impossible"):
        load_campaigns(path)


def test_no_file_means_no_campaign_and_an_edit_is_read_again(catalog_dir: Path) -> None:
    assert get_campaigns().campaigns == []
    path = write(catalog_dir / "campaigns.yaml", [{"code": "radio_spot", "label": "Radio"}])
    assert get_campaigns().get("radio_spot").label == "Radio"
    write(path, [{"code": "forum_stand", "label": "Forum"}])
    later = path.stat().st_mtime_ns + 2_000_000_000  # some filesystems keep whole seconds
    os.utime(path, ns=(later, later))
    assert [c.code for c in get_campaigns().campaigns] == ["forum_stand"]


def test_link() -> None:
    assert campaigns.link("@CnamMayotteBot", "koungou_affiche") == (
        "https://t.me/CnamMayotteBot?start=koungou_affiche"
    )


def modules(path: Path, border: int = 4, scale: int = 10) -> list[list[bool]]:
    """The dark modules of a QR code PNG, read back from its pixels."""
    with Image.open(path) as image:
        gray = image.convert("L")
        size = gray.width // scale - 2 * border
        return [
            [gray.getpixel(((border + x) * scale + scale // 2, (border + y) * scale + scale // 2)) < 128
             for x in range(size)]
            for y in range(size)
        ]


def test_qr_writes_a_png_of_the_link(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "affiche.png"
    assert qr.main(["koungou_affiche", "--out", str(out), "--bot", "CnamMayotteBot"]) == 0
    raw = out.read_bytes()
    assert raw.startswith(PNG_SIGNATURE) and len(raw) > 200
    with Image.open(out) as image:
        assert image.format == "PNG" and image.width == image.height >= 250  # printable
    # The modules are those of the link's QR code (segno reads none back: compared to its matrix).
    url = "https://t.me/CnamMayotteBot?start=koungou_affiche"
    expected = [[bool(m) for m in row] for row in segno.make(url, error="m").matrix]
    assert modules(out) == expected
    printed = capsys.readouterr().out
    assert url in printed and "Affiche à Koungou" in printed


def test_qr_takes_the_bot_from_the_settings_and_needs_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(get_settings(), "telegram_bot_username", "")
    assert qr.main(["radio_spot"]) == 2
    assert "TELEGRAM_BOT_USERNAME" in capsys.readouterr().err
    monkeypatch.setattr(get_settings(), "telegram_bot_username", "CnamMayotteBot")
    assert qr.main(["radio_spot"]) == 0
    assert (tmp_path / "qr-radio_spot.png").read_bytes().startswith(PNG_SIGNATURE)


def test_unknown_code_one_french_line_and_exit_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "qr", "zzz_inconnu", "--bot", "CnamMayotteBot"],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, timeout=120,
    )
    assert done.returncode == 2
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Code de campagne inconnu : zzz_inconnu"), lines
    assert done.stdout == b"" and list(tmp_path.iterdir()) == []
