"""Validating an incoming lead: normalised identities and errors that name the field."""

import pytest

from core.errors import InvalidInput
from core.lead_input import mask_phone, validate_lead


def _problems(payload: dict[str, object]) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        validate_lead(payload, default_region="TR")
    return {p.field: p.problem for p in caught.value.problems}


def test_a_local_phone_is_stored_in_e164_with_the_office_region() -> None:
    lead = validate_lead({"phone": "0532 123 45 67"}, default_region="TR")
    assert lead.phone == "+905321234567"


def test_an_email_is_trimmed_and_lower_cased() -> None:
    assert validate_lead({"email": "  Ayse@Example.COM "}, default_region="TR").email == \
        "ayse@example.com"


def test_a_lead_without_phone_or_email_names_the_phone_field() -> None:
    assert _problems({"name": "Ayşe"}) == {"phone": "phone or email is required"}


def test_a_garbled_phone_is_refused() -> None:
    assert "phone" in _problems({"phone": "call me maybe"})


def test_every_field_that_cannot_be_read_is_flagged_and_kept_as_sent_among_the_extras() -> None:
    lead = validate_lead({"phone": "nope", "email": "a@b.co", "budget_min": "a lot",
                          "colour": "blue"}, default_region="TR")
    assert lead.flags == {"phone": "unreadable", "budget_min": "unreadable"}
    assert lead.extras == {"phone": "nope", "budget_min": "a lot", "colour": "blue"}
    assert (lead.phone, lead.email, lead.budget_min) == (None, "a@b.co", None)


def test_without_a_usable_contact_both_contact_fields_are_named() -> None:
    assert _problems({"phone": "nope", "email": "nope", "budget_min": "a lot"}) == {
        "phone": "is not a phone number", "email": "is not an e-mail address"}


def test_a_budget_range_upside_down_keeps_the_bottom_and_flags_the_top() -> None:
    lead = validate_lead({"phone": "+905321234567", "budget_min": 5, "budget_max": 1},
                         default_region="TR")
    assert (lead.budget_min, lead.budget_max, lead.flags) == (5, None,
                                                              {"budget_max": "unreadable"})


def test_budgets_given_as_text_become_numbers() -> None:
    lead = validate_lead({"phone": "+905321234567", "budget_min": "1,500,000"},
                         default_region="TR")
    assert lead.budget_min == 1_500_000


def test_missing_routing_fields_are_flagged() -> None:
    lead = validate_lead({"phone": "+905321234567", "product": "land"}, default_region="TR")
    assert lead.missing == ["region", "budget", "timing"]


def test_logs_see_only_the_end_of_a_phone_number() -> None:
    assert mask_phone("+905321234567") == "+90*******567"


def test_a_possible_number_that_no_one_can_have_is_refused() -> None:
    assert _problems({"phone": "0000000000"}) == {"phone": "is not a valid phone number"}


@pytest.mark.parametrize("budget", ["NaN", float("nan"), float("inf"), "-Infinity", 10**400])
def test_a_budget_that_is_not_a_finite_number_in_range_is_flagged(budget: object) -> None:
    lead = validate_lead({"phone": "+905321234567", "budget_max": budget}, default_region="TR")
    assert (lead.budget_max, lead.flags) == (None, {"budget_max": "unreadable"})


def test_text_with_a_lone_surrogate_is_kept_with_a_replacement_character_and_flagged() -> None:
    lead = validate_lead({"phone": "+905321234567", "name": "a\ud800", "tags": ["\udcff"]},
                         default_region="TR")
    assert (lead.name, lead.tags) == ("a\ufffd", ("\ufffd",))
    assert lead.flags == {"name": "cleaned", "tags": "cleaned"}


def test_a_control_character_is_taken_out_but_tabs_and_line_breaks_are_text() -> None:
    lead = validate_lead({"phone": "+905321234567", "timing": "now\x00"}, default_region="TR")
    assert (lead.timing, lead.flags) == ("now", {"timing": "cleaned"})
    lead = validate_lead({"phone": "+905321234567", "message": "a\r\nb\tc\rd"},
                         default_region="TR")
    assert (lead.message, lead.flags) == ("a\nb\tc\nd", {})


def test_an_unknown_field_is_kept_under_its_name_escaped_and_cut_short() -> None:
    lead = validate_lead({"phone": "+905321234567", "a\x00\ud800": 1, "x" * 100: 1},
                         default_region="TR")
    assert lead.extras == {"a\\x00\\ud800": "1", "x" * 64 + "…": "1"}
