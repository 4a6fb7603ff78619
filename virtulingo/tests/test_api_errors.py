from rest_framework import exceptions

from virtulingo.api_errors import exception_handler


def test_validation_errors_name_the_field_and_keep_every_field():
    exc = exceptions.ValidationError({"utterance": ["This field is required."], "language": ["Unknown language."]})
    response = exception_handler(exc, context={})
    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert response.data["message"] == response.data["text"] == "utterance: This field is required."
    assert set(response.data["fields"]) == {"utterance", "language"}


def test_other_api_errors_keep_their_code():
    response = exception_handler(exceptions.AuthenticationFailed("The player token is not valid."), context={})
    assert response.status_code == 401
    assert response.data == {
        "code": "authentication_failed",
        "message": "The player token is not valid.",
        "text": "The player token is not valid.",
    }


def test_non_api_exceptions_are_left_to_django():
    assert exception_handler(ValueError("boom"), context={}) is None
