"""Small per-language word lists that move an NPC's relationship with a player.

Matched on whole words, case- and accent-insensitively, on what the learner said.
"""

POLITENESS_MARKERS: dict[str, tuple[str, ...]] = {
    "en": ("please", "thank you", "thanks", "excuse me", "you're welcome"),
    "es": ("por favor", "gracias", "disculpe", "perdon", "con permiso", "de nada"),
    "fr": ("s'il vous plait", "s'il te plait", "merci", "excusez-moi", "pardon", "je vous en prie"),
    "de": ("bitte", "danke", "entschuldigung", "entschuldigen sie", "vielen dank"),
    "it": ("per favore", "grazie", "scusi", "prego", "per piacere"),
    "pt": ("por favor", "obrigado", "obrigada", "desculpe", "com licenca"),
    "nl": ("alstublieft", "alsjeblieft", "dank u", "dank je", "bedankt", "pardon"),
}

INSULTS: dict[str, tuple[str, ...]] = {
    "en": ("idiot", "stupid", "moron", "shut up", "dumb", "loser", "jerk"),
    "es": ("idiota", "estupido", "estupida", "imbecil", "callate", "tonto", "tonta"),
    "fr": ("idiot", "idiote", "imbecile", "cretin", "tais-toi", "ferme-la", "connard"),
    "de": ("idiot", "dumm", "blod", "dummkopf", "halt die klappe", "trottel"),
    "it": ("idiota", "stupido", "stupida", "imbecille", "stai zitto", "cretino"),
    "pt": ("idiota", "estupido", "estupida", "imbecil", "cala a boca", "burro"),
    "nl": ("idioot", "stom", "sukkel", "hou je mond", "debiel"),
}
