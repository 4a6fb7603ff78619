"""Pages for everyone: the home page and the developer documents it links to."""

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from players.selectors import classroom_list_for_teacher, player_for_user

# The contract a game developer needs, served from docs/ (offline, like everything else).
DEVELOPER_DOCUMENTS = {
    "protocol.md": "text/markdown; charset=utf-8",
    "protocol-messages.schema.json": "application/json",
    "protocol-events.schema.json": "application/json",
}


def home(request):
    user = request.user
    return render(
        request,
        "web/home.html",
        {
            "player": player_for_user(user=user),
            "classrooms": list(classroom_list_for_teacher(teacher=user)) if user.is_authenticated else [],
        },
    )


def learn_index(request):
    return redirect("learn-progress")


def developer_document(request, name: str):
    if name not in DEVELOPER_DOCUMENTS:
        raise Http404("No such document.")
    path = settings.BASE_DIR / "docs" / ("PROTOCOL.md" if name == "protocol.md" else name)
    return FileResponse(path.open("rb"), content_type=DEVELOPER_DOCUMENTS[name])
