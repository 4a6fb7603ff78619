import factory

from players.models import Player


class PlayerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Player

    player_id = factory.Sequence(lambda n: f"player_{n}")
    display_name = factory.Sequence(lambda n: f"Learner {n}")
    target_language = "en"
    native_language = "es"
    proficiency_level = "A2"
