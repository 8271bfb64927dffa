"""Every applicant request costs a fixed, small number of queries (docs/load.md).

The recording flow is what the server does most in a season (bench/load.py): a query added to one of
its calls shows up as latency for every applicant at once, so the counts are pinned here. Inside a
test's transaction an atomic block adds SAVEPOINT and RELEASE, which are counted too.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from interviews.models import Take

# Reads and writes, without the savepoints of atomic blocks (2 per block in a test).
BUDGET = {
    "start": 4,  # applicant with posting and company, questions, answered, takes of the question
    "check": 1,
    "record": 4,
    "take_start": 5,  # applicant, question, lock, usage, insert
    "chunk": 3,  # take with its applicant, usage, insert
    "complete": 5,  # take with its applicant and question, lock, chunks, usage, update
    "keep": 5,  # take with its applicant, lock applicant, lock take, answer, insert
    "confirm": 6,
    "done": 1,
}


@pytest.fixture
def flow_queries(applicant, sample_webm, settings) -> Counter[str]:
    """Run the interview as the browser does; the most queries any call of each kind used."""
    settings.RECORDING_CHUNK_BYTES = 16 * 1024
    chunk = settings.RECORDING_CHUNK_BYTES
    client = Client(enforce_csrf_checks=True)
    page = f"/i/{applicant.interview_token}/"
    worst: Counter[str] = Counter()

    def call(kind: str, method: str, url: str, status: int, **kw):
        with CaptureQueriesContext(connection) as captured:
            response = getattr(client, method)(url, **kw)
        assert response.status_code == status, (kind, response.content[:300])
        statements = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
        worst[kind] = max(worst[kind], len(statements))
        return response

    call("start", "get", page, 200)
    call("check", "get", f"{page}check/", 200)
    for question in applicant.job_posting.questions.order_by("position"):
        call("record", "get", f"{page}record/", 200)
        token = {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}
        body = {"question": question.pk, "type": "video/webm;codecs=vp8,opus"}
        take = call(
            "take_start", "post", f"{page}takes/", 201, data=body, content_type="application/json", **token
        )
        assert take.json()["received"] == []
        url = f"{page}takes/{take.json()['key']}/"
        for index in range(-(-len(sample_webm) // chunk)):
            piece = sample_webm[index * chunk : (index + 1) * chunk]
            call(
                "chunk",
                "put",
                f"{url}chunks/{index}",
                200,
                data=piece,
                content_type="application/octet-stream",
                **token,
            )
        done = {"size": len(sample_webm), "duration": 2.0}
        call("complete", "post", f"{url}complete/", 200, data=done, content_type="application/json", **token)
        call("keep", "post", f"{url}keep/", 200, **token)
    call("confirm", "get", f"{page}confirm/", 200)
    client.post(f"{page}confirm/", {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    call("done", "get", f"{page}done/", 200)
    return worst


def test_each_call_of_the_recording_flow_stays_within_its_queries(flow_queries):
    assert dict(flow_queries) == BUDGET


def test_a_take_answer_lists_received_chunks_only_while_it_uploads(client, applicant, sample_webm, settings):
    """A complete take needs no chunk list; the browser starts a new take from the start answer."""
    from interviews.tests.test_views import csrf, record_take

    settings.RECORDING_CHUNK_BYTES = 16 * 1024
    question = applicant.job_posting.questions.order_by("position").first()
    key = record_take(client, applicant, question, sample_webm, settings.RECORDING_CHUNK_BYTES)
    token = csrf(client, applicant)
    status = client.get(f"/i/{applicant.interview_token}/takes/{key}/", HTTP_X_CSRFTOKEN=token).json()
    assert status["state"] == Take.State.COMPLETE and status["received"] == []
    started = client.post(
        f"/i/{applicant.interview_token}/takes/", {"question": question.pk, "type": "video/webm"},
        content_type="application/json", HTTP_X_CSRFTOKEN=token,
    ).json()  # fmt: skip
    client.put(
        f"/i/{applicant.interview_token}/takes/{started['key']}/chunks/0", sample_webm[: 16 * 1024],
        content_type="application/octet-stream", HTTP_X_CSRFTOKEN=token,
    )  # fmt: skip
    status = client.get(f"/i/{applicant.interview_token}/takes/{started['key']}/").json()
    assert status["state"] == Take.State.UPLOADING and status["received"] == [0]
