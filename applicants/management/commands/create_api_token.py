from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from applicants.models import Membership


class Command(BaseCommand):
    help = "Create (or with --rotate, replace) the REST API token of a recruiter and print it."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("username")
        parser.add_argument("--rotate", action="store_true", help="replace an existing token")

    def handle(self, *args, username: str, rotate: bool, **options):  # type: ignore[no-untyped-def]
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not Membership.objects.filter(user=user).exists():
            raise CommandError(f"{username!r} is not a recruiter of any company.")
        if rotate:
            Token.objects.filter(user=user).delete()
        token, _created = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
