"""The demo data of both sandboxes, generated the same way on every machine.

`python -m sandbox.demo [--out sandbox/fixtures]` writes `hubspot_demo.json`
and `genius_demo.json` (the committed copies are what `make run` seeds). The
HubSpot portal of a Québec machine shop holds about fifty deals in two
pipelines (HubSpot's default one and a custom one with numeric stage ids), in
CAD and USD, for customers named with accents, each deal with line items whose
SKUs are products. The Genius company holds the matching items (item code =
SKU) and a few existing customers, two of which are HubSpot companies written
differently (accents, case, legal suffix, a domain with `www.`).

Imports nothing of the product, like every sandbox module.
"""

from __future__ import annotations

import argparse
import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

OUT_DIR = Path(__file__).resolve().parent / "fixtures"
SEED = 20261204
DEAL_COUNT = 50

HUB_ID = 4815162
GENIUS_COMPANY = "USINAGEBC"
GENIUS_API_KEY = "demo-genius-key-usinagebc"
FABRICATION = "7000001"

DEFAULT_STAGES = [
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
]
FABRICATION_STAGES = [
    ("7000010", "Demande reçue", "false", "0.1"),
    ("7000011", "Soumission envoyée", "false", "0.4"),
    ("7000014", "Négociation", "false", "0.7"),
    ("7000012", "Soumission acceptée", "true", "1.0"),
    ("7000013", "Perdue", "true", "0.0"),
]


def read_table(text: str) -> list[tuple[str, ...]]:
    """Rows of a `|`-separated table written in this module."""
    return [
        tuple(cell.strip() for cell in line.split("|"))
        for line in text.strip().splitlines()
    ]


# SKU | French description | English description | unit | unit price
PRODUCTS = read_table("""
PLQ-ACIER-10  | Plaque d'acier 10 mm                  | Steel plate 10 mm        | UN | 148.5000
POU-W8-31     | Poutre W8x31, 6 m                     | W8x31 beam, 6 m          | UN | 612.0000
BOU-HEX-12    | Boulon hexagonal ½ po (boîte de 100)  | Hex bolt ½ in (box)      | BT | 38.9500
TOL-ALU-3     | Tôle d'aluminium 3 mm                 | Aluminium sheet 3 mm     | UN | 96.2500
SUP-SOUDE-100 | Support soudé 100 mm                  | Welded bracket 100 mm    | UN | 12.5000
ARB-USINE-50  | Arbre usiné Ø50 mm                    | Machined shaft Ø50 mm    | UN | 284.0000
BRI-INOX-304  | Bride inox 304                        | Stainless flange 304     | UN | 57.8000
ENG-CONV-20   | Engrenage de convoyeur 20 dents       | Conveyor gear 20 teeth   | UN | 133.3300
CYL-HYD-80    | Vérin hydraulique 80 mm               | Hydraulic cylinder 80 mm | UN | 1450.0000
GAR-DECOUPE   | Garde de sécurité découpée            | Cut safety guard         | UN | 219.9900
ROU-6205      | Roulement à billes 6205               | Ball bearing 6205        | UN | 8.7500
SERV-SOUDURE  | Soudure en atelier (heure)            | Shop welding (hour)      | H  | 95.0000
""")  # noqa: E501

