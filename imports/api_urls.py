from rest_framework.routers import SimpleRouter

from imports import apis

router = SimpleRouter()
router.register("applicant-imports", apis.ApplicantImportViewSet, basename="applicant-import")

urlpatterns = router.urls
