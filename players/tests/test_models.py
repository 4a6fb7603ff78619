import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from players.models import Relationship


@pytest.mark.django_db
@pytest.mark.parametrize("score", [-1.0, 0.0, 0.37, 1.0])
def test_relationship_accepts_scores_within_bounds(player, npc, score):
    relationship = Relationship.objects.create(player=player, npc=npc, score=score)
    relationship.refresh_from_db()
    assert relationship.score == pytest.approx(score)


@pytest.mark.django_db
@pytest.mark.parametrize("score", [-1.01, 1.5])
def test_relationship_database_rejects_scores_out_of_bounds(player, npc, score):
    with pytest.raises(IntegrityError), transaction.atomic():
        Relationship.objects.create(player=player, npc=npc, score=score)
    assert not Relationship.objects.exists()


@pytest.mark.django_db
def test_relationship_validation_names_the_bound(player, npc):
    with pytest.raises(ValidationError) as excinfo:
        Relationship(player=player, npc=npc, score=2.0).full_clean()
    assert "score" in excinfo.value.message_dict


@pytest.mark.django_db
def test_relationship_is_unique_per_player_and_npc(player, npc):
    Relationship.objects.create(player=player, npc=npc, score=0.1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Relationship.objects.create(player=player, npc=npc, score=0.2)
    assert Relationship.objects.count() == 1
