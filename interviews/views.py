"""The applicant's interview pages and upload endpoints under /i/<token>/, and signed media URLs.

The token in the path is the only credential: every view resolves it to one applicant and touches
nothing but that applicant's interview.
"""

from __future__ import annotations

import json
import mimetypes
import os
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from applicants.access import get_applicant_for_user, recruiter_required
from applicants.models import Applicant
from interviewmaker.numbers import MAX_DIGITS, ascii_int
from interviews import selectors, services, storage
from interviews.models import Take

# --- Rate limiting ---------------------------------------------------------------------------------


def _token_key(group: str, request: HttpRequest) -> str:
    """Uploads are counted per interview (many applicants may share one office or campus IP)."""
    match = request.resolver_match
    return str(match.kwargs.get("token", "")) if match else ""


def rate_limited(kind: str) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Page views are limited per IP (token guessing); upload calls per token; both answer 429."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            rate = settings.RECORDING_RATE_PAGE if kind == "page" else settings.RECORDING_RATE_UPLOAD
            key: Any = "ip" if kind == "page" else _token_key
            if is_ratelimited(request, group=f"interviews.{kind}", key=key, rate=rate, increment=True):
                message = _("Too many requests. Please wait a minute and try again.")
                if kind == "page":
                    return render(request, "interviews/closed.html", {"message": message}, status=429)
                return JsonResponse({"detail": message}, status=429)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# --- Helpers ---------------------------------------------------------------------------------------

CLOSED_MESSAGES = {
    "withdrawn": lambda: _("You have withdrawn from this selection, so this interview is closed."),
    "deadline": lambda: _("The deadline of this interview has passed. Answers can no longer be recorded."),
    "submitted": lambda: _("Your answers have already been submitted. Thank you."),
}


def _closed_page(request: HttpRequest, applicant: Applicant, reason: str) -> HttpResponse:
    if reason == "submitted":
        return redirect("interviews:done", token=applicant.interview_token)
    context = {"applicant": applicant, "posting": applicant.job_posting, "message": CLOSED_MESSAGES[reason]()}
    return render(request, "interviews/closed.html", context, status=403)


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise services.UploadRejected(_("The request could not be read.")) from None
    if not isinstance(data, dict):
        raise services.UploadRejected(_("The request could not be read."))
    return data


def _refusals_as_json(call: Callable[[], JsonResponse]) -> HttpResponseBase:
    """The services' refusals as JSON answers (never a 500): 409 when closed, 400 for bad input."""
    try:
        return call()
    except services.InterviewClosed as closed:
        return JsonResponse({"detail": CLOSED_MESSAGES[closed.reason](), "reason": closed.reason}, status=409)
    except services.UploadRejected as rejected:
        return JsonResponse({"detail": str(rejected)}, status=400)


def json_endpoint(view: Callable[..., JsonResponse]) -> Callable[..., HttpResponseBase]:
    """Resolve the token to its applicant (the upload columns), check the gate, call the view."""

    @wraps(view)
    def wrapped(request: HttpRequest, token: str, **kwargs: Any) -> HttpResponseBase:
        applicant = selectors.applicant_by_token(token=token, upload=True)

        def call() -> JsonResponse:
            services.interview_gate(applicant=applicant)
            return view(request, applicant, **kwargs)

        return _refusals_as_json(call)

    return never_cache(rate_limited("upload")(wrapped))


def take_endpoint(
    *, question: bool = False
) -> Callable[[Callable[..., JsonResponse]], Callable[..., HttpResponseBase]]:
    """Like json_endpoint for the calls on one take: the take and its applicant come in one query."""

    def decorator(view: Callable[..., JsonResponse]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, token: str, key: str, **kwargs: Any) -> HttpResponseBase:

            def call() -> JsonResponse:
                try:
                    take = selectors.take_by_token(token=token, key=key, question=question)
                except Http404:
                    # No such take: a closed interview still answers 409 (the page reloads), else 404.
                    services.interview_gate(applicant=selectors.applicant_by_token(token=token, upload=True))
                    raise
                services.interview_gate(applicant=take.applicant)
                return view(request, take, **kwargs)

            return _refusals_as_json(call)

        return never_cache(rate_limited("upload")(wrapped))

    return decorator


def _take_json(take: Take, *, new: bool = False) -> dict[str, Any]:
    """What the browser knows of a take; `received` (chunks stored) matters while a local one uploads."""
    uploading = take.state == Take.State.UPLOADING and not take.s3_upload_id and not new
    return {
        "key": take.key,
        "state": take.state,
        "mode": "s3" if take.s3_upload_id else "local",
        "chunk_bytes": settings.RECORDING_S3_PART_BYTES
        if take.s3_upload_id
        else settings.RECORDING_CHUNK_BYTES,
        "received": services.received_chunks(take=take) if uploading else [],
        "url": storage.playback_url(take.storage_name) if take.state == Take.State.COMPLETE else "",
    }


