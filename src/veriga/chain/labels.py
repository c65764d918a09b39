"""What the views show for FtM codes: the labels of the schemata and entity-typed properties
the project uses (marked for translation), and amounts in the reader's locale.

A view shows a schema by its label (``BankAccount`` as "Bank account", ``UnknownLink`` as
"Other link") in the reader's language, never its code; links between entities are labelled
with their schema or property label and an amount formatted for the reader's locale
("Payment 1 845,00 EUR" in Latvian). :class:`Labels` bundles the translation and the locale for
the code that writes such labels (:mod:`veriga.chain.graph`, :mod:`veriga.chain.timeline`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_decimal

from veriga.model.currency import exponent


def N_(text: str) -> str:  # noqa: N802 - the gettext marker `make messages` extracts
    return text


#: Schema name -> its label (msgid), for every schema the views may show; the pseudo-schemata
#: of the graphs (``Reference``, ``SharedIdentifier``, ``InvestigatorLink``, ``Cash``) included.
SCHEMATA: dict[str, str] = {
    "Address": N_("Address"),
    "Advertisement": N_("Advertisement"),
    "Asset": N_("Asset"),
    "Associate": N_("Associate"),
    "BankAccount": N_("Bank account"),
    "Cash": N_("Cash"),
    "Company": N_("Company"),
    "Contract": N_("Contract"),
    "ContractAward": N_("Contract award"),
    "CryptoWallet": N_("Cryptocurrency wallet"),
    "Directorship": N_("Directorship"),
    "Document": N_("File"),
    "Email": N_("E-mail"),
    "Employment": N_("Employment"),
    "Event": N_("Event"),
    "Family": N_("Family"),
    "Identification": N_("Identification"),
    "InvestigatorLink": N_("Link from an investigator"),
    "LegalEntity": N_("Legal entity"),
    "Membership": N_("Membership"),
    "Note": N_("Note"),
    "Organization": N_("Organization"),
    "Ownership": N_("Ownership"),
    "Passport": N_("Passport"),
    "Payment": N_("Payment"),
    "Payslip": N_("Payslip"),
    "Person": N_("Person"),
    "PostingDeclaration": N_("Posting declaration"),
    "PublicBody": N_("Public body"),
    "RealEstate": N_("Real estate"),
    "Reference": N_("Reference"),
    "Representation": N_("Representation"),
    "Sanction": N_("Sanction"),
    "SharedIdentifier": N_("Shared identifier"),
    "Trip": N_("Trip"),
    "UnknownLink": N_("Other link"),
    "Vehicle": N_("Vehicle"),
}

#: The labels of the entity-typed properties of those schemata: the names of the links a
#: reference between two entities makes (a payment's "Payer", a trip's "End location").
PROPERTIES: tuple[str, ...] = (
    N_("Address"), N_("Advertiser"), N_("Agent"), N_("Ancestors"), N_("Asset"),
    N_("Associate"), N_("Bank"), N_("Beneficiary"), N_("Beneficiary bank account"),
    N_("Call For Tenders"), N_("Client"), N_("Contract"), N_("Contract authority"),
    N_("Director"), N_("Employee"), N_("Employer"), N_("End location"), N_("Entity"),
    N_("Folder"), N_("Identification holder"), N_("Involved"), N_("Member"), N_("Object"),
    N_("Operator"), N_("Organization"), N_("Organizer"), N_("Owner"), N_("Parent company"),
    N_("Parent unit"), N_("Payer"), N_("Payer bank account"), N_("Person"), N_("Project"),
    N_("Relative"), N_("Risk source"), N_("Source document"), N_("Start location"),
    N_("Subject"), N_("Supplier"), N_("Vehicle"), N_("Wallet holder"),
)

#: The labels of the other properties the entity page lists (those of the data the project
#: imports and simulates): "Birth date", "IBAN"...
VALUES: tuple[str, ...] = (
    N_("Account number"), N_("Ad ID"), N_("Alias"), N_("Amount"), N_("Amount in EUR"),
    N_("Balance"), N_("Bank Identifier Code"), N_("Bank name"), N_("Birth date"),
    N_("Category"), N_("City"), N_("Contract date"), N_("Country"), N_("Currency"), N_("Date"),
    N_("Description"), N_("Dissolution date"), N_("Email"), N_("Employed since"),
    N_("End date"), N_("First name"), N_("Full address"), N_("Gender"), N_("Gross pay"),
    N_("Hours worked"), N_("IBAN"), N_("ID Number"), N_("Image hash"),
    N_("Incorporation date"), N_("Jurisdiction"), N_("Keywords"), N_("Language"),
    N_("Last name"), N_("Name"), N_("Name in ad"), N_("Nationality"), N_("Notes"),
    N_("Passport number"), N_("Payment programme"), N_("Payment purpose"),
    N_("Percentage held"), N_("Phone"), N_("Place of birth"), N_("Position"), N_("Posted at"),
    N_("Price"), N_("Price amount"), N_("Price currency"), N_("Record ID"),
    N_("Registration number"), N_("Role"), N_("Sector"), N_("Site"), N_("Source link"),
    N_("Start date"), N_("Stated age"), N_("Stated nationality"), N_("Status"), N_("Summary"),
    N_("Tax Number"), N_("Text"), N_("Title"), N_("Topics"), N_("Transaction number"),
    N_("V.A.T. Identifier"), N_("Website"),
)


def schema_label(name: str) -> str:
    """The msgid a schema is shown by (its FtM label for one the catalog leaves out)."""
    found = SCHEMATA.get(name)
    if found is not None:
        return found
    from veriga.model import model

    schema = model.get(name)
    return schema.label if schema is not None else name


def format_money(amount: Decimal | float | int, currency: str | None, locale: str) -> str:
    """``amount`` with its currency's decimals and the locale's separators, e.g. ``1,845.00``
    in English and ``1 845,00`` in Latvian (no currency code)."""
    places = exponent(currency)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    value = Decimal(str(amount)) if isinstance(amount, float) else Decimal(amount)
    return format_decimal(value, pattern, locale=locale)


def _same(text: str) -> str:
    return text


@dataclass(frozen=True)
class Labels:
    """Labels in one reader's language: ``gettext`` of their catalog and their ``locale``."""

    gettext: Callable[[str], str] = _same
    locale: str = "en"

    def schema(self, name: str) -> str:
        return self.gettext(schema_label(name))

    def prop(self, label: str) -> str:
        """A property's label (FtM's English one) in the reader's language."""
        return self.gettext(label)

    def value(self, schema: str, name: str) -> str:
        """The property ``name`` of ``schema`` (``birthDate`` of ``Person``) by its label."""
        from veriga.model import model

        found = model.get(schema)
        prop = found.get(name) if found is not None else None
        return self.gettext(prop.label) if prop is not None else name

    def money(self, amount: Decimal | float | int, currency: str | None) -> str:
        """``1 845,00 EUR``: the amount in the reader's locale and its currency code."""
        return f"{format_money(amount, currency, self.locale)} {currency or ''}".strip()


ENGLISH = Labels()
