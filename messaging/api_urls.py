from django.urls import path
from rest_framework.routers import SimpleRouter

from messaging import apis

router = SimpleRouter()
router.register("messages", apis.MessageViewSet, basename="message")

urlpatterns = [
    *router.urls,
    path("message-templates/<str:code>/", apis.MessageTemplateView.as_view(), name="message-template"),
]
