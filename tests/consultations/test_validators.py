"""Registration numbers (Israeli check digit, registry prefixes) and the
phone formats Israelis write."""

import pytest
from django.core.exceptions import ValidationError
from phonenumber_field.phonenumber import PhoneNumber

from consultations.forms import IsraeliPhoneNumberField
from consultations.models import Organization
from consultations.validators import (
    has_valid_check_digit,
    normalize_registration_number,
    validate_phone_number,
    validate_registration_number,
    validate_registration_number_for_kind,
)

# Validation messages are read in English, the language of the msgids.
pytestmark = pytest.mark.usefixtures("english")

Kind = Organization.Kind


@pytest.mark.parametrize(
    "number", ["580045672", "510045677", "520045675", "514045673", "123045676"]
)
def test_numbers_with_a_correct_check_digit_pass(number):
    """Weights 1,2,1,2... summed digit by digit give a multiple of 10."""
    assert has_valid_check_digit(number)
    validate_registration_number(number)


def test_a_nine_at_weight_one_counts_as_nine():
    """A 9 in an odd position (weight 1) is 9, not reduced to 0: only a
    product above 9 loses 9. 589123454 is valid only when it counts as 9."""
    assert has_valid_check_digit("589123454")
    validate_registration_number("589123454")


@pytest.mark.parametrize("number", ["580045671", "580045673", "510045670", "999999999"])
def test_a_wrong_check_digit_is_refused_with_a_clear_message(number):
    with pytest.raises(ValidationError) as error:
        validate_registration_number(number)

    assert error.value.code == "registration_number_check_digit"
    assert "last digit" in error.value.messages[0]


@pytest.mark.parametrize("number", ["58004567", "5800456720", "58004567a", "", "٥٨"])
def test_anything_but_nine_digits_is_refused(number):
    assert not has_valid_check_digit(number)
    with pytest.raises(ValidationError) as error:
        validate_registration_number(number)
    assert error.value.code == "registration_number_length"


def test_separators_are_dropped_and_other_scripts_digits_read_as_digits():
    """People type 58-004567-2 or 580 045 672; an Arabic keyboard types ٥٨٠٠٤٥٦٧٢."""
    assert normalize_registration_number("58-004567-2") == "580045672"
    assert normalize_registration_number(" 580 045 672 ") == "580045672"
    assert normalize_registration_number("58.004567/2") == "580045672"
    assert normalize_registration_number("٥٨٠٠٤٥٦٧٢") == "580045672"


def test_a_nonprofit_number_must_start_with_58():
    validate_registration_number_for_kind(number="580045672", kind=Kind.NONPROFIT)
    with pytest.raises(ValidationError) as error:
        validate_registration_number_for_kind(number="510045677", kind=Kind.NONPROFIT)
    assert error.value.code == "registration_number_prefix"
    assert "58" in error.value.messages[0]


@pytest.mark.parametrize("number", ["510045677", "520045675"])
def test_a_public_benefit_company_number_starts_with_51_or_52(number):
    validate_registration_number_for_kind(
        number=number, kind=Kind.PUBLIC_BENEFIT_COMPANY
    )


def test_a_public_benefit_company_number_starting_otherwise_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_registration_number_for_kind(
            number="580045672", kind=Kind.PUBLIC_BENEFIT_COMPANY
        )
    assert "51 or 52" in error.value.messages[0]


@pytest.mark.parametrize("kind", [Kind.NONPROFIT, Kind.PUBLIC_BENEFIT_COMPANY])
def test_nonprofits_and_companies_must_give_their_number(kind):
    with pytest.raises(ValidationError) as error:
        validate_registration_number_for_kind(number="", kind=kind)
    assert error.value.code == "registration_number_required"


@pytest.mark.parametrize(
    "kind", [Kind.GRASSROOTS, Kind.COALITION, Kind.LOCAL_AUTHORITY, Kind.OTHER]
)
def test_other_kinds_accept_no_number_or_any_valid_one(kind):
    validate_registration_number_for_kind(number="", kind=kind)
    validate_registration_number_for_kind(number="123045676", kind=kind)
    with pytest.raises(ValidationError):
        validate_registration_number_for_kind(number="123045670", kind=kind)


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("052-345-6789", "+972523456789"),
        ("050-123-4567", "+972501234567"),
        ("0501234567", "+972501234567"),
        ("050 1234567", "+972501234567"),
        ("+972 50 123 4567", "+972501234567"),
        ("+972-50-1234567", "+972501234567"),
        ("00972501234567", "+972501234567"),
        ("02-6234567", "+97226234567"),
        ("(02) 623-4567", "+97226234567"),
        ("04-8123456", "+97248123456"),
        ("077-1234567", "+972771234567"),
        ("٠٥٠١٢٣٤٥٦٧", "+972501234567"),
    ],
)
def test_phone_numbers_are_read_the_way_israelis_write_them(typed, e164):
    """Mobile ranges the library does not know yet (050-1xx) still pass."""
    field = IsraeliPhoneNumberField(region="IL")

    assert field.clean(typed).as_e164 == e164


@pytest.mark.parametrize(
    "typed",
    ["050-123", "12345", "phone", "050-123-45678901", "0000000000", "*6000", "+1 000"],
)
def test_impossible_phone_numbers_are_refused(typed):
    with pytest.raises(ValidationError):
        IsraeliPhoneNumberField(region="IL").clean(typed)


@pytest.mark.parametrize(
    ("number", "kind", "code", "message"),
    [
        (
            "58004567",
            Kind.OTHER,
            "registration_number_length",
            "A registration number has exactly nine digits.",
        ),
        (
            "580045671",
            Kind.OTHER,
            "registration_number_check_digit",
            "This registration number is not valid: its last digit does not "
            "match. Please check the number on your registration certificate.",
        ),
        (
            "",
            Kind.NONPROFIT,
            "registration_number_required",
            "Registered nonprofits and companies must give their number.",
        ),
        (
            "510045677",
            Kind.NONPROFIT,
            "registration_number_prefix",
            "A registered nonprofit's number starts with 58.",
        ),
        (
            "580045672",
            Kind.PUBLIC_BENEFIT_COMPANY,
            "registration_number_prefix",
            "A public-benefit company's number starts with 51 or 52.",
        ),
    ],
)
def test_each_refusal_says_what_is_wrong_in_its_own_words(number, kind, code, message):
    """The form shows these sentences (translated from these msgids)."""
    with pytest.raises(ValidationError) as error:
        validate_registration_number_for_kind(number=number, kind=kind)
    assert error.value.code == code
    assert error.value.messages == [message]


def test_normalizing_keeps_letters_and_an_empty_number_empty():
    """Only digits are read as digits; a missing number stays missing."""
    assert normalize_registration_number("58a-0045672") == "58a0045672"
    assert normalize_registration_number("") == ""
    assert normalize_registration_number(None) == ""


def test_an_invalid_phone_number_is_refused_as_invalid():
    with pytest.raises(ValidationError) as error:
        validate_phone_number(PhoneNumber.from_string("050-123", region="IL"))
    assert error.value.code == "invalid"
    assert error.value.messages == ["Enter a valid phone number."]
