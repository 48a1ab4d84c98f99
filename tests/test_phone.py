import pytest

from cnam.booking.phone import format_phone, normalize_phone


@pytest.mark.parametrize(("typed", "e164"), [
    ("0639 12 34 56", "+262639123456"),
    ("0639123456", "+262639123456"),
    ("06.39.12.34.56", "+262639123456"),
    ("+262 639 12 34 56", "+262639123456"),
    ("+262 (0)639 12 34 56", "+262639123456"),
    ("00262639123456", "+262639123456"),
    ("262639123456", "+262639123456"),  # Telegram shared contact, no "+"
    ("0269 61 12 34", "+262269611234"),  # Mayotte landline
    ("0692 12 34 56", "+262692123456"),  # La Réunion
    ("06 12 34 56 78", "+33612345678"),
    ("07-12-34-56-78", "+33712345678"),
    ("+33 6 12 34 56 78", "+33612345678"),
    ("0033612345678", "+33612345678"),
    ("33712345678", "+33712345678"),
    ("01 23 45 67 89", "+33123456789"),
])
def test_accepted_numbers_are_normalised(typed, e164) -> None:
    assert normalize_phone(typed) == e164


@pytest.mark.parametrize("typed", [
    "", "12", "0639 12 34", "0639 12 34 56 78", "06 12 34 56 7a",
    "+269 321 23 45",      # Comoros: abroad
    "08 92 12 34 56",      # premium rate
    "0690 12 34 56",       # Guadeloupe: another country code
    "+33 639 12 34 56",    # a Mayotte mobile under the mainland code
    "+1 555 123 4567", "mon numéro", "0000000000",
])
def test_refused_numbers(typed) -> None:
    assert normalize_phone(typed) is None


def test_display_as_people_write_it() -> None:
    assert format_phone("+262639123456") == "0639 12 34 56"
    assert format_phone("+33612345678") == "06 12 34 56 78"
