"""The default codebook from DESIGN.md: four parties, five issues and their scales.

Scales run from Kyiv's maximal demand (score 0) to Moscow's (the highest score).
Once a store uses a code it must stay stable; labels may be reworded.
"""

from __future__ import annotations

from typing import Any

PARTIES: list[dict[str, Any]] = [
    {
        "id": "russia",
        "name": "Russia",
        "aliases": ["Russia", "Russian", "Moscow", "Kremlin", "Putin", "Peskov", "Lavrov",
                    "Zakharova", "Ushakov", "Dmitriev"],
        "color": "#d0463b",
    },
    {
        "id": "ukraine",
        "name": "Ukraine",
        "aliases": ["Ukraine", "Ukrainian", "Kyiv", "Kiev", "Zelensky", "Zelenskyy", "Yermak",
                    "Sybiha", "Umerov"],
        "color": "#3b82d0",
    },
    {
        "id": "usa",
        "name": "United States",
        "aliases": ["United States", "U.S.", "US", "Washington", "White House", "Trump",
                    "Rubio", "Hegseth", "Witkoff", "Waltz", "Vance", "Kellogg"],
        "color": "#8a5cd0",
    },
    {
        "id": "europe",
        "name": "Europe",
        "aliases": ["European Union", "EU", "Brussels", "Macron", "Starmer", "Scholz", "Merz",
                    "von der Leyen", "Kallas", "coalition of the willing"],
        "color": "#2fa37a",
    },
]  # fmt: skip

ISSUES: list[dict[str, Any]] = [
    {
        "id": "nato",
        "name": "NATO",
        "question": "Ukraine's membership of NATO",
        "keywords": ["NATO", "North Atlantic", "membership", "neutral", "neutrality", "alliance"],
        "scale": [
            {"code": "join-now", "label": "Join now"},
            {"code": "irreversible-path", "label": "Irreversible path"},
            {"code": "not-now", "label": "Not now"},
            {"code": "unrealistic", "label": "Unrealistic"},
            {"code": "renounce", "label": "Renounce (neutrality)"},
        ],
    },
    {
        "id": "territory",
        "name": "Territory",
        "question": "Land Russia holds or claims",
        "keywords": ["territory", "territories", "borders", "Crimea", "Donetsk", "Luhansk",
                     "Zaporizhzhia", "Kherson", "Donbas", "annexed", "sovereignty", "occupied"],
        "scale": [
            {"code": "full-restoration", "label": "Full restoration (1991)"},
            {"code": "no-recognition", "label": "Freeze, no recognition"},
            {"code": "recognise-some", "label": "Recognise some"},
            {"code": "cede-claimed", "label": "Cede all claimed"},
        ],
    },
    {
        "id": "kursk",
        "name": "Kursk",
        "question": "Ukraine's foothold in Russia's Kursk region",
        "keywords": ["Kursk"],
        "scale": [
            {"code": "hold-as-leverage", "label": "Hold as leverage"},
            {"code": "exchange", "label": "Exchange"},
            {"code": "negotiated-withdrawal", "label": "Negotiated withdrawal"},
            {"code": "surrender", "label": "Surrender"},
            {"code": "expel-by-force", "label": "Expel by force"},
        ],
    },
    {
        "id": "ceasefire",
        "name": "Ceasefire",
        "question": "Terms of a ceasefire",
        "keywords": ["ceasefire", "cease-fire", "cease fire", "truce", "armistice", "hostilities"],
        "scale": [
            {"code": "immediate-full", "label": "Immediate, full"},
            {"code": "conditional", "label": "Conditional"},
            {"code": "partial-only", "label": "Partial only"},
            {"code": "root-causes-first", "label": "Root causes first"},
            {"code": "after-capitulation", "label": "After capitulation"},
        ],
    },
    {
        "id": "sanctions",
        "name": "Sanctions",
        "question": "Sanctions on Russia",
        "keywords": ["sanction", "sanctions", "tariff", "tariffs", "frozen assets", "embargo"],
        "scale": [
            {"code": "tighten", "label": "Tighten"},
            {"code": "maintain", "label": "Maintain"},
            {"code": "phased-relief", "label": "Phased relief"},
            {"code": "lift", "label": "Lift"},
        ],
    },
]  # fmt: skip
