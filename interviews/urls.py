from django.urls import path

from interviews import jscatalog, views

app_name = "interviews"

urlpatterns = [
    path("i/jsi18n/<str:language>/<str:version>.js", jscatalog.view, name="jsi18n"),
    path("i/<str:token>/", views.start, name="start"),
    path("i/<str:token>/check/", views.device_check, name="check"),
    path("i/<str:token>/practice/", views.practice, name="practice"),
    path("i/<str:token>/record/", views.record, name="record"),
    path("i/<str:token>/confirm/", views.confirm, name="confirm"),
    path("i/<str:token>/done/", views.done, name="done"),
    path("i/<str:token>/takes/", views.take_start, name="take_start"),
    path("i/<str:token>/takes/<str:key>/", views.take_status, name="take_status"),
    path("i/<str:token>/takes/<str:key>/chunks/<int:index>", views.take_chunk, name="take_chunk"),
    path("i/<str:token>/takes/<str:key>/parts/", views.take_parts, name="take_parts"),
    path("i/<str:token>/takes/<str:key>/complete/", views.take_complete, name="take_complete"),
    path("i/<str:token>/takes/<str:key>/keep/", views.take_keep, name="take_keep"),
    path("m/<str:signed>/", views.media, name="media"),
    # The recruiter's 受験リセット of one applicant (a button in the answers section).
    path("applicants/<int:im_id>/reset/", views.applicant_reset, name="applicant_reset"),
]