def _interview_urls(token: str) -> dict[str, str]:
    return {
        "takes": reverse("interviews:take_start", args=[token]),
        "record": reverse("interviews:record", args=[token]),
        "confirm": reverse("interviews:confirm", args=[token]),
    }


# --- Pages -----------------------------------------------------------------------------------------


def interview_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponseBase]:
    """Resolve the token; show the closed page instead when the interview accepts nothing."""

    @wraps(view)
    def wrapped(request: HttpRequest, token: str) -> HttpResponse:
        try:
            applicant = selectors.applicant_by_token(token=token)
        except Http404:
            return render(request, "interviews/unknown.html", status=404)
        try:
            services.interview_gate(applicant=applicant)
        except services.InterviewClosed as closed:
            return _closed_page(request, applicant, closed.reason)
        return view(request, applicant)

    return never_cache(rate_limited("page")(wrapped))


@require_GET
@interview_page
def start(request: HttpRequest, applicant: Applicant) -> HttpResponse:
    progress = selectors.interview_progress(applicant=applicant)
    # Roughly how long it takes: every question's preparation and answer time, in whole minutes up.
    seconds = sum(q.preparation_seconds + q.answer_seconds for q in progress.questions)
    context = {
        "applicant": applicant,
        "posting": applicant.job_posting,
        "progress": progress,
        "minutes": max(1, -(-seconds // 60)),
    }
    return render(request, "interviews/start.html", context)


@require_GET
@interview_page
def practice(request: HttpRequest, applicant: Applicant) -> HttpResponse:
    """Rehearse with the posting's practice question: recorded and played back in the browser only."""
    posting = applicant.job_posting
    if not posting.practice_question:
        raise Http404
    context = {
        "applicant": applicant,
        "posting": posting,
        "config": {"answerSeconds": PRACTICE_SECONDS, "prepSeconds": PRACTICE_PREP_SECONDS},
    }
    return render(request, "interviews/practice.html", context)


# A practice answer: long enough to try speaking, short enough not to become the interview itself.
PRACTICE_SECONDS = 60
PRACTICE_PREP_SECONDS = 10


@require_GET
@interview_page
def device_check(request: HttpRequest, applicant: Applicant) -> HttpResponse:
    context = {"applicant": applicant, "posting": applicant.job_posting}
    return render(request, "interviews/check.html", context)


@require_GET
@interview_page
def record(request: HttpRequest, applicant: Applicant) -> HttpResponse:
    progress = selectors.interview_progress(applicant=applicant)
    if progress.done:
        return redirect("interviews:confirm", token=applicant.interview_token)
    question = progress.current
    assert question is not None
    last = progress.takes[-1] if progress.takes else None
    config = {
        "question": question.pk,
        "prep": question.preparation_seconds,
        "limit": question.answer_seconds,
        "maxTakes": question.max_takes,
        "takesUsed": len(progress.takes),
        "pending": _take_json(last) if last else None,
        "urls": _interview_urls(applicant.interview_token),
    }
    context = {
        "applicant": applicant,
        "posting": applicant.job_posting,
        "progress": progress,
        "question": question,
        "config": config,
    }
    return render(request, "interviews/record.html", context)


@require_http_methods(["GET", "POST"])
@interview_page
def confirm(request: HttpRequest, applicant: Applicant) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            services.interview_submit(applicant=applicant)
        except services.UploadRejected as rejected:
            error = str(rejected)
        except services.InterviewClosed as closed:
            return _closed_page(request, applicant, closed.reason)
        else:
            return redirect("interviews:done", token=applicant.interview_token)
    progress = selectors.interview_progress(applicant=applicant)
    if not progress.done:
        return redirect("interviews:record", token=applicant.interview_token)
    # The normalised MP4 once it is made (a real duration, seekable), else the take as recorded.
    rows = [
        (row, storage.playback_url(row.answer.playback_name) if row.answer else "")
        for row in selectors.applicant_answers(applicant=applicant)
    ]
    context = {"applicant": applicant, "posting": applicant.job_posting, "rows": rows, "error": error}
    return render(request, "interviews/confirm.html", context, status=400 if error else 200)


@require_GET
@never_cache
@rate_limited("page")
def done(request: HttpRequest, token: str) -> HttpResponse:
    try:
        applicant = selectors.applicant_by_token(token=token)
    except Http404:
        return render(request, "interviews/unknown.html", status=404)
    if applicant.status != Applicant.Status.SUBMITTED:
        return redirect("interviews:start", token=token)
    return render(request, "interviews/done.html", {"applicant": applicant, "posting": applicant.job_posting})


# --- Upload endpoints (JSON) ---------------------------------------------------------------------


@require_POST
@json_endpoint
def take_start(request: HttpRequest, applicant: Applicant) -> JsonResponse:
    data = _json_body(request)
    try:
        question = applicant.job_posting.questions.get(pk=ascii_int(data.get("question")) or 0)
    except applicant.job_posting.questions.model.DoesNotExist:
        raise services.UploadRejected(_("This question is not part of your interview.")) from None
    take = services.take_start(
        applicant=applicant, question=question, declared_type=str(data.get("type", ""))
    )
    return JsonResponse(_take_json(take, new=True), status=201)


@require_GET
@take_endpoint()
def take_status(request: HttpRequest, take: Take) -> JsonResponse:
    return JsonResponse(_take_json(take))


@require_http_methods(["PUT"])
@take_endpoint()
def take_chunk(request: HttpRequest, take: Take, index: int) -> JsonResponse:
    if take.s3_upload_id:
        raise services.UploadRejected(_("This take uploads directly to storage."))
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    # Read the raw stream, not request.body: no copy in memory and no DATA_UPLOAD_MAX_MEMORY_SIZE.
    result = services.take_chunk_write(take=take, index=index, stream=request, length=length)
    return JsonResponse({"index": result.index, "size": result.size})


@require_POST
@take_endpoint()
def take_parts(request: HttpRequest, take: Take) -> JsonResponse:
    if not take.s3_upload_id:
        raise services.UploadRejected(_("This take uploads to the server."))
    try:
        numbers = [int(n) for n in _json_body(request).get("parts", [])]
    except (TypeError, ValueError):
        numbers = []
    urls = services.take_parts_presign(take=take, part_numbers=numbers)
    return JsonResponse({"urls": {str(n): url for n, url in urls.items()}})


@require_POST
@take_endpoint(question=True)
def take_complete(request: HttpRequest, take: Take) -> JsonResponse:
    data = _json_body(request)
    try:
        size = int(data.get("size", 0))
        duration = float(data["duration"]) if data.get("duration") is not None else None
    except (TypeError, ValueError):
        raise services.UploadRejected(_("The request could not be read.")) from None
    parts = data.get("parts") if isinstance(data.get("parts"), list) else None
    take = services.take_complete(take=take, size=size, duration=duration, parts=parts)
    if take.state == Take.State.FAILED:
        raise services.UploadRejected(_("The file is not a WebM or MP4 video."))
    return JsonResponse(_take_json(take))


@require_POST
@take_endpoint()
def take_keep(request: HttpRequest, take: Take) -> JsonResponse:
    services.take_keep(take=take)
    return JsonResponse({"next": reverse("interviews:record", args=[take.applicant.interview_token])})


# --- Signed media (local storage only) ------------------------------------------------------------

# ASCII digits only: `\d` would also match "²" and other digits int() refuses.
RANGE_RE = re.compile(r"^bytes=([0-9]*)-([0-9]*)$")


def _range_number(text: str) -> int:
    """A position of a Range header; more digits than a bigint holds mean "beyond any file"."""
    return ascii_int(text) if len(text) <= MAX_DIGITS else 10**MAX_DIGITS  # type: ignore[return-value]


@require_http_methods(["GET", "HEAD"])
def media(request: HttpRequest, signed: str) -> HttpResponseBase:
    """Serve a stored video or poster behind a short-lived signature, with single byte ranges."""
    if storage.uses_s3():
        raise Http404
    try:
        name = storage.name_from_signed(signed)
    except signing.BadSignature:
        raise Http404 from None
    return media_response(request, name)


def media_response(request: HttpRequest, name: str) -> HttpResponseBase:
    """A stored file (local storage) with single byte ranges; 404 when it is gone."""
    try:
        path = storage.media_storage().path(name)
        size = os.path.getsize(path)
    except (OSError, ValueError):
        raise Http404 from None
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    start, end = 0, size - 1
    status = 200
    match = RANGE_RE.match(request.headers.get("Range", ""))
    if match and (match[1] or match[2]):
        if match[1]:
            start = _range_number(match[1])
            end = min(_range_number(match[2]), size - 1) if match[2] else size - 1
        else:  # a suffix range: the last N bytes
            start = max(0, size - _range_number(match[2]))
        if start > end or start >= size:
            refused = HttpResponse(status=416)
            refused["Content-Range"] = f"bytes */{size}"
            return refused
        status = 206
    fh = open(path, "rb")  # noqa: SIM115 - closed by the response
    fh.seek(start)
    length = end - start + 1
    response: HttpResponseBase = FileResponse(_limited(fh, length), status=status, content_type=content_type)
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Cache-Control"] = f"private, max-age={settings.RECORDING_URL_MAX_AGE}"
    response["X-Robots-Tag"] = "noindex"
    return response


def _limited(fh: Any, length: int, block: int = 256 * 1024) -> Any:
    try:
        remaining = length
        while remaining > 0:
            piece = fh.read(min(block, remaining))
            if not piece:
                break
            remaining -= len(piece)
            yield piece
    finally:
        fh.close()


@recruiter_required
@require_POST
def applicant_reset(request: HttpRequest, im_id: int) -> HttpResponse:
    """受験リセット from the recruiter's applicant page."""
    applicant = get_applicant_for_user(request, im_id)
    try:
        services.interview_reset(applicant=applicant, by=request.user)
    except services.ResetRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _("The interview was reset: the applicant can record again with the same link."),
        )
    return redirect("applicants:applicant_detail", im_id=applicant.im_id)
