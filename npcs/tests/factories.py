import factory

from npcs.models import NPC, Scene


class SceneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scene
        django_get_or_create = ["scene_id"]

    scene_id = "bakery"
    name = "Bakery"
    description = "A small bakery that smells of fresh bread."


class NPCFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NPC

    npc_id = factory.Sequence(lambda n: f"npc_{n}")
    name = factory.Sequence(lambda n: f"NPC {n}")
    personality = "Friendly and talkative."
    backstory = "Has lived in town all their life."
    language = "en"
    cefr_level = "A2"
    scene = factory.SubFactory(SceneFactory)
    greeting = "Hello!"
