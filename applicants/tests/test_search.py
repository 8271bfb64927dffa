"""The free-text search (applicants.search): what it finds, with Japanese data, through the index."""

from __future__ import annotations

import pytest
from django.db import connection

from applicants import search, selectors, services
from applicants.models import Applicant, ApplicantSearch, ApplicantSearchBacklog
from applicants.services import ApplicantData
from imports import writes
from imports.validation import UPDATE, ValidRow
from tests.factories import ApplicantFactory, JobPostingFactory


@pytest.fixture
def takahashi(job_posting):
    return ApplicantFactory(
        job_posting=job_posting,
        email="Hanako.Takahashi@Example.jp",
        last_name="髙橋",
        first_name="花子",
        last_name_kana="タカハシ",
        first_name_kana="ハナコ",
        school="早稲田大学",
        free_area_1="ATS-4242",
        free_area_2="書類選考通過",
        free_area_3="TOEIC 900",
    )


@pytest.fixture
def sato(job_posting):
    return ApplicantFactory(
        job_posting=job_posting,
        email="ichiro.sato@example.com",
        last_name="佐藤",
        first_name="一郎",
        last_name_kana="サトウ",
        first_name_kana="イチロウ",
        school="東京大学",
        free_area_1="ATS-1717",
    )


@pytest.fixture
def outsider(other_company):
    """Another company's applicant holding every value the tests search for."""
    return ApplicantFactory(
        job_posting=JobPostingFactory(company=other_company),
        email="hanako.takahashi@example.jp",
        last_name="髙橋",
        first_name="花子",
        last_name_kana="タカハシ",
        first_name_kana="ハナコ",
        school="早稲田大学",
        free_area_1="ATS-4242",
        free_area_2="書類選考通過",
        free_area_3="TOEIC 900",
    )


def found(company, q: str, **params: str) -> list[str]:
    """Names found by the general search; the list's search (entries alone, once everyone is indexed)
    must find the same applicants in the same order, with the same status counts."""
    params = {"q": q, **params}
    general = selectors.applicant_search(company=company, params=params)
    listed = selectors.applicant_list_search(company=company, params=params)
    names = dict(Applicant.objects.filter(company=company).values_list("im_id", "last_name"))
    assert [names[im_id] for im_id in listed.ordered.values_list("im_id", flat=True)] == [
        a.last_name for a in general
    ]
    everyone = selectors.applicant_search(company=company, params={**params, "status": ""})
    assert selectors.status_counts(queryset=listed.counted) == selectors.status_counts(queryset=everyone)
    return [a.last_name for a in general]


@pytest.mark.parametrize(
    "q",
    [
        "髙",  # one kanji
        "髙橋",  # two kanji: a trigram index cannot serve this
        "髙橋 ",  # trimmed
        "橋",
        "ハ",  # one kana
        "カハ",
        "タカハシ",
        "ﾀｶﾊｼ",  # half-width kana finds the full-width name (NFKC)
        "ﾊﾅｺ",
        "早稲田",  # three kanji, the school
        "稲田大",
        "ats-4242",  # ASCII, any case
        "ＡＴＳ－４２４２",  # full-width ASCII
        "takahashi@",  # part of an email, any case
        "example.jp",
        "選考",  # free area 2
        "toeic 9",  # free area 3, a space inside the query
    ],
)
def test_it_finds_partial_japanese_and_ascii_text(company, takahashi, sato, outsider, q):
    assert found(company, q) == ["髙橋"]


def test_a_query_matching_several_columns_finds_everyone_once(company, takahashi, sato):
    assert sorted(found(company, "ATS-")) == ["佐藤", "髙橋"]
    assert sorted(found(company, "大学")) == ["佐藤", "髙橋"]
    assert found(company, "東京") == ["佐藤"]


def test_it_does_not_match_across_columns_nor_what_is_absent(company, takahashi, sato):
    assert found(company, "橋花") == []  # last name + first name are two columns
    assert found(company, "髙橋花子") == []
    assert found(company, "鈴木") == []
    assert found(company, "%") == []
    assert found(company, "_") == []


