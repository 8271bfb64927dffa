from rest_framework.routers import SimpleRouter

from applicants import apis
from applicants.bulk import apis as bulk_apis

router = SimpleRouter()
router.register("job-postings", apis.JobPostingViewSet, basename="job-posting")
router.register("applicants", apis.ApplicantViewSet, basename="applicant")
router.register("answer-requests", bulk_apis.AnswerRequestViewSet, basename="answer-request")

urlpatterns = router.urls
