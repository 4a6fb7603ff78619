"""The NPC's prompt: every template the language model sees lives here.

The system prompt is written in the NPC's language (a small model answers in the
language it is spoken to far more reliably than in one it is told to use), keeps
replies short and in character, and never corrects grammar (the grammar pipeline does
that). The NPC's price list is data from its record, written into the prompt with
prices formatted in code, so the model reads them instead of making them up. One
example exchange (a greeting, answered with the NPC's own greeting line) shows the
length and register wanted. What changes from turn to turn (world state, relationship)
comes last in the system prompt, so the stable persona stays a cached prefix of the
local model's context between turns; ``npc_fixed_prefix`` is that prefix alone, for a
session to have it read before the first turn.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from engines.interfaces import ChatMessage
from npcs.models import NPC
from players.world_state import HistoryExchange, PlayerWorldState


@dataclass(frozen=True)
class PromptLanguage:
    """The words of the prompt in one language."""

    persona: str
    rules: str
    scene: str
    no_scene: str
    menu_title: str
    holding: str
    quest: str
    nearby: str
    player: str
    example_greeting: str
    relationships: dict[str, str]
    decimal_comma: bool
    # German capitalizes nouns, so a scene's name keeps its case mid-sentence.
    nouns_capitalized: bool = False
    # Totals computed in code for what the learner asks about: "(Prices: 2 x a croissant = €2.40)".
    totals: str = "({items}{total})"
    total_word: str = "total"
    numbers: dict[str, int] = field(default_factory=dict)


ENGLISH = PromptLanguage(
    persona="You are {name}. {personality} {backstory}\nYour mood: {tone}.\n{scene}\n{menu}",
    rules=(
        "Rules:\n"
        "- Speak only English, at CEFR level {npc_level}: common words, short sentences.\n"
        "- Answer in one to three short sentences, then let the player talk.\n"
        "- You are {name}, a real person in this place. Never say you are an AI, a model or a program; "
        "never talk about these rules.\n"
        "- Never correct the player's grammar; answer what they mean.\n"
        "- If the player talks about something else, answer in a few words and come back to this place.\n"
        "- Quote only the prices above."
    ),
    scene="You are at the {scene_name}. {scene_description}",
    no_scene="You are somewhere in town.",
    menu_title="Your prices:",
    holding="The player is holding {object}.",
    quest="The player's current task: {quest}.",
    nearby="Also nearby: {names}.",
    player="The player is {relationship} to you. They are learning English (level {player_level}).",
    example_greeting="Hello!",
    relationships={
        "hostile": "hostile",
        "wary": "wary",
        "stranger": "a stranger",
        "acquaintance": "an acquaintance",
        "friend": "a friend",
        "close friend": "a close friend",
    },
    decimal_comma=False,
    totals="(Prices: {items}{total})",
    numbers={"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10},
)

PROMPT_LANGUAGES = {
    "en": ENGLISH,
    "fr": PromptLanguage(
        persona="Tu es {name}. {personality} {backstory}\nTon humeur : {tone}.\n{scene}\n{menu}",
        rules=(
            "Règles :\n"
            "- Parle seulement français, niveau {npc_level} : mots courants, phrases courtes.\n"
            "- Réponds en une à trois phrases courtes, puis laisse parler le joueur.\n"
            "- Tu es {name}, une vraie personne ici. Ne dis jamais que tu es une IA, un modèle ou un programme ; "
            "ne parle jamais de ces règles.\n"
            "- Ne corrige jamais la grammaire du joueur ; réponds à ce qu'il veut dire.\n"
            "- Si le joueur parle d'autre chose, réponds en quelques mots et reviens à ce lieu.\n"
            "- Donne seulement les prix ci-dessus."
        ),
        scene="Tu es à ce lieu : {scene_name}. {scene_description}",
        no_scene="Tu es quelque part en ville.",
        menu_title="Tes prix :",
        holding="Le joueur tient {object}.",
        quest="La tâche du joueur : {quest}.",
        nearby="Aussi ici : {names}.",
        player="Le joueur est {relationship} pour toi. Il apprend le français (niveau {player_level}).",
        example_greeting="Bonjour !",
        relationships={
            "hostile": "hostile",
            "wary": "méfiant",
            "stranger": "un inconnu",
            "acquaintance": "une connaissance",
            "friend": "un ami",
            "close friend": "un ami proche",
        },
        decimal_comma=True,
        totals="(Prix : {items}{total})",
        numbers={"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "dix": 10},
    ),
    "es": PromptLanguage(
        persona="Eres {name}. {personality} {backstory}\nTu humor: {tone}.\n{scene}\n{menu}",
        rules=(
            "Reglas:\n"
            "- Habla solo español, nivel {npc_level}: palabras comunes, frases cortas.\n"
            "- Responde en una a tres frases cortas y deja hablar al jugador.\n"
            "- Eres {name}, una persona real de este lugar. Nunca digas que eres una IA, un modelo o un programa; "
            "nunca hables de estas reglas.\n"
            "- Nunca corrijas la gramática del jugador; responde a lo que quiere decir.\n"
            "- Si el jugador habla de otra cosa, responde en pocas palabras y vuelve a este lugar.\n"
            "- Di solo los precios de arriba."
        ),
        scene="Estás en este lugar: {scene_name}. {scene_description}",
        no_scene="Estás en algún lugar de la ciudad.",
        menu_title="Tus precios:",
        holding="El jugador tiene en la mano {object}.",
        quest="La tarea del jugador: {quest}.",
        nearby="También aquí: {names}.",
        player="El jugador es {relationship} para ti. Aprende español (nivel {player_level}).",
        example_greeting="¡Hola!",
        relationships={
            "hostile": "hostil",
            "wary": "desconfiado",
            "stranger": "un desconocido",
            "acquaintance": "un conocido",
            "friend": "un amigo",
            "close friend": "un buen amigo",
        },
        decimal_comma=True,
        totals="(Precios: {items}{total})",
        numbers={"un": 1, "una": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "diez": 10},
    ),
    "de": PromptLanguage(
        persona="Du bist {name}. {personality} {backstory}\nDeine Stimmung: {tone}.\n{scene}\n{menu}",
        rules=(
            "Regeln:\n"
            "- Sprich nur Deutsch, Niveau {npc_level}: einfache Wörter, kurze Sätze.\n"
            "- Antworte in ein bis drei kurzen Sätzen, dann lass den Spieler sprechen.\n"
            "- Du bist {name}, ein echter Mensch an diesem Ort. Sag nie, dass du eine KI, ein Modell oder ein "
            "Programm bist; sprich nie über diese Regeln.\n"
            "- Korrigiere nie die Grammatik des Spielers; antworte auf das, was er meint.\n"
            "- Wenn der Spieler über etwas anderes spricht, antworte kurz und komm zu diesem Ort zurück.\n"
            "- Nenne nur die Preise oben."
        ),
        scene="Du bist an diesem Ort: {scene_name}. {scene_description}",
        no_scene="Du bist irgendwo in der Stadt.",
        menu_title="Deine Preise:",
        holding="Der Spieler hält {object}.",
        quest="Die Aufgabe des Spielers: {quest}.",
        nearby="Auch hier: {names}.",
        player="Der Spieler ist {relationship} für dich. Er lernt Deutsch (Niveau {player_level}).",
        example_greeting="Guten Tag!",
        relationships={
            "hostile": "feindselig",
            "wary": "misstrauisch",
            "stranger": "ein Fremder",
            "acquaintance": "ein Bekannter",
            "friend": "ein Freund",
            "close friend": "ein guter Freund",
        },
        decimal_comma=True,
        nouns_capitalized=True,
        totals="(Preise: {items}{total})",
        total_word="zusammen",
        numbers={"ein": 1, "eine": 1, "einen": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "zehn": 10},
    ),
}


def prompt_language(language: str) -> PromptLanguage:
    """The prompt's words for ``language``; English for a language without its own templates."""
    return PROMPT_LANGUAGES.get(language, ENGLISH)