def test_digits_match_the_im_id_exactly_and_text_partially(company, takahashi, sato):
    assert found(company, str(sato.im_id)) == ["佐藤"]
    assert found(company, "4242") == ["髙橋"]  # in ATS-4242, not an iM採用ID
    assert found(company, str(sato.im_id)[:-1]) == []


def test_another_companys_applicants_are_never_found(company, other_company, takahashi, outsider):
    assert found(other_company, "髙橋") == ["髙橋"]
    ids = [a.pk for a in selectors.applicant_search(company=company, params={"q": "髙"})]
    assert ids == [takahashi.pk]
    assert found(company, str(outsider.im_id)) == []


def test_the_posting_and_status_filters_combine_with_the_text(company, job_posting, takahashi):
    other = JobPostingFactory(company=company)
    ApplicantFactory(job_posting=other, last_name="髙橋", status=Applicant.Status.SUBMITTED)
    assert found(company, "髙橋", job_posting=str(job_posting.pk)) == ["髙橋"]
    assert found(company, "髙橋", status="submitted") == ["髙橋"]
    assert len(found(company, "髙橋")) == 2


def test_an_edited_applicant_is_found_by_the_new_value_only(company, takahashi, sato):
    services.applicant_update(applicant=takahashi, data={"last_name": "渡辺", "free_area_1": "ATS-5151"})
    assert found(company, "渡辺") == ["渡辺"]
    assert found(company, "5151") == ["渡辺"]
    assert found(company, "髙橋") == []
    assert found(company, "4242") == []


def test_a_csv_update_is_found_by_the_new_value_only(company, job_posting, takahashi):
    row = ValidRow(kind=UPDATE, row=2, values={"last_name": "斎藤", "school": "京都大学"}, pk=takahashi.pk)
    writes.applicants_bulk_update(job_posting=job_posting, rows=[row], fields=["last_name", "school"])
    assert found(company, "斎藤") == ["斎藤"]
    assert found(company, "京都") == ["斎藤"]
    assert found(company, "早稲田") == []


def test_just_registered_applicants_are_found_before_and_after_the_worker(
    company, job_posting, outsider, django_capture_on_commit_callbacks
):
    rows = [
        ApplicantData(
            email=f"new{n}@example.jp",
            values={
                "last_name": name,
                "first_name": "花子",
                "last_name_kana": kana,
                "free_area_1": f"ATS-{n}",
            },
        )
        for n, (name, kana) in enumerate([("髙橋", "タカハシ"), ("佐藤", "サトウ")] * 150)
    ]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.applicants_register(job_posting=job_posting, rows=rows, via=Applicant.CreatedVia.CSV)
    # Not indexed yet (the worker runs after commit): the backlog is scanned.
    assert ApplicantSearch.objects.filter(company=company).count() == 0
    assert ApplicantSearchBacklog.objects.filter(company=company).exists()
    assert len(found(company, "髙橋")) == 150
    assert found(company, "ﾀｶﾊｼ") == ["髙橋"] * 150
    assert found(company, "ats-299") == ["佐藤"]
    newest = Applicant.objects.filter(company=company).order_by("-im_id").first()
    assert newest is not None and found(company, str(newest.im_id)) == ["佐藤"]
    assert found(company, "髙橋", job_posting=str(job_posting.pk), status="withdrawn") == []
    # The worker's task, enqueued on commit, writes the entries and empties the backlog.
    for callback in callbacks:
        callback()
    assert ApplicantSearch.objects.filter(company=company).count() == 300
    assert not ApplicantSearchBacklog.objects.filter(company=company).exists()
    assert len(found(company, "髙橋")) == 150
    assert found(company, "ats-299") == ["佐藤"]
    assert found(company, str(newest.im_id)) == ["佐藤"]


