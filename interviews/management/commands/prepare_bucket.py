"""Prepare the S3 bucket the app stores videos in: create it, let browsers upload, expire stale uploads."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from interviews import storage


class Command(BaseCommand):
    help = (
        "Create the media bucket if missing (in AWS_S3_REGION_NAME), put the CORS rule browsers need to "
        "upload takes (SITE_URL's origin and AWS_S3_CORS_EXTRA_ORIGINS; PUT/GET/HEAD; exposes ETag) and a "
        "lifecycle rule aborting multipart uploads left incomplete (AWS_S3_ABORT_INCOMPLETE_UPLOAD_DAYS). "
        "Rules of other IDs are kept. Safe to run at every start: a second run changes nothing."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--wait",
            type=float,
            default=0,
            metavar="SECONDS",
            help="keep retrying this long while the endpoint does not answer (a store still starting)",
        )

    def handle(self, *args: Any, wait: float, **options: Any) -> None:
        deadline = time.monotonic() + wait
        while True:
            try:
                lines = storage.bucket_prepare()
                break
            except storage.BucketUnreachable as error:
                if time.monotonic() >= deadline:
                    raise CommandError(str(error)) from None
                time.sleep(1)
            except storage.BucketError as error:
                raise CommandError(str(error)) from None
        for line in lines:
            style = self.style.WARNING if line.startswith("warning:") else self.style.SUCCESS
            self.stdout.write(style(line))
