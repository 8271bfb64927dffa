from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from applicants.models import ApiToken, Membership
from applicants.services import api_token_create


class Command(BaseCommand):
    help = (
        "Create (or with --rotate, replace) the REST API token of a recruiter and print it. Only its hash "
        "is stored, so an existing token cannot be shown again: rotate it if it was lost."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("username")
        parser.add_argument("--rotate", action="store_true", help="replace an existing token")

    def handle(self, *args, username: str, rotate: bool, **options):  # type: ignore[no-untyped-def]
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not Membership.objects.filter(user=user).exists():
            raise CommandError(f"{username!r} is not a recruiter of any company.")
        if not rotate and ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists():
            raise CommandError(f"{username!r} already has an API token; pass --rotate to replace it.")
        _token, key = api_token_create(user=user)
        self.stdout.write(key)
