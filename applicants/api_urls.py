from rest_framework.routers import SimpleRouter

from applicants import apis

router = SimpleRouter()
router.register("job-postings", apis.JobPostingViewSet, basename="job-posting")
router.register("applicants", apis.ApplicantViewSet, basename="applicant")

urlpatterns = router.urls
