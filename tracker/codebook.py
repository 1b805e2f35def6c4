"""The default codebook from DESIGN.md: four parties, five issues and their scales.

Scales run from Kyiv's maximal demand (score 0) to Moscow's (the highest score).
Once a store uses a code it must stay stable; labels may be reworded.

Each stance carries cue phrases: words a news sentence uses for it ("lay down their arms" for
surrender). Ingest suggests the stance whose cue matches best, with the cue, and never records
anything by itself; a cue of two words or more also marks a sentence as speaking to its issue
("a halt on energy strikes" is about the ceasefire without the word). They were written from the
stances' definitions (docs/record.md) and the phrasing of news on the negotiation; extend them with
`tracker issues update ISSUE --stance CODE --cue "..."`.
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
            {"code": "join-now", "label": "Join now",
             "cues": ["join now", "join NATO now", "immediate invitation", "invitation to join",
                      "invite Ukraine", "membership now"]},
            {"code": "irreversible-path", "label": "Irreversible path",
             "cues": ["irreversible", "path to membership", "path to NATO", "goal of joining",
                      "future is in NATO", "will join NATO", "bridge to membership"]},
            {"code": "not-now", "label": "Not now",
             "cues": ["not now", "not on the table", "off the table", "not at this stage", "not for now",
                      "other security guarantees", "security guarantees instead"]},
            {"code": "unrealistic", "label": "Unrealistic",
             "cues": ["unrealistic", "not realistic", "realistic outcome", "not going to happen",
                      "will not happen"]},
            {"code": "renounce", "label": "Renounce (neutrality)",
             "cues": ["neutral status", "neutrality", "never join", "not join NATO", "must not join",
                      "renounce", "non-aligned", "non-bloc", "no NATO", "stay out of NATO",
                      "barred from joining", "legally binding guarantees"]},
        ],
    },
    {
        "id": "territory",
        "name": "Territory",
        "question": "Land Russia holds or claims",
        "keywords": ["territory", "territories", "borders", "Crimea", "Donetsk", "Luhansk",
                     "Zaporizhzhia", "Kherson", "Donbas", "annexed", "sovereignty", "occupied"],
        "scale": [
            {"code": "full-restoration", "label": "Full restoration (1991)",
             "cues": ["1991 borders", "full restoration", "territorial integrity", "must return to Ukraine",
                      "every occupied territory", "all occupied territories", "withdraw all troops",
                      "de-occupation", "liberate all"]},
            {"code": "no-recognition", "label": "Freeze, no recognition",
             "cues": ["never recognise", "never recognize", "will not recognise", "will not recognize",
                      "no recognition", "freeze the front", "freeze the line", "along the current line",
                      "de facto control"]},
            {"code": "recognise-some", "label": "Recognise some",
             "cues": ["recognition of Crimea", "recognise Crimea", "recognize Crimea", "Crimea as Russian",
                      "accept Russian sovereignty", "recognise Russian sovereignty",
                      "recognize Russian sovereignty", "territorial concessions", "land for peace",
                      "cede some"]},
            {"code": "cede-claimed", "label": "Cede all claimed",
             "cues": ["four regions", "all four regions", "new regions", "part of Russia",
                      "withdraw from Donetsk", "leave the four", "whole of the four", "administrative borders"]},
        ],
    },
    {
        "id": "kursk",
        "name": "Kursk",
        "question": "Ukraine's foothold in Russia's Kursk region",
        "keywords": ["Kursk"],
        "scale": [
            {"code": "hold-as-leverage", "label": "Hold as leverage",
             "cues": ["bargaining chip", "leverage", "hold Kursk", "keep Kursk", "stay in Kursk"]},
            {"code": "exchange", "label": "Exchange",
             "cues": ["swap", "one territory for another", "territory for territory", "trade Kursk",
                      "exchange territory", "in exchange for occupied"]},
            {"code": "negotiated-withdrawal", "label": "Negotiated withdrawal",
             "cues": ["withdraw from Kursk", "leave Kursk", "pull out of Kursk", "negotiated withdrawal",
                      "spare the lives", "spare their lives", "safe passage", "made to leave"]},
            {"code": "surrender", "label": "Surrender",
             "cues": ["lay down their arms", "lay down arms", "surrender", "capitulate", "surrender or die",
                      "give up their weapons"]},
            {"code": "expel-by-force", "label": "Expel by force",
             "cues": ["expel", "drive out", "driven out", "drive them out", "by force", "liberate Kursk",
                      "liberation of Kursk", "destroy"]},
        ],
    },
    {
        "id": "ceasefire",
        "name": "Ceasefire",
        "question": "Terms of a ceasefire",
        "keywords": ["ceasefire", "cease-fire", "cease fire", "truce", "armistice", "hostilities"],
        "scale": [
            {"code": "immediate-full", "label": "Immediate, full",
             "cues": ["immediate ceasefire", "unconditional ceasefire", "immediate and unconditional",
                      "full ceasefire", "complete ceasefire", "full truce", "30-day ceasefire",
                      "interim ceasefire", "ceasefire now", "stop the fighting now"]},
            {"code": "conditional", "label": "Conditional",
             "cues": ["guarantees", "security guarantees", "monitoring", "monitor", "observers",
                      "verification", "on condition", "conditions", "peacekeepers"]},
            {"code": "partial-only", "label": "Partial only",
             "cues": ["energy strikes", "energy infrastructure", "energy facilities", "energy truce",
                      "strikes on energy", "halt on energy", "Black Sea", "maritime truce", "at sea",
                      "partial ceasefire", "partial truce", "limited truce"]},
            {"code": "root-causes-first", "label": "Root causes first",
             "cues": ["root causes", "initial causes", "primary causes", "causes of the conflict",
                      "causes of this crisis", "long-term peace", "lasting peace", "durable peace"]},
            {"code": "after-capitulation", "label": "After capitulation",
             "cues": ["capitulation", "capitulate", "after Ukraine withdraws", "until Ukraine withdraws",
                      "once Ukraine withdraws", "only after Kyiv"]},
        ],
    },
    {
        "id": "sanctions",
        "name": "Sanctions",
        "question": "Sanctions on Russia",
        "keywords": ["sanction", "sanctions", "tariff", "tariffs", "frozen assets", "embargo"],
        "scale": [
            {"code": "tighten", "label": "Tighten",
             "cues": ["tighten", "tightened", "strengthen", "strengthened", "more sanctions", "new sanctions",
                      "tougher sanctions", "harsher sanctions", "secondary sanctions", "banking sanctions",
                      "tariffs", "more pressure"]},
            {"code": "maintain", "label": "Maintain",
             "cues": ["maintain", "maintained", "keep the sanctions", "remain in place", "stay in place",
                      "no sanctions relief", "not be eased"]},
            {"code": "phased-relief", "label": "Phased relief",
             "cues": ["in phases", "step by step", "gradual", "phased", "sanctions relief", "easing", "eased",
                      "ease sanctions", "ease the sanctions"]},
            {"code": "lift", "label": "Lift",
             "cues": ["lift", "lifted", "lifting", "remove sanctions", "sanctions removed",
                      "illegal sanctions", "illegitimate sanctions", "unilateral sanctions",
                      "oppose sanctions", "opposes sanctions"]},
        ],
    },
]  # fmt: skip
