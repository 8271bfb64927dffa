"""factory_boy factories for the standing data of every test."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.utils import timezone

from applicants.models import Applicant, Company, JobPosting, Membership, Question


class CompanyFactory(factory.django.DjangoModelFactory[Company]):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"株式会社テスト{n}")
    csv_upload_enabled = True
    share_url_enabled = True


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or "password-123-xyz")
        if create:
            self.save(update_fields=["password"])


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = Membership.Role.ADMIN


class JobPostingFactory(factory.django.DjangoModelFactory[JobPosting]):
    class Meta:
        model = JobPosting

    company = factory.SubFactory(CompanyFactory)
    title = factory.Sequence(lambda n: f"2027年度 新卒採用 {n}")
    instructions = "静かな場所で回答してください。"
    deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))


class QuestionFactory(factory.django.DjangoModelFactory[Question]):
    class Meta:
        model = Question

    job_posting = factory.SubFactory(JobPostingFactory)
    position = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: f"質問{n}: 自己紹介をお願いします。")
    preparation_seconds = 3
    answer_seconds = 10
    max_takes = 2


class ApplicantFactory(factory.django.DjangoModelFactory[Applicant]):
    """Creates the row directly (no D03) with its search entry; applicants_register registers."""

    class Meta:
        model = Applicant
        skip_postgeneration_save = True

    job_posting = factory.SubFactory(JobPostingFactory)
    company = factory.LazyAttribute(lambda a: a.job_posting.company)
    im_id = factory.Sequence(lambda n: 100000 + n)
    email = factory.Sequence(lambda n: f"applicant{n}@example.jp")
    last_name = "山田"
    first_name = factory.Sequence(lambda n: f"太郎{n}")
    last_name_kana = "ヤマダ"
    first_name_kana = "タロウ"
    school = "東京大学"

    @factory.post_generation
    def search_entry(obj: Applicant, create: bool, extracted: object, **kwargs: object) -> None:
        """Searchable at once, as after the search worker (a factory row has no backlog entry)."""
        if create:
            from applicants import search

            search.entries_insert(company_id=obj.company_id, first=obj.im_id, last=obj.im_id)
