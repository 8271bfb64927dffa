from rest_framework.routers import SimpleRouter

from webhooks import apis

router = SimpleRouter()
router.register("webhook-endpoints", apis.EndpointViewSet, basename="webhook-endpoint")
router.register("webhook-deliveries", apis.DeliveryViewSet, basename="webhook-delivery")

urlpatterns = router.urls
