"""URLs of まとめて処理モード, included into the applicants namespace."""

from django.urls import path

from applicants.bulk import views

urlpatterns = [
    path("applicants/bulk/", views.bulk_confirm, name="bulk_confirm"),
    path("answer-requests/", views.answer_request_list, name="answer_request_list"),
    path("answer-requests/<int:pk>/", views.answer_request_detail, name="answer_request_detail"),
    path("answer-requests/<int:pk>/progress/", views.answer_request_progress, name="answer_request_progress"),
    path("job-postings/<int:pk>/reminder/", views.job_posting_reminder, name="job_posting_reminder"),
]