def test_the_worker_keeps_an_edit_made_before_it_ran(company, job_posting):
    (applicant,) = services.applicants_register(
        job_posting=job_posting,
        rows=[ApplicantData(email="a@example.jp", values={"last_name": "髙橋"})],
        via=Applicant.CreatedVia.FORM,
    )
    services.applicant_update(applicant=applicant, data={"last_name": "佐藤"})
    search.backlog_index(company_id=company.pk)
    assert not ApplicantSearchBacklog.objects.filter(company=company).exists()
    assert ApplicantSearch.objects.get(applicant=applicant).document.startswith("a@example.jp\x1f佐藤")
    assert found(company, "佐藤") == ["佐藤"]
    assert found(company, "髙橋") == []


@pytest.mark.parametrize("q", ["髙", "髙橋", "早稲田", "タカハシ", "ats-4242", "takahashi@"])
def test_the_search_is_an_index_lookup(company, takahashi, sato, q):
    """1-, 2-, 3-character Japanese and ASCII queries all use the GIN index (whatever the locale)."""
    queryset = search.entries_matching(company=company, q=q)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert "applicant_search_keys" in plan


def test_the_list_counts_and_pages_on_the_entries_alone(company, job_posting, takahashi, sato):
    listed = selectors.applicant_list_search(company=company, params={"q": "髙橋", "status": "awaiting"})
    assert listed.ordered.model is ApplicantSearch and listed.counted.model is ApplicantSearch
    # Sorted by kana (the entries hold no kana) or limited by dates, the general search answers.
    by_kana = selectors.applicant_list_search(company=company, params={"q": "髙橋", "sort": "kana"})
    assert by_kana.ordered.model is Applicant


def test_a_status_change_moves_the_entry_with_the_applicant(company, job_posting, takahashi, sato):
    """The trigger keeps the entry's status in step, whichever way the row is updated."""
    assert found(company, "髙橋", status="awaiting") == ["髙橋"]
    services.applicants_withdraw(applicants=[takahashi])
    assert ApplicantSearch.objects.get(applicant=takahashi).status == "withdrawn"
    assert found(company, "髙橋", status="awaiting") == []
    assert found(company, "髙橋", status="withdrawn") == ["髙橋"]
    Applicant.objects.filter(pk=takahashi.pk).update(status="submitted")
    assert found(company, "髙橋", status="submitted") == ["髙橋"]
    other = JobPostingFactory(company=company)
    Applicant.objects.filter(pk=takahashi.pk).update(job_posting=other)
    assert found(company, "髙橋", job_posting=str(job_posting.pk)) == []
    assert found(company, "髙橋", job_posting=str(other.pk)) == ["髙橋"]


def test_a_change_before_the_worker_ran_is_kept_by_it(company, job_posting):
    """The trigger writes the entry of an applicant still in the backlog; the worker leaves it."""
    (applicant,) = services.applicants_register(
        job_posting=job_posting,
        rows=[ApplicantData(email="b@example.jp", values={"last_name": "髙橋"})],
        via=Applicant.CreatedVia.FORM,
    )
    Applicant.objects.filter(pk=applicant.pk).update(status="withdrawn")
    assert ApplicantSearch.objects.get(applicant=applicant).status == "withdrawn"
    search.backlog_index(company_id=company.pk)
    assert ApplicantSearch.objects.get(applicant=applicant).status == "withdrawn"
    assert found(company, "髙橋", status="withdrawn") == ["髙橋"]


def test_the_keys_of_sql_are_those_a_query_looks_up(company, takahashi):
    """Every one- and two-character piece of every column is a key of the entry (SQL and Python agree
    on the encoding), and no pair spans two columns."""
    entry = ApplicantSearch.objects.get(applicant=takahashi)
    with connection.cursor() as cursor:
        cursor.execute("SELECT applicant_search_keys(%s, %s)", [company.pk, entry.document])
        (keys,) = cursor.fetchone()
    keys = set(keys)
    for column in entry.document.split(search.SEPARATOR):
        for size in (1, 2):
            for start in range(len(column) - size + 1):
                assert set(search.query_grams(column[start : start + size], company.pk)) <= keys
    first, second = entry.document.split(search.SEPARATOR)[:2]
    assert not set(search.query_grams(first[-1] + second[0], company.pk)) <= keys
