from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("settings/webhooks/", views.endpoint_list, name="endpoint_list"),
    path("settings/webhooks/<int:pk>/", views.endpoint_detail, name="endpoint_detail"),
    path("settings/webhooks/<int:pk>/rotate/", views.endpoint_rotate, name="endpoint_rotate"),
    path("settings/webhooks/<int:pk>/delete/", views.endpoint_delete, name="endpoint_delete"),
    path(
        "settings/webhooks/deliveries/<int:pk>/redeliver/",
        views.delivery_redeliver,
        name="delivery_redeliver",
    ),
]
