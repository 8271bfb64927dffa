"""URLs of the CSV upload (応募者CSVアップロード)."""

from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("imports/", views.import_list, name="import_list"),
    path("imports/new/", views.import_create, name="import_create"),
    path("imports/format.csv", views.import_format_csv, name="import_format_csv"),
    path("imports/applicants.csv", views.import_export_csv, name="import_export_csv"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/status/", views.import_status, name="import_status"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/errors.csv", views.import_errors_csv, name="import_errors_csv"),
]
