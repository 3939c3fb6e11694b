"""What names a person in someone else's free text: his words, whole, and his numbers
however a colleague wrote them."""

import pytest

from privacy.mentions import terms


@pytest.mark.parametrize(
    ("typed", "left"),
    [
        ("Ask Jane Doe first", "Ask [erased] first"),
        ("mail JANE.DOE@example.org.", "mail [erased]."),
        ("call 06.11.22.33.44 now", "call [erased] now"),
        ("call +33 (0)6 11 22 33 44", "call [erased]"),
        ("0033 6-11-22-33-44", "[erased]"),
        ("(06) 11 22 33 44", "[erased]"),
        ("611223344", "[erased]"),
    ],
)
def test_the_words_naming_him_are_cut_and_the_rest_kept(typed, left):
    found = terms(["jane doe", "jane.doe@example.org"], ["+33611223344"])
    assert found.names(typed)
    assert found.cut(typed, "[erased]") == left


@pytest.mark.parametrize(
    "typed",
    ["Jane Doerr", "xjane.doe@example.org", "106.11.22.33.44", "6112233445", "06 11 22 33 45"],
)
def test_a_longer_word_or_number_is_someone_else(typed):
    found = terms(["jane doe", "jane.doe@example.org"], ["+33611223344"])
    assert not found.names(typed)
    assert found.cut(typed, "[erased]") == typed


def test_the_database_looks_for_the_national_digits():
    assert terms([], ["+33611223344", "not a number"]).digits() == ["611223344"]
