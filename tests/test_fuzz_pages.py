"""Hypothesis over the query strings of every page: no query parameter may cause a server error.

Walks the URL conf (tests/urlwalk.py): every recruiter page and API route as alice, the applicant's
interview pages under /i/<token>/… and the reviewer's /s/<token>/ anonymously. Each route's kwargs are
filled with alice's objects, and an assignment she can open with a GET below 400 is found first (routes
taking only POST, PUT or binary bodies are out of scope). Hypothesis then draws a route and a query
string: the parameter names the views read plus arbitrary ones, with odd values (Unicode digits,
thousands of digits, negative numbers, "null", blanks, long text, repeated keys). Any status >= 500
fails. Bounded for the suite; `bench/fuzz_pages.py` runs it larger.
"""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applicants.models import Applicant
from applicants.selectors import SEARCH_KEYS
from imports.forms import EncodingForm
from interviews import jscatalog
from interviews.models import Answer, Take
from messaging.forms import LogFilterForm
from messaging.models import TemplateCode
from sharing import services as sharing_services
from sharing.models import Reviewer, ShareLink
from tests.clients import api_key_for
from tests.factories import ApplicantFactory
from tests.urlwalk import company_world, fill, kwarg_names, owned_rows, recruiter_routes, token_routes

# bench/fuzz_pages.py raises it for a larger run and collects every call in IM_FUZZ_REPORT.
EXAMPLES = int(os.environ.get("IM_FUZZ_PAGE_EXAMPLES", "300"))
REPORT = os.environ.get("IM_FUZZ_REPORT", "")
ROOT = Path(__file__).resolve().parents[1]
APPS = ("applicants", "interviews", "messaging", "sharing")


def read_parameter_names() -> list[str]:
    """The query parameters the views read: `GET.get("x")`, `GET["x"]`, `query_params.get("x")` and
    `params.get("x")` in the apps' code, plus the fields of the forms bound to the query string."""
    pattern = re.compile(r"(?:GET|query_params|params|data)(?:\.get\(|\[)\s*[\"'](\w+)[\"']")
    names = set(SEARCH_KEYS) | set(LogFilterForm.base_fields) | set(EncodingForm.base_fields)
    for app in APPS:
        for source in (ROOT / app).rglob("*.py"):
            if "tests" not in source.parts and "migrations" not in source.parts:
                names.update(pattern.findall(source.read_text()))
    # Read by prefix or by a form the bulk confirmation binds to GET (bulk/forms.py).
    names.update({"f_1", "im_id", "action", "scope", "token", "send_again", "sort", "page", "lang"})
    return sorted(names)


PARAMETER_NAMES = read_parameter_names()

ODD_NUMBERS = ["²", "𐩀", "٣", "１２", "1²", "-1", "-0", "+1", "1_0", "1e3", "0x10", "1.5", " 1", "1 "]
text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)
values = st.one_of(
    st.sampled_from(["", " ", "\t\n", "null", "None", "true", "0", "1", "2030-01-31", "2030/1/31"]),
    st.sampled_from(ODD_NUMBERS),
    st.text(st.characters(whitelist_categories=("Nd", "No")), min_size=1, max_size=6),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.integers(min_value=1, max_value=5000).map(lambda n: "9" * n),
    st.just("1" * 5000),
    text,
    text.map(lambda t: t * 200),  # long text
)
keys = st.one_of(st.sampled_from(PARAMETER_NAMES), text.filter(bool))
# A list of pairs: repeated keys are drawn as often as distinct ones.
queries = st.lists(st.tuples(keys, values), min_size=1, max_size=5)


def _client(user: Any, api: bool) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None and api:
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {api_key_for(user)}"
    elif user is not None:
        client.force_login(user)
    return client


def _get(client: Client, url: str) -> Any:
    with transaction.atomic():
        response = client.get(url)
        transaction.set_rollback(True)  # a page that writes (an export, a share link) leaves no trace
    return response


@pytest.fixture
def answered(company, alice, job_posting, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Company A as in the tenancy matrix, plus an applicant midway with an answer and a share link."""
    company_world(
        company=company,
        alice=alice,
        job_posting=job_posting,
        capture_on_commit=django_capture_on_commit_callbacks,
    )
    applicant = ApplicantFactory(job_posting=job_posting, status=Applicant.Status.AWAITING)
    question = job_posting.questions.first()
    take = Take.objects.create(
        applicant=applicant, question=question, container="webm", state=Take.State.COMPLETE, size=100
    )
    Answer.objects.create(applicant=applicant, question=question, take=take)
    Take.objects.create(applicant=applicant, question=job_posting.questions.last(), container="webm")
    sharing_services.share_link_get_or_create(applicant=applicant)
    return applicant


@pytest.fixture
def targets(answered, alice, settings) -> list[tuple[str, Client]]:  # type: ignore[no-untyped-def]
    """Every GET-able route with kwargs that open it (< 400), and the client that may open it."""
    settings.RATELIMIT_ENABLE = False  # hundreds of anonymous page views from one IP are the point here
    world = answered.company
    owned = owned_rows(world)
    owned["code"] |= set(TemplateCode.values)
    owned["token"] = set(Applicant.objects.filter(company=world).values_list("interview_token", flat=True))
    owned["token"] |= set(ShareLink.objects.values_list("token", flat=True))
    owned["token"] |= set(Reviewer.objects.filter(company=world).values_list("token", flat=True))
    owned["key"] = set(Take.objects.values_list("key", flat=True))
    owned["index"] = {0}
    owned["language"], owned["version"] = {"ja"}, {jscatalog.digest()}  # the JavaScript catalogue
    clients = {
        "page": _client(alice, api=False),
        "api": _client(alice, api=True),
        "public": _client(None, False),
    }
    found = []
    routes = [(route, "api" if route.startswith("api/") else "page") for route, _ in recruiter_routes()]
    routes += [(route, "public") for route, _ in token_routes()]
    for route, who in routes:
        names = kwarg_names(route)
        # The applicant with an answer first: their pages show the most.
        first = {
            answered.im_id,
            answered.interview_token,
            *answered.share_links.values_list("token", flat=True),
        }
        choices = [
            sorted(owned.get(name) or owned["pk"], key=lambda v: (v not in first, str(v))) for name in names
        ]
        for combination in itertools.product(*choices):
            url = fill(route, dict(zip(names, combination, strict=True)))
            if _get(clients[who], url).status_code < 400:
                found.append((url, clients[who]))
                break
    return found


@given(data=st.data())
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    # The fixtures (alice's company, the clients) are built once for all examples on purpose: every
    # request runs in a rolled-back savepoint, so no example sees another's writes. Thousands of digits
    # and repeated long text make slow draws by design, hence too_slow.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_query_parameter_causes_a_server_error(targets, data):  # type: ignore[no-untyped-def]
    # The walk must reach every kind of page; a broken probe would fuzz nothing quietly.
    opened = {url.split("/")[1] for url, _client in targets}
    assert {"applicants", "messages", "sharing", "imports", "api", "i", "s"} <= opened, opened
    url, client = data.draw(st.sampled_from(targets), label="page")
    query = urlencode(data.draw(queries, label="query"))
    response = _get(client, f"{url}?{query}")
    if REPORT:
        with open(REPORT, "a") as report:
            report.write(f"{response.status_code} {url}?{query[:300]}\n")
        return  # the bench counts every server error instead of stopping at the first
    assert response.status_code < 500, f"GET {url}?{query[:500]}: {response.status_code}"
