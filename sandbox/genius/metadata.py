"""What Genius says about itself: quote statuses and the fields of each resource.

The same tables drive validation (`records.py`) and the metadata endpoints,
so what the mapping editor is told is exactly what the sandbox enforces.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CODE_PATTERN = r"^[A-Z0-9]+$"


@dataclass(frozen=True)
class FieldSpec:
    """One field of a Genius resource and the rule its values follow."""

    name: str
    type: str  # string | decimal | integer | boolean | date | datetime | lines
    label_fr: str
    label_en: str
    max_length: int | None = None
    scale: int | None = None
    required: bool = False
    read_only: bool = False
    key: bool = False
    # Genius stores these in upper case whatever the caller sends.
    upper: bool = False
    pattern: str | None = None
    choices: tuple[Any, ...] = ()
    minimum: int | None = None
    maximum: int | None = None

    def describe(self) -> dict[str, Any]:
        return {
            "Name": self.name,
            "Type": self.type,
            "LabelFr": self.label_fr,
            "LabelEn": self.label_en,
            "MaxLength": self.max_length,
            "Scale": self.scale,
            "Required": self.required,
            "ReadOnly": self.read_only,
            "Key": self.key,
            "Choices": list(self.choices),
        }


def _text(name: str, fr: str, en: str, length: int, **rules: Any) -> FieldSpec:
    return FieldSpec(name, "string", fr, en, max_length=length, **rules)


MODIFIED_AT = FieldSpec(
    "ModifiedAt", "datetime", "Modifié le", "Modified at", read_only=True
)

CUSTOMER_FIELDS = (
    _text("Code", "Code", "Code", 10, key=True, upper=True, pattern=CODE_PATTERN),
    _text("Name", "Nom", "Name", 60, required=True),
    _text("Address1", "Adresse 1", "Address line 1", 60),
    _text("Address2", "Adresse 2", "Address line 2", 60),
    _text("City", "Ville", "City", 40),
    _text("Province", "Province", "Province", 2, upper=True, pattern=r"^[A-Z]{2}$"),
    _text("PostalCode", "Code postal", "Postal code", 10, upper=True),
    _text("Country", "Pays", "Country", 2, upper=True, pattern=r"^[A-Z]{2}$"),
    _text("Phone", "Téléphone", "Phone", 30),
    _text("Email", "Courriel", "E-mail", 100, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    _text("Website", "Site web", "Website", 100),
    _text("Currency", "Devise", "Currency", 3, upper=True, choices=("CAD", "USD")),
    _text("Language", "Langue", "Language", 2, upper=True, choices=("FR", "EN")),
    _text("ExternalReference", "Référence externe", "External reference", 50),
    MODIFIED_AT,
)

ITEM_FIELDS = (
    _text("Code", "Code", "Code", 20, key=True, upper=True, pattern=r"^[A-Z0-9-]+$"),
    _text("DescriptionFr", "Description (français)", "Description (French)", 100),
    _text("DescriptionEn", "Description (anglais)", "Description (English)", 100),
    _text("Unit", "Unité", "Unit", 10, upper=True),
    FieldSpec(
        "UnitPrice", "decimal", "Prix unitaire", "Unit price", scale=4, minimum=0
    ),
    FieldSpec("Active", "boolean", "Actif", "Active"),
    MODIFIED_AT,
)

LINE_FIELDS = (
    FieldSpec("LineNumber", "integer", "No de ligne", "Line number", minimum=1),
    _text("ItemCode", "Article", "Item", 20, upper=True),
    _text("Description", "Description", "Description", 200),
    FieldSpec("Quantity", "decimal", "Quantité", "Quantity", scale=3, minimum=0),
    FieldSpec(
        "UnitPrice", "decimal", "Prix unitaire", "Unit price", scale=4, minimum=0
    ),
    FieldSpec(
        "DiscountPercent",
        "decimal",
        "Escompte (%)",
        "Discount (%)",
        scale=2,
        minimum=0,
        maximum=100,
    ),
    FieldSpec(
        "LineTotal", "decimal", "Total de ligne", "Line total", scale=2, read_only=True
    ),
)

QUOTE_FIELDS = (
    _text("Number", "Numéro", "Number", 20, key=True, read_only=True),
    _text("CustomerCode", "Client", "Customer", 10, required=True, upper=True),
    _text("Title", "Titre", "Title", 60),
    FieldSpec(
        "Status", "integer", "Statut", "Status", choices=(10, 20, 30, 40, 50, 60)
    ),
    FieldSpec("QuoteDate", "date", "Date de la soumission", "Quote date"),
    FieldSpec("ExpiryDate", "date", "Date d'expiration", "Expiry date"),
    _text("Currency", "Devise", "Currency", 3, upper=True, choices=("CAD", "USD")),
    _text(
        "SalesRepCode",
        "Représentant",
        "Sales rep",
        10,
        upper=True,
        pattern=CODE_PATTERN,
    ),
    _text("Notes", "Notes", "Notes", 2000),
    _text("ExternalReference", "Référence externe", "External reference", 50),
    FieldSpec("Lines", "lines", "Lignes", "Lines"),
    FieldSpec("Subtotal", "decimal", "Sous-total", "Subtotal", scale=2, read_only=True),
    FieldSpec("Total", "decimal", "Total", "Total", scale=2, read_only=True),
    MODIFIED_AT,
)

FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "customers": CUSTOMER_FIELDS,
    "items": ITEM_FIELDS,
    "quotes": QUOTE_FIELDS,
    "quote-lines": LINE_FIELDS,
}

QUOTE_STATUSES = (
    (10, "Brouillon", "Draft"),
    (20, "Envoyée", "Sent"),
    (30, "Acceptée", "Accepted"),
    (40, "Refusée", "Refused"),
    (50, "Annulée", "Cancelled"),
    (60, "Convertie en commande", "Converted to order"),
)
FINAL_STATUS = 60
ACCEPTED_STATUS = 30


def describe_statuses() -> list[dict[str, Any]]:
    return [
        {"Code": code, "LabelFr": fr, "LabelEn": en, "IsFinal": code == FINAL_STATUS}
        for code, fr, en in QUOTE_STATUSES
    ]


def describe_fields(resource: str) -> list[dict[str, Any]] | None:
    specs = FIELDS.get(resource)
    return None if specs is None else [spec.describe() for spec in specs]
