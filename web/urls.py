from django.urls import path

from web import learn, pages, teach

urlpatterns = [
    path("", pages.home, name="home"),
    path("developers/<str:name>", pages.developer_document, name="developer-document"),
    path("learn/", pages.learn_index, name="learn"),
    path("learn/mistakes/", learn.mistakes, name="learn-mistakes"),
    path("learn/review/", learn.review, name="learn-review"),
    path("learn/progress/", learn.progress, name="learn-progress"),
    path("teach/", teach.classes, name="teach"),
    path("teach/classes/<int:classroom_id>/", teach.dashboard, name="teach-class"),
    path("teach/classes/<int:classroom_id>/export.csv", teach.export_csv, name="teach-export"),
    path("teach/classes/<int:classroom_id>/learners/<slug:player_id>/", teach.learner, name="teach-learner"),
    path(
        "teach/classes/<int:classroom_id>/learners/<slug:player_id>/mistakes/<int:mistake_id>/<str:action>",
        teach.mistake_curate,
        name="teach-mistake-curate",
    ),
]
