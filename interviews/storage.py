"""Where takes and answers are stored: local files (signed, range-capable URLs) or S3 (presigned)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.files.storage import Storage, storages
from django.urls import reverse

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
    return media_storage().url(name, parameters={}, expire=settings.RECORDING_URL_MAX_AGE)  # type: ignore[call-arg]


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
    client, bucket = _s3()
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
