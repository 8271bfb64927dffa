"""Where takes and answers are stored: local files (signed, range-capable URLs) or S3 (presigned).

On S3 the server and the browsers may reach the bucket at different addresses (Docker Compose: the app at
http://minio:9000, browsers at http://localhost:9000): server calls use AWS_S3_ENDPOINT_URL, every URL
handed to a browser is presigned for AWS_S3_PUBLIC_ENDPOINT_URL (`browser_storage`).
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError, NoCredentialsError
from django.conf import settings
from django.core import signing
from django.core.files.storage import Storage, storages
from django.urls import reverse
from storages.backends.s3 import S3Storage

SIGNING_SALT = "interviews.media"
WEBM_MAGIC = b"\x1a\x45\xdf\xa3"


def media_storage() -> Storage:
    return storages["default"]


def uses_s3() -> bool:
    return bool(settings.USE_S3)


def container_of(head: bytes) -> str | None:
    """The container the bytes really are (WebM's EBML header or MP4's ftyp box), whatever was declared."""
    if head.startswith(WEBM_MAGIC):
        return "webm"
    if len(head) >= 8 and head[4:8] == b"ftyp":
        return "mp4"
    return None


def playback_url(name: str) -> str:
    """A short-lived URL for a stored video or image: presigned GET on S3, a signed Django URL locally."""
    if not name:
        return ""
    if uses_s3():
        return presigned_url(name)
    return reverse("interviews:media", args=[sign_name(name)])


def presigned_url(name: str) -> str:
    """A presigned GET for browsers (playback, the reviewer's redirect), valid RECORDING_URL_MAX_AGE s."""
    return str(browser_storage().url(name, parameters={}, expire=settings.RECORDING_URL_MAX_AGE))


def sign_name(name: str, scope: str = "") -> str:
    """The storage name, signed with a timestamp for a URL; a `scope` (e.g. one share link) makes the
    signature valid only where that same scope is checked again (see sharing's reviewer media)."""
    token = signing.TimestampSigner(salt=f"{SIGNING_SALT}{scope}").sign(name)
    return signing.b64_encode(token.encode()).decode()


def name_from_signed(value: str, scope: str = "") -> str:
    """The storage name of a signed media URL; raises signing.BadSignature when invalid or expired."""
    try:
        token = signing.b64_decode(value.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise signing.BadSignature("malformed") from None
    signer = signing.TimestampSigner(salt=f"{SIGNING_SALT}{scope}")
    return signer.unsign(token, max_age=settings.RECORDING_URL_MAX_AGE)


def local_path(name: str) -> Path:
    path = Path(media_storage().path(name))
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def local_write(name: str, offset: int, stream: Any, length: int) -> int:
    """Write `length` bytes of `stream` at `offset`; the same chunk written twice gives the same file."""
    fd = os.open(local_path(name), os.O_WRONLY | os.O_CREAT, 0o640)
    written = 0
    try:
        while written < length:
            piece = stream.read(min(256 * 1024, length - written))
            if not piece:
                break
            os.pwrite(fd, piece, offset + written)
            written += len(piece)
    finally:
        os.close(fd)
    return written


# --- S3: the server's endpoint and the browsers' ----------------------------------------------------


class S3MediaStorage(S3Storage):  # type: ignore[misc]
    """django-storages' S3 storage whose URLs are presigned for the browsers' endpoint, so that every
    caller of `url()` (the admin's file links too) hands out an address a browser can reach."""

    def url(self, name: str, parameters: Any = None, expire: Any = None, http_method: Any = None) -> str:
        signer = browser_storage(self)
        if signer is self:
            return str(super().url(name, parameters, expire, http_method))
        return str(signer.url(name, parameters, expire, http_method))


_TWINS = "_interviewmaker_browser_twins"


def browser_storage(storage: Any = None) -> Any:
    """The S3 storage as browsers reach it: same bucket, keys, credentials and options, presigning for
    AWS_S3_PUBLIC_ENDPOINT_URL. A URL signed for the internal host cannot be rewritten afterwards (SigV4
    signs the Host header), hence a twin with its own client; it only signs, offline, and sends nothing."""
    storage = storage if storage is not None else media_storage()
    public = settings.AWS_S3_PUBLIC_ENDPOINT_URL
    if not public or public == storage.endpoint_url:
        return storage
    twins = storage.__dict__.setdefault(_TWINS, {})
    if public not in twins:
        twin = copy.copy(storage)  # django-storages' __getstate__: fresh per-thread connections
        twin.__dict__.pop(_TWINS, None)
        twin.endpoint_url = public
        twins[public] = twin
    return twins[public]


# --- S3 multipart, with the storage's own boto3 client --------------------------------------------


def _s3() -> tuple[Any, str]:
    storage: Any = media_storage()
    return storage.connection.meta.client, storage.bucket_name


def s3_key(name: str) -> str:
    """The object key of a storage name, as django-storages computes it (location prefix included)."""
    from storages.utils import clean_name

    storage: Any = media_storage()
    return str(storage._normalize_name(clean_name(name)))


def s3_multipart_create(name: str, content_type: str) -> str:
    client, bucket = _s3()
    response = client.create_multipart_upload(Bucket=bucket, Key=s3_key(name), ContentType=content_type)
    return str(response["UploadId"])


def s3_part_url(name: str, upload_id: str, part_number: int) -> str:
    """A presigned `upload_part` URL for the applicant's browser, signed for the public endpoint."""
    signer = browser_storage()
    client, bucket = signer.connection.meta.client, signer.bucket_name
    return str(
        client.generate_presigned_url(
            "upload_part",
            Params={"Bucket": bucket, "Key": s3_key(name), "UploadId": upload_id, "PartNumber": part_number},
            ExpiresIn=settings.RECORDING_URL_MAX_AGE,
        )
    )


def s3_multipart_complete(name: str, upload_id: str, parts: list[dict[str, Any]]) -> None:
    client, bucket = _s3()
    client.complete_multipart_upload(
        Bucket=bucket,
        Key=s3_key(name),
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": p["number"], "ETag": p["etag"]} for p in parts]},
    )


def s3_multipart_abort(name: str, upload_id: str) -> None:
    client, bucket = _s3()
    client.abort_multipart_upload(Bucket=bucket, Key=s3_key(name), UploadId=upload_id)


def s3_size_and_head(name: str) -> tuple[int, bytes]:
    """The object's size and its first bytes (one ranged GET), to check the container."""
    client, bucket = _s3()
    response = client.get_object(Bucket=bucket, Key=s3_key(name), Range="bytes=0-15")
    total = int(str(response["ContentRange"]).rsplit("/", 1)[-1])
    return total, response["Body"].read()


def stored_size_and_head(name: str) -> tuple[int, bytes]:
    if uses_s3():
        return s3_size_and_head(name)
    path = local_path(name)
    with open(path, "rb") as fh:
        return path.stat().st_size, fh.read(16)


# --- Preparing the bucket (manage.py prepare_bucket; docs/recording.md) ----------------------------

CORS_RULE_ID = "interviewmaker-browser-uploads"
LIFECYCLE_RULE_ID = "interviewmaker-abort-incomplete-uploads"
# What a store answers for a bucket configuration it does not implement (MinIO's community edition has
# neither bucket CORS nor AbortIncompleteMultipartUpload; it has global CORS and its own upload expiry).
UNSUPPORTED = {"NotImplemented", "MalformedXML"}
REFUSED = {"403", "Forbidden", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"}
# Browsers treat these as secure origins: an https page may still upload to them over http.
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


class BucketError(Exception):
    """The bucket could not be prepared; the message tells the operator why."""


class BucketUnreachable(BucketError):
    """Nothing answers at the endpoint (yet: a container still starting)."""


def bucket_cors_origins() -> list[str]:
    """SITE_URL's origin, then AWS_S3_CORS_EXTRA_ORIGINS, each once."""
    site = urlsplit(settings.SITE_URL)
    return list(dict.fromkeys([f"{site.scheme}://{site.netloc}", *settings.AWS_S3_CORS_EXTRA_ORIGINS]))


def bucket_prepare() -> list[str]:
    """Create the media bucket if missing and put the app's CORS and lifecycle rules beside any others
    (merged by rule ID); running it again changes nothing. Returns what it did, one line per step."""
    if not uses_s3():
        raise BucketError(
            "S3 is not configured: set AWS_STORAGE_BUCKET_NAME (and AWS_S3_ENDPOINT_URL, the keys and "
            "AWS_S3_REGION_NAME for an S3-compatible store). With local storage there is no bucket to "
            "prepare."
        )
    storage: Any = media_storage()
    client, bucket = storage.connection.meta.client, storage.bucket_name
    where = storage.endpoint_url or f"AWS ({client.meta.region_name})"
    location = str(storage.location or "").strip("/")
    try:
        return [
            _bucket_create(client, bucket, storage.region_name or client.meta.region_name),
            _bucket_cors(client, bucket, bucket_cors_origins()),
            _bucket_lifecycle(client, bucket, f"{location}/" if location else ""),
            *_bucket_warnings(),
        ]
    except NoCredentialsError:
        raise BucketError("No S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.") from None
    except EndpointConnectionError as error:
        raise BucketUnreachable(f"Cannot reach S3 at {where}: {error}") from None
    except ClientError as error:
        code, message = _error_code(error), error.response.get("Error", {}).get("Message", "")
        if code in REFUSED:
            raise BucketError(
                f"S3 at {where} refused {error.operation_name} on bucket {bucket!r} ({code} {message}): "
                "check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and that they may create and configure "
                "it."
            ) from None
        raise BucketError(
            f"S3 at {where}: {error.operation_name} on bucket {bucket!r} failed: {code} {message}"
        ) from None
    except BotoCoreError as error:
        raise BucketError(f"S3 at {where}: {error}") from None


def _error_code(error: Any) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _bucket_create(client: Any, bucket: str, region: str | None) -> str:
    try:
        client.head_bucket(Bucket=bucket)
        return f"bucket {bucket}: exists"
    except ClientError as error:
        if _error_code(error) not in {"404", "NoSuchBucket", "NotFound"}:
            raise
    # us-east-1 is the default location and the one S3 refuses to be named.
    located = {} if region in {None, "", "us-east-1"} else {"LocationConstraint": region}
    try:
        client.create_bucket(Bucket=bucket, **({"CreateBucketConfiguration": located} if located else {}))
    except ClientError as error:
        if _error_code(error) != "BucketAlreadyOwnedByYou":  # another prepare_bucket won the race
            raise
        return f"bucket {bucket}: exists"
    return f"bucket {bucket}: created in {region or 'us-east-1'}"


def _cors_rule(origins: list[str]) -> dict[str, Any]:
    return {
        "ID": CORS_RULE_ID,
        "AllowedOrigins": origins,
        "AllowedMethods": ["PUT", "GET", "HEAD"],
        "AllowedHeaders": ["*"],
        # The browser reads each part's ETag to complete the multipart upload.
        "ExposeHeaders": ["ETag"],
        "MaxAgeSeconds": 3000,
    }


def _canonical(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: sorted(v) if isinstance(v, list) else v for k, v in rule.items()} for rule in rules]


def _bucket_cors(client: Any, bucket: str, origins: list[str]) -> str:
    try:
        try:
            current = list(client.get_bucket_cors(Bucket=bucket).get("CORSRules", []))
        except ClientError as error:
            if _error_code(error) != "NoSuchCORSConfiguration":
                raise
            current = []
        ours = _cors_rule(origins)
        # Ours by ID, or our very rule with its ID dropped (not every S3-compatible store keeps IDs):
        # either way replaced, never piled up run after run.
        others = [
            rule
            for rule in current
            if rule.get("ID") != CORS_RULE_ID
            and _canonical([{**rule, "ID": CORS_RULE_ID}]) != _canonical([ours])
        ]
        # Ours first: S3 applies the first rule matching the origin and method.
        wanted = [ours, *others]
        if _canonical(current) == _canonical(wanted):
            return f"CORS: unchanged (rule {CORS_RULE_ID} for {', '.join(origins)})"
        client.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": wanted})
    except ClientError as error:
        if _error_code(error) not in UNSUPPORTED:
            raise
        return (
            f"warning: CORS: this server does not support bucket CORS rules ({_error_code(error)}). MinIO "
            "applies its global CORS instead, which exposes ETag: allow the site's origin with "
            f"MINIO_API_CORS_ALLOW_ORIGIN={','.join(origins)} (default: every origin)."
        )
    kept = f"; kept {len(others)} other rule(s)" if others else ""
    verb = "updated" if len(others) < len(current) else "set"
    return f"CORS: {verb} rule {CORS_RULE_ID} for {', '.join(origins)} (PUT/GET/HEAD, exposes ETag){kept}"


def _lifecycle_rule(prefix: str) -> dict[str, Any]:
    days = settings.AWS_S3_ABORT_INCOMPLETE_UPLOAD_DAYS
    return {
        "ID": LIFECYCLE_RULE_ID,
        "Status": "Enabled",
        "Filter": {"Prefix": prefix},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": days},
    }


def _is_ours_as_wanted(rule: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """The rule as the server reports it means what we put (servers spell an empty filter differently)."""
    prefix = (rule.get("Filter") or {}).get("Prefix", rule.get("Prefix")) or ""
    return (
        rule.get("ID") == wanted["ID"]
        and rule.get("Status") == wanted["Status"]
        and prefix == wanted["Filter"]["Prefix"]
        and rule.get("AbortIncompleteMultipartUpload") == wanted["AbortIncompleteMultipartUpload"]
        and not set(rule) - {"ID", "Status", "Filter", "Prefix", "AbortIncompleteMultipartUpload"}
    )


def _bucket_lifecycle(client: Any, bucket: str, prefix: str) -> str:
    wanted = _lifecycle_rule(prefix)
    days = wanted["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"]
    what = f"rule {LIFECYCLE_RULE_ID} aborts uploads left incomplete after {days} day(s)"
    if prefix:
        what += f" under {prefix}"
    try:
        try:
            response = client.get_bucket_lifecycle_configuration(Bucket=bucket)
        except ClientError as error:
            if _error_code(error) != "NoSuchLifecycleConfiguration":
                raise
            response = {"Rules": []}
        current = list(response["Rules"])
        if any(_is_ours_as_wanted(rule, wanted) for rule in current):
            return f"lifecycle: unchanged ({what})"
        others = [rule for rule in current if rule.get("ID") != LIFECYCLE_RULE_ID]
        extra = {
            k: response[k] for k in ("TransitionDefaultMinimumObjectSize",) if response.get(k)
        }  # keep the bucket's own setting: left out, S3 would reset it
        client.put_bucket_lifecycle_configuration(
            Bucket=bucket, LifecycleConfiguration={"Rules": [*others, wanted]}, **extra
        )
        stored = client.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    except ClientError as error:
        if _error_code(error) not in UNSUPPORTED:
            raise
        stored = None
    if stored is None or not any(_is_ours_as_wanted(rule, wanted) for rule in stored):
        return (
            "warning: lifecycle: this server does not keep AbortIncompleteMultipartUpload rules. MinIO "
            "removes uploads left incomplete after 24 hours by itself (MINIO_API_STALE_UPLOADS_EXPIRY); the "
            "app's hourly sweep aborts abandoned takes in any case (RECORDING_ABANDONED_HOURS)."
        )
    kept = f"; kept {len(others)} other rule(s)" if others else ""
    return f"lifecycle: set ({what}){kept}"


def _bucket_warnings() -> list[str]:
    """Settings that make the bucket unusable from browsers or at odds with the app's own sweep."""
    lines = []
    public = settings.AWS_S3_PUBLIC_ENDPOINT_URL or settings.AWS_S3_ENDPOINT_URL or ""
    host = urlsplit(public).hostname or ""
    if settings.SITE_URL.startswith("https:") and public.startswith("http:") and host not in LOCAL_HOSTS:
        lines.append(
            f"warning: browsers block uploads from the https site to {public} (mixed content): "
            "set AWS_S3_PUBLIC_ENDPOINT_URL to an https address of the bucket."
        )
    if settings.AWS_S3_ABORT_INCOMPLETE_UPLOAD_DAYS * 24 <= settings.RECORDING_ABANDONED_HOURS:
        lines.append(
            "warning: AWS_S3_ABORT_INCOMPLETE_UPLOAD_DAYS aborts uploads before the app gives them up "
            f"(RECORDING_ABANDONED_HOURS={settings.RECORDING_ABANDONED_HOURS}): a slow take may be lost."
        )
    return lines