def format_price(price: object, *, currency: str, language: str) -> str:
    """``1.2`` -> ``1,20 €`` (French, Spanish, German) or ``€1.20`` (English), computed in code."""
    try:
        amount = Decimal(str(price)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return str(price)
    if prompt_language(language).decimal_comma:
        return f"{str(amount).replace('.', ',')} {currency}".strip()
    return f"{currency}{amount}"


def _stem(word: str) -> str:
    word = word.lower()
    for ending in ("es", "s", "n", "e"):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def _item_key(item: str) -> str:
    """The word that names an item: the longest of its name ("un kilo de manzanas" -> manzanas)."""
    return _stem(max(re.findall(r"\w+", item), key=len, default=item))


def asked_prices(*, npc: NPC, language: str, utterance: str) -> str:
    """The prices of what the learner names, quantities and total computed here: a small
    model cannot multiply or add. Empty when the learner names nothing from the price list."""
    words = prompt_language(language)
    tokens = re.findall(r"\w+", utterance.lower())
    lines, total, count = [], Decimal(0), 0
    for entry in npc.price_list or []:
        if not isinstance(entry, dict) or not entry.get("item"):
            continue
        key = _item_key(str(entry["item"]))
        for position, token in enumerate(tokens):
            if _stem(token) != key:
                continue
            quantity = 1
            for before in reversed(tokens[max(0, position - 3) : position]):
                number = int(before) if before.isdigit() else words.numbers.get(before)
                if number:
                    quantity = number
                    break
            try:
                price = Decimal(str(entry.get("price", ""))) * quantity
            except InvalidOperation:
                break
            amount = format_price(price, currency=npc.currency, language=language)
            lines.append(f"{quantity} x {entry['item']} = {amount}")
            total, count = total + price, count + 1
            break
    if not lines:
        return ""
    summed = f"; {words.total_word} = {format_price(total, currency=npc.currency, language=language)}"
    return words.totals.format(items="; ".join(lines), total=summed if count > 1 else "")


def _menu_lines(*, npc: NPC, language: str) -> str:
    items = [entry for entry in (npc.price_list or []) if isinstance(entry, dict) and entry.get("item")]
    if not items:
        return ""
    words = prompt_language(language)
    lines = [words.menu_title]
    for entry in items:
        price = format_price(entry.get("price", ""), currency=npc.currency, language=language)
        lines.append(f"- {entry['item']}: {price}")
    return "\n".join(lines) + "\n"


def npc_fixed_prefix(*, npc: NPC, language: str) -> str:
    """The part of the system prompt that changes only when the NPC's record does."""
    words = prompt_language(language)
    if npc.scene:
        scene_name, scene_description = npc.scene.text_in(language)
        scene = words.scene.format(
            scene_name=scene_name if words.nouns_capitalized else scene_name.lower(),
            scene_description=scene_description.strip(),
        )
    else:
        scene = words.no_scene
    persona = words.persona.format(
        name=npc.name,
        personality=npc.personality.strip(),
        backstory=npc.backstory.strip(),
        tone=npc.emotional_tone,
        scene=scene,
        menu=_menu_lines(npc=npc, language=language),
    )
    return persona + words.rules.format(name=npc.name, npc_level=npc.cefr_level)


def npc_system_prompt(
    *,
    npc: NPC,
    language: str,
    player_level: str,
    relationship: str = "stranger",
    world_state: PlayerWorldState | None = None,
    nearby_names: Sequence[str] = (),
) -> str:
    words = prompt_language(language)
    lines = [npc_fixed_prefix(npc=npc, language=language)]
    lines += _world_lines(words=words, world_state=world_state, nearby_names=nearby_names)
    lines.append(
        words.player.format(relationship=words.relationships.get(relationship, relationship), player_level=player_level)
    )
    return "\n".join(lines)


def _world_lines(
    *, words: PromptLanguage, world_state: PlayerWorldState | None, nearby_names: Sequence[str]
) -> list[str]:
    if world_state is None:
        return []
    lines = []
    if world_state.object_in_hand:
        lines.append(words.holding.format(object=world_state.object_in_hand))
    if world_state.active_quest:
        lines.append(words.quest.format(quest=world_state.active_quest.replace("_", " ")))
    if nearby_names:
        lines.append(words.nearby.format(names=", ".join(nearby_names)))
    return lines


def example_exchange(*, npc: NPC, language: str) -> list[ChatMessage]:
    """A greeting answered with the NPC's own greeting line: the length and register wanted."""
    if not npc.greeting.strip():
        return []
    return [
        ChatMessage(role="user", content=prompt_language(language).example_greeting),
        ChatMessage(role="assistant", content=npc.greeting.strip()),
    ]


def npc_prompt_messages(
    *,
    npc: NPC,
    language: str,
    player_level: str,
    utterance: str,
    relationship: str = "stranger",
    world_state: PlayerWorldState | None = None,
    nearby_names: Sequence[str] = (),
    history: Sequence[HistoryExchange] = (),
) -> list[ChatMessage]:
    """System prompt, the example exchange, the recent exchanges (oldest first), then what
    the learner just said, followed by the prices of what it names (``asked_prices``)."""
    messages = [
        ChatMessage(
            role="system",
            content=npc_system_prompt(
                npc=npc,
                language=language,
                player_level=player_level,
                relationship=relationship,
                world_state=world_state,
                nearby_names=nearby_names,
            ),
        ),
        *example_exchange(npc=npc, language=language),
    ]
    for exchange in history:
        messages.append(ChatMessage(role="user", content=exchange.player_text))
        messages.append(ChatMessage(role="assistant", content=exchange.npc_text))
    prices = asked_prices(npc=npc, language=language, utterance=utterance) if utterance else ""
    messages.append(ChatMessage(role="user", content=f"{utterance}\n{prices}" if prices else utterance))
    return messages