# name | domain | city | province | postal code | country | phone
COMPANIES = read_table("""
Acier Laurentides inc.         | acier-laurentides.example      | Saint-Jérôme    | QC | J7Z 5T3 | Canada        | 450-555-0110
Métallurgie Québec inc.        | metallurgie-qc.example         | Québec          | QC | G1K 3X2 | Canada        | 418-555-0121
Usinage Lévis ltée             | usinage-levis.example          | Lévis           | QC | G6V 6N2 | Canada        | 418-555-0132
Fonderie Trois-Rivières ltée   | fonderie-tr.example            | Trois-Rivières  | QC | G9A 5H7 | Canada        | 819-555-0143
Soudure Montréal-Nord inc.     | soudure-mtl-nord.example       | Montréal        | QC | H1G 2V4 | Canada        | 514-555-0154
Équipements Sherbrooke inc.    | equipements-sherbrooke.example | Sherbrooke      | QC | J1H 4A9 | Canada        | 819-555-0165
Hydraulique Saguenay ltée      | hydraulique-saguenay.example   | Saguenay        | QC | G7H 5B1 | Canada        | 418-555-0176
Tôlerie Drummond inc.          | tolerie-drummond.example       | Drummondville   | QC | J2C 2B8 | Canada        | 819-555-0187
Boulons Gatineau inc.          | boulons-gatineau.example       | Gatineau        | QC | J8T 3R6 | Canada        | 819-555-0198
Précision Rimouski ltée        | precision-rimouski.example     | Rimouski        | QC | G5L 1Y8 | Canada        | 418-555-0209
Mécanique Beauce inc.          | mecanique-beauce.example       | Saint-Georges   | QC | G5Y 5C5 | Canada        | 418-555-0210
Aluminium Bécancour inc.       | alu-becancour.example          | Bécancour       | QC | G9H 2L6 | Canada        | 819-555-0221
Convoyeurs Granby ltée         | convoyeurs-granby.example      | Granby          | QC | J2G 8C7 | Canada        | 450-555-0232
Chaudronnerie Sorel-Tracy inc. | chaudronnerie-sorel.example    | Sorel-Tracy     | QC | J3P 4N2 | Canada        | 450-555-0243
Ateliers Rivière-du-Loup inc.  | ateliers-rdl.example           | Rivière-du-Loup | QC | G5R 3Z1 | Canada        | 418-555-0254
Pièces d'Ottawa Ltd.           | pieces-ottawa.example          | Ottawa          | ON | K1P 5J2 | Canada        | 613-555-0265
Great Lakes Fabrication Inc.   | greatlakesfab.example          | Buffalo         | NY | 14203   | United States | 716-555-0276
Vermont Steelworks LLC         | vermont-steel.example          | Burlington      | VT | 05401   | United States | 802-555-0287
Maine Marine Parts Inc.        | maine-marine.example           | Portland        | ME | 04101   | United States | 207-555-0298
Ohio Valley Machining Inc.     | ohio-valley-machining.example  | Columbus        | OH | 43215   | United States | 614-555-0309
""")  # noqa: E501

# Existing Genius customers. The first two are HubSpot companies written the
# way an ERP clerk typed them: no accents, upper case, another legal suffix,
# a website with `www.` where HubSpot has a bare domain.
GENIUS_CUSTOMERS = [
    {
        "Code": "METQC",
        "Name": "METALLURGIE QUEBEC INC",
        "City": "Quebec",
        "Province": "QC",
        "PostalCode": "G1K 3X2",
        "Phone": "418 555-0121",
    },
    {
        "Code": "FONDTR",
        "Name": "Fonderie de Trois-Rivieres Ltee",
        "City": "Trois-Rivieres",
        "Province": "QC",
        "PostalCode": "G9A 5H7",
        "Website": "https://www.fonderie-tr.example/",
    },
    {
        "Code": "NORDIQ",
        "Name": "Entreprises Nordiques ltée",
        "City": "Sept-Îles",
        "Province": "QC",
        "PostalCode": "G4R 2Y3",
    },
    {
        "Code": "GASPE",
        "Name": "Atelier Gaspé inc.",
        "City": "Gaspé",
        "Province": "QC",
        "PostalCode": "G4X 1A6",
    },
]

DEAL_TOPICS = [
    "Structure de convoyeur",
    "Supports soudés",
    "Pièces de rechange",
    "Garde de sécurité",
    "Arbres usinés",
    "Brides inox",
    "Vérins hydrauliques",
    "Tôlerie sur mesure",
    "Entretien annuel",
    "Plaques d'acier",
    "Poutres de mezzanine",
    "Roulements",
]


def money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def build_products() -> list[dict[str, Any]]:
    return [
        {
            "id": str(3001 + n),
            "properties": {
                "name": fr,
                "hs_sku": sku,
                "price": Decimal(price),
                "description": en,
            },
        }
        for n, (sku, fr, en, _unit, price) in enumerate(PRODUCTS)
    ]


def build_companies() -> list[dict[str, Any]]:
    records = []
    for n, (name, domain, city, province, postal, country, phone) in enumerate(
        COMPANIES
    ):
        records.append(
            {
                "id": str(1001 + n),
                "properties": {
                    "name": name,
                    "domain": domain,
                    "website": f"https://{domain}",
                    "phone": phone,
                    "address": f"{100 + 7 * n} rue Industrielle",
                    "city": city,
                    "state": province,
                    "zip": postal,
                    "country": country,
                },
            }
        )
    return records


def build_line(rng: random.Random, line_id: int) -> tuple[dict[str, Any], Decimal]:
    n = rng.randrange(len(PRODUCTS))
    sku, fr, _en, unit, price = PRODUCTS[n]
    quantity = Decimal(rng.choice([1, 2, 4, 10, 25, 50, 120]))
    if unit == "H":
        quantity = Decimal(rng.choice(["7.5", "12.5", "40"]))
    discount = Decimal(rng.choice(["0", "0", "5", "10"]))
    properties = {
        "name": fr,
        "hs_sku": sku,
        "quantity": quantity,
        "price": Decimal(price),
        "hs_discount_percentage": discount,
        "hs_product_id": str(3001 + n),
    }
    total = quantity * Decimal(price) * (1 - discount / 100)
    return {"id": str(line_id), "properties": properties}, total


