"""Registry errors; each names the field and the value that was refused."""

from ledger.errors import N_, CondoError


class RegistryError(CondoError):
    message_id = "registry.error"
    template = N_("The registry refused the change.")


class InvalidField(RegistryError):
    message_id = "registry.invalid_field"
    template = N_("%(field)s: %(value)r is not valid (expected %(expected)s).")


class DuplicateCode(RegistryError):
    message_id = "registry.duplicate_code"
    template = N_("%(what)s code %(code)r is already used%(where)s.")


class InvalidTaxCode(RegistryError):
    message_id = "registry.invalid_tax_code"
    template = N_("Tax code %(value)r of %(name)s is not valid: %(reason)s.")


class TaxCodeRequired(RegistryError):
    message_id = "registry.tax_code_required"
    template = N_(
        "%(name)s needs a tax code: it may be left out only for a minor, "
        "and then the birth date is required."
    )


class TaxCodeBirthDateMismatch(RegistryError):
    message_id = "registry.tax_code_birth_date"
    template = N_(
        "Tax code %(value)r encodes the birth date %(encoded)s, "
        "but %(given)s was given for %(name)s."
    )


class DuplicateTaxCode(RegistryError):
    message_id = "registry.duplicate_tax_code"
    template = N_("Tax code %(value)r is already registered for %(other)s.")


class InvalidDateRange(RegistryError):
    message_id = "registry.invalid_date_range"
    template = N_("%(what)s: the end date %(end)s is before the start date %(start)s.")


class OverlappingOccupancy(RegistryError):
    message_id = "registry.overlapping_occupancy"
    template = N_(
        "Unit %(unit)s is already occupied by household %(household)s from %(start)s to %(end)s; "
        "the new occupancy from %(new_start)s to %(new_end)s overlaps it."
    )


class UnitNotAvailable(RegistryError):
    message_id = "registry.unit_not_available"
    template = N_("Unit %(unit)s is %(status)s and cannot be occupied.")


class OccupancyAlreadyEnded(RegistryError):
    message_id = "registry.occupancy_ended"
    template = N_(
        "The occupancy of unit %(unit)s by household %(household)s already ended on %(end)s."
    )


class AlreadyMember(RegistryError):
    message_id = "registry.already_member"
    template = N_("%(person)s is already a member of household %(household)s since %(since)s.")


class WrongAgency(RegistryError):
    message_id = "registry.wrong_agency"
    template = N_("%(what)s %(ref)s belongs to another agency.")
