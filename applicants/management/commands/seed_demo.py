"""Seed a demo company for `make run`; running it again changes nothing."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from applicants import services
from applicants.models import Applicant, Company, Membership
from applicants.services import ApplicantData

DEMO_COMPANY = "デモ株式会社"
DEMO_USER = "demo"
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - printed for the local demo only
QUESTIONS = [
    "自己紹介を1分程度でお願いします。",
    "学生時代に最も力を入れて取り組んだことを教えてください。",
    "当社を志望する理由を教えてください。",
]
APPLICANTS = [
    ("sato.hanako@example.com", "佐藤", "花子", "サトウ", "ハナコ", "東京大学"),
    ("takahashi@example.com", "髙橋", "一郎", "タカハシ", "イチロウ", "京都大学"),
    ("suzuki.ken@example.com", "鈴木", "健", "スズキ", "ケン", "大阪大学"),
]


class Command(BaseCommand):
    help = "Create the demo company, recruiter and job posting (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        company, _ = Company.objects.get_or_create(
            name=DEMO_COMPANY,
            defaults={
                "csv_upload_enabled": True,
                "share_url_enabled": True,
                "free_area_1_label": "ATS応募者ID",
            },
        )
        user_model = get_user_model()
        user = user_model.objects.filter(username=DEMO_USER).first()
        if user is None:
            user = user_model.objects.create_user(DEMO_USER, "demo@example.com", DEMO_PASSWORD)
            Membership.objects.create(user=user, company=company, role=Membership.Role.ADMIN)
        posting = company.job_postings.first()
        if posting is None:
            deadline = timezone.now().astimezone(company.tzinfo).replace(
                hour=23, minute=59, second=0, microsecond=0
            ) + dt.timedelta(days=14)
            posting = services.job_posting_save(
                company=company,
                posting=None,
                data={
                    "title": "2027年度 新卒総合職 録画面接",
                    "instructions": "静かで明るい場所で、カメラに顔が映るようにして回答してください。",
                    "deadline": deadline,
                    "is_open": True,
                },
                questions=[
                    {"text": text, "preparation_seconds": 30, "answer_seconds": 60, "max_takes": 2}
                    for text in QUESTIONS
                ],
            )
        if not Applicant.objects.filter(job_posting=posting).exists():
            rows = [
                ApplicantData(
                    email=email,
                    values={
                        "last_name": ln,
                        "first_name": fn,
                        "last_name_kana": lk,
                        "first_name_kana": fk,
                        "school": school,
                        "free_area_1": f"ATS-{i:05d}",
                    },
                )
                for i, (email, ln, fn, lk, fk, school) in enumerate(APPLICANTS, start=1)
            ]
            services.applicants_register(job_posting=posting, rows=rows, via=Applicant.CreatedVia.FORM)
        self.stdout.write(self.style.SUCCESS(f"Demo company: {company.name}"))
        self.stdout.write(f"Login: {DEMO_USER} / {DEMO_PASSWORD}")
