"""URLs of まとめて処理モード."""

from django.urls import path

from bulk import views

app_name = "bulk"

urlpatterns = [
    path("bulk/", views.bulk_confirm, name="bulk_confirm"),
    path("answer-requests/", views.answer_request_list, name="answer_request_list"),
    path("answer-requests/<int:pk>/", views.answer_request_detail, name="answer_request_detail"),
    path("answer-requests/<int:pk>/progress/", views.answer_request_progress, name="answer_request_progress"),
    path(
        "answer-requests/<int:pk>/recipients.csv",
        views.answer_request_recipients_csv,
        name="answer_request_recipients_csv",
    ),
    path("job-postings/<int:pk>/reminder/", views.job_posting_reminder, name="job_posting_reminder"),
]
