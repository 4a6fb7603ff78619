"""What the grammar tests share: one learner sentence with a conjugation mistake, its
correction, and the check of the `grammar_correction` event a socket receives for it."""

from conversations.models import Turn

UTTERANCE = "She go to school every day."
CORRECTION = "She goes to school every day."


def assert_correction_of(event: dict, turn: Turn) -> None:
    assert event["type"] == "grammar_correction" and event["player_id"] == "learner"
    data = event["data"]
    assert data["turn_id"] == str(turn.uuid) and data["mistake_found"] is True
    assert data["original"] == UTTERANCE and data["correction"] == CORRECTION
    assert data["category"] == "verb_conjugation" and 1 <= data["severity"] <= 5
    assert [(e["original"], e["correction"]) for e in data["edits"]] == [("go", "goes")]
