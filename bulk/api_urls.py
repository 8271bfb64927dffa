from rest_framework.routers import SimpleRouter

from bulk import apis

router = SimpleRouter()
router.register("answer-requests", apis.AnswerRequestViewSet, basename="answer-request")

urlpatterns = router.urls
