from django.urls import path

from grammar.apis import (
    CorrectApi,
    MistakeRejectApi,
    MistakeRestoreApi,
    MistakesApi,
    ReviewAnswerApi,
    ReviewCheckApi,
    ReviewGenerateApi,
)

urlpatterns = [
    path("conversations/<slug:player_id>/correct", CorrectApi.as_view(), name="grammar-correct"),
    path("conversations/<slug:player_id>/mistakes", MistakesApi.as_view(), name="grammar-mistakes"),
    path("review/check", ReviewCheckApi.as_view(), name="review-check"),
    path("review/<slug:player_id>/generate", ReviewGenerateApi.as_view(), name="review-generate"),
    path("review/<slug:player_id>/answer", ReviewAnswerApi.as_view(), name="review-answer"),
    path("mistakes/<int:mistake_id>/reject", MistakeRejectApi.as_view(), name="mistake-reject"),
    path("mistakes/<int:mistake_id>/restore", MistakeRestoreApi.as_view(), name="mistake-restore"),
]
