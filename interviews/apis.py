"""REST API of the interviews app: an applicant's answers for ATS integrations."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from applicants.permissions import CompanyScopedSerializer, api_company
from applicants.selectors import applicant_get
from interviews import selectors, services, storage


class AnswerOutputSerializer(CompanyScopedSerializer):
    position = serializers.IntegerField()
    question = serializers.CharField()
    answered = serializers.BooleanField()
    take_count = serializers.IntegerField()
    duration = serializers.FloatField(allow_null=True, help_text="Seconds")
    processing = serializers.CharField(allow_null=True)
    video_url = serializers.CharField(allow_blank=True, help_text="Short-lived URL; fetch again when expired")
    poster_url = serializers.CharField(allow_blank=True)


class ApplicantAnswerList(APIView):
    """Each question of the applicant's posting with the kept answer (short-lived video URLs)."""

    @extend_schema(responses=AnswerOutputSerializer(many=True))
    def get(self, request: Request, im_id: int) -> Response:
        applicant = applicant_get(company=api_company(request), im_id=im_id)
        rows: list[dict[str, Any]] = []
        for position, row in enumerate(selectors.applicant_answers(applicant=applicant), start=1):
            answer = row.answer
            rows.append(
                {
                    "position": position,
                    "question": row.question.text,
                    "answered": answer is not None,
                    "take_count": row.take_count,
                    "duration": answer.display_duration if answer else None,
                    "processing": answer.processing if answer else None,
                    "video_url": request.build_absolute_uri(storage.playback_url(answer.playback_name))
                    if answer
                    else "",
                    "poster_url": request.build_absolute_uri(storage.playback_url(answer.poster.name or ""))
                    if answer and answer.poster
                    else "",
                }
            )
        return Response(AnswerOutputSerializer(rows, many=True).data)


class ResetOutputSerializer(CompanyScopedSerializer):
    im_id = serializers.IntegerField()
    status = serializers.CharField()
    archived_answers = serializers.IntegerField(help_text="Answers set aside by this reset")


class ApplicantReset(APIView):
    """受験リセット: archive the applicant's answers (kept for recruiters, hidden from reviewers) and let
    them record again (調整中). Refused (409) for a withdrawn applicant, one whose deadline has passed
    (extend it first) or one with nothing recorded."""

    @extend_schema(request=None, responses={200: ResetOutputSerializer})
    def post(self, request: Request, im_id: int) -> Response:
        applicant = applicant_get(company=api_company(request), im_id=im_id)
        try:
            reset = services.interview_reset(applicant=applicant, by=request.user)
        except services.ResetRefused as refused:
            return Response({"detail": str(refused)}, status=status.HTTP_409_CONFLICT)
        return Response(
            ResetOutputSerializer(
                {
                    "im_id": reset.applicant.im_id,
                    "status": reset.applicant.status,
                    "archived_answers": reset.answers,
                }
            ).data
        )
