import pytest
from django.db import IntegrityError, transaction

from conversations.tests.factories import TurnFactory


@pytest.mark.django_db
def test_turn_index_is_unique_within_a_conversation():
    first = TurnFactory(index=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        TurnFactory(conversation=first.conversation, index=0)
    second = TurnFactory(conversation=first.conversation, index=1)
    assert list(first.conversation.turns.values_list("index", flat=True)) == [0, 1]
    assert first.uuid != second.uuid


@pytest.mark.django_db
def test_same_turn_index_is_allowed_in_another_conversation():
    first = TurnFactory(index=0)
    other = TurnFactory(index=0)
    assert first.conversation_id != other.conversation_id
