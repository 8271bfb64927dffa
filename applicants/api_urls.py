from rest_framework.routers import SimpleRouter

from applicants import apis
from applicants.bulk import apis as bulk_apis
from applicants.imports import apis as import_apis

router = SimpleRouter()
router.register("job-postings", apis.JobPostingViewSet, basename="job-posting")
router.register("applicants", apis.ApplicantViewSet, basename="applicant")
router.register("answer-requests", bulk_apis.AnswerRequestViewSet, basename="answer-request")
router.register("applicant-imports", import_apis.ApplicantImportViewSet, basename="applicant-import")

urlpatterns = router.urls
