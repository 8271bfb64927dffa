from django.urls import path

from interviews import apis

urlpatterns = [
    path("applicants/<int:im_id>/answers/", apis.ApplicantAnswerList.as_view(), name="applicant-answers"),
]
