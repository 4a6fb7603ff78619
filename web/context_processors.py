from django.utils.functional import SimpleLazyObject

from players.selectors import classroom_list_for_teacher, player_for_user


def navigation(request) -> dict:
    """Which audiences' pages the signed-in user has, for the site's header (read only when shown)."""

    def read() -> dict:
        user = request.user
        return {
            "learner": player_for_user(user=user) is not None,
            "teacher": user.is_authenticated and classroom_list_for_teacher(teacher=user).exists(),
        }

    return {"web_nav": SimpleLazyObject(read)}
