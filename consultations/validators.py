"""Validation of Israeli registration numbers.

Every registration number issued by the Israeli registrars (nonprofits,
companies, cooperatives) has nine digits, the last a check digit: weights
1, 2, 1, 2, ... on the nine digits, each product reduced to the sum of its
digits, and the total divisible by 10. The first digits tell the registry:
58 for a registered nonprofit (amuta), 51 or 52 for a company, public-benefit
companies included (DECISIONS.md, "Organizations and people").
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import PhoneNumber

from consultations.models import Organization

# People write the number with spaces, dashes or dots: 58-012345-6.
SEPARATORS = re.compile(r"[\s\-./]+")
NINE_DIGITS = re.compile(r"[0-9]{9}")

# Every Israeli mobile number is 05X-XXX-XXXX. New ranges are handed out
# faster than the phonenumbers metadata learns them, so a number of this
# shape is accepted even when the library does not know its range yet.
ISRAELI_MOBILE = re.compile(r"5[0-9]{8}")
ISRAEL_COUNTRY_CODE = 972

REQUIRED_PREFIXES: dict[str, tuple[str, ...]] = {
    Organization.Kind.NONPROFIT: ("58",),
    Organization.Kind.PUBLIC_BENEFIT_COMPANY: ("51", "52"),
}


def normalize_registration_number(value: str) -> str:
    """Drop the separators people type and read any script's digits (an Arabic
    keyboard may type ٥٨...) as ASCII; keep everything else for validation."""
    return "".join(
        str(unicodedata.decimal(char)) if char.isdecimal() else char
        for char in SEPARATORS.sub("", value or "")
    )


def has_valid_check_digit(number: str) -> bool:
    """True when `number` is nine ASCII digits whose check digit is right."""
    if not NINE_DIGITS.fullmatch(number):
        return False
    total = 0
    for position, digit in enumerate(number):
        product = int(digit) * (1 if position % 2 == 0 else 2)
        total += product - 9 if product > 9 else product
    return total % 10 == 0


def validate_registration_number(value: str) -> None:
    """Nine digits with a valid Israeli check digit, whatever the registry."""
    if not NINE_DIGITS.fullmatch(value):
        raise ValidationError(
            _("A registration number has exactly nine digits."),
            code="registration_number_length",
        )
    if not has_valid_check_digit(value):
        raise ValidationError(
            _(
                "This registration number is not valid: its last digit does not "
                "match. Please check the number on your registration certificate."
            ),
            code="registration_number_check_digit",
        )


def validate_registration_number_for_kind(*, number: str, kind: str) -> None:
    """The rules that depend on the kind of organization.

    Nonprofits and public-benefit companies must give their number, with the
    registry's prefix; any other kind may give a valid number or none.
    """
    prefixes = REQUIRED_PREFIXES.get(kind)
    if not number:
        if prefixes:
            raise ValidationError(
                _("Registered nonprofits and companies must give their number."),
                code="registration_number_required",
            )
        return
    validate_registration_number(number)
    if prefixes and not number.startswith(prefixes):
        if kind == Organization.Kind.NONPROFIT:
            message = _("A registered nonprofit's number starts with 58.")
        else:
            message = _("A public-benefit company's number starts with 51 or 52.")
        raise ValidationError(message, code="registration_number_prefix")


def validate_phone_number(value) -> None:
    """A number the phonenumbers library knows as valid, or an Israeli
    mobile number of the right shape; the form field parses it (region IL)."""
    if not isinstance(value, PhoneNumber) or value.is_valid():
        return
    if value.country_code == ISRAEL_COUNTRY_CODE and ISRAELI_MOBILE.fullmatch(
        str(value.national_number)
    ):
        return
    raise ValidationError(_("Enter a valid phone number."), code="invalid")
