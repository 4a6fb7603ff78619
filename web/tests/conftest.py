import pytest
from django.contrib.auth import get_user_model

from npcs.tests.factories import NPCFactory
from players.models import Classroom
from players.tests.factories import PlayerFactory

PASSWORD = "a-long-test-password-1"


def user_named(username: str, **fields):
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **fields)


@pytest.fixture
def learner(db):
    """A learner account: a Django user linked to a player."""
    return PlayerFactory(player_id="learner_ana", display_name="Ana", user=user_named("learner_ana"))


@pytest.fixture
def other_learner(db):
    return PlayerFactory(player_id="learner_ben", display_name="Ben", user=user_named("learner_ben"))


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner.user)
    return client


@pytest.fixture
def teacher(db):
    return user_named("teacher")


@pytest.fixture
def classroom(teacher, learner):
    classroom = Classroom.objects.create(name="Year 9 English", teacher=teacher)
    classroom.learners.add(learner)
    return classroom


@pytest.fixture
def foreign_classroom(db, other_learner):
    """Another teacher's class."""
    classroom = Classroom.objects.create(name="Other class", teacher=user_named("other_teacher"))
    classroom.learners.add(other_learner)
    return classroom


@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


@pytest.fixture
def baker(db):
    return NPCFactory(npc_id="baker_01", name="Tom")


@pytest.fixture
def fruit_seller(db):
    return NPCFactory(npc_id="vendor_lucia", name="Lucía", language="es")


@pytest.fixture(scope="session")
def live_site(tmp_path_factory):
    """The site as it runs in production (Daphne, DEBUG off), with demo content and practice."""
    from web.tests.live_site import live_site_start

    site = live_site_start(tmp_path_factory.mktemp("live_site"))
    try:
        yield site
    finally:
        site.server.stop()