def pick_stage(rng: random.Random, pipeline: str) -> str:
    # Mostly open deals (the ones that become quotes), a few already closed.
    if pipeline == FABRICATION:
        ids = [stage[0] for stage in FABRICATION_STAGES]
        return rng.choices(ids, weights=[5, 5, 3, 1, 1])[0]
    return rng.choices(DEFAULT_STAGES, weights=[3, 3, 3, 3, 3, 1, 1])[0]


def build_deals(rng: random.Random) -> tuple[list[dict], list[dict]]:
    deals, lines, next_line = [], [], 5001
    for n in range(DEAL_COUNT):
        company_n = rng.randrange(len(COMPANIES))
        company = COMPANIES[company_n]
        pipeline = FABRICATION if n % 5 in (1, 3) else "default"
        line_ids, amount = [], Decimal(0)
        for _ in range(rng.randint(1, 4)):
            line, total = build_line(rng, next_line)
            lines.append(line)
            line_ids.append(line["id"])
            amount += total
            next_line += 1
        short_name = company[0].rsplit(" ", 1)[0]
        day = 1 + n % 28
        deals.append(
            {
                "id": str(2001 + n),
                "properties": {
                    "dealname": f"{rng.choice(DEAL_TOPICS)} — {short_name}",
                    "amount": money(amount),
                    "pipeline": pipeline,
                    "dealstage": pick_stage(rng, pipeline),
                    "deal_currency_code": "USD"
                    if company[5] == "United States"
                    else "CAD",
                    "closedate": f"2027-{1 + n % 3:02d}-{day:02d}T17:00:00Z",
                    "description": "Livraison à l'usine du client."
                    if n % 4 == 0
                    else "",
                },
                "createdAt": f"2026-11-{day:02d}T13:{n % 60:02d}:00Z",
                "updatedAt": f"2026-11-{day:02d}T15:{n % 60:02d}:00Z",
                "associations": {
                    "companies": [{"id": str(1001 + company_n), "types": [5]}],
                    "line_items": line_ids,
                },
            }
        )
    return deals, lines


def hubspot_fixture() -> dict[str, Any]:
    rng = random.Random(SEED)
    deals, lines = build_deals(rng)
    stages = [
        {
            "id": sid,
            "label": label,
            "displayOrder": n,
            "metadata": {"isClosed": closed, "probability": probability},
        }
        for n, (sid, label, closed, probability) in enumerate(FABRICATION_STAGES)
    ]
    portal = {
        "hubId": HUB_ID,
        "name": "Usinage Beauce-Chaudière inc.",
        "domain": "usinage-bc.example",
        "timeZone": "America/Toronto",
        "currencies": ["CAD", "USD"],
        "users": [{"id": 2000001, "email": "admin@usinage-bc.example"}],
        "pipelines": {
            "deals": [
                {
                    "id": FABRICATION,
                    "label": "Fabrication",
                    "displayOrder": 1,
                    "stages": stages,
                }
            ]
        },
        "companies": build_companies(),
        "products": build_products(),
        "deals": deals,
        "line_items": lines,
    }
    return {"format": "hubspot-sandbox/1", "portals": [portal]}


def genius_fixture() -> dict[str, Any]:
    items = [
        {
            "Code": sku,
            "DescriptionFr": fr,
            "DescriptionEn": en,
            "Unit": unit,
            "UnitPrice": Decimal(price),
            "Active": True,
        }
        for sku, fr, en, unit, price in PRODUCTS
    ]
    customers = [
        {
            "Country": "CA",
            "Currency": "CAD",
            "Language": "FR",
            "ModifiedAt": f"2026-10-{10 + n:02d} 09:30:00",
            **customer,
        }
        for n, customer in enumerate(GENIUS_CUSTOMERS)
    ]
    company = {
        "code": GENIUS_COMPANY,
        "name": "Usinage Beauce-Chaudière inc.",
        "timezone": "America/Toronto",
        "currency": "CAD",
        "language": "FR",
        "api_keys": [GENIUS_API_KEY],
        "items": items,
        "customers": customers,
        "quotes": [],
    }
    return {"companies": [company]}


def encode(value: Any) -> Any:
    """JSON-ready values: both fixture formats read a Decimal's text exactly."""
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"cannot write {value!r} to a fixture")


def dump(document: dict[str, Any]) -> str:
    text = json.dumps(document, ensure_ascii=False, indent=1, default=encode)
    return text + "\n"


def write_fixtures(out_dir: Path = OUT_DIR) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, document in (
        ("hubspot", hubspot_fixture()),
        ("genius", genius_fixture()),
    ):
        path = out_dir / f"{name}_demo.json"
        path.write_text(dump(document), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox.demo")
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    for path in write_fixtures(parser.parse_args().out):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
