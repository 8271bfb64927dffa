from django.urls import path

from interviews import apis

urlpatterns = [
    path("applicants/<int:im_id>/answers/", apis.ApplicantAnswerList.as_view(), name="applicant-answers"),
    path("applicants/<int:im_id>/reset/", apis.ApplicantReset.as_view(), name="applicant-reset"),
]
