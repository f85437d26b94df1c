"""Files in an S3-compatible bucket (AWS S3, MinIO, Ceph, Garage, R2…) through django-storages.

settings/files.py switches these on when S3_BUCKET is set: one bucket, three prefixes.

    media/      uploads (Wagtail images and documents). Only media/images/ (renditions, what
                pages, feeds and PDFs link to) has a public URL; the bucket policy must allow
                anonymous reads of media/images/* and nothing else (docs/deploy.md).
    private/    cached brief PDFs: no URL at all; /briefs/<slug>/pdf/ streams them.
    snapshots/  source snapshots (WARCs, documents): no URL; the archive views stream them.

A private object never gets a URL a reader could use: `PrivateObjectStorage.url()` raises, as
core.storage.PrivateStorage does on disk, so the only way out is a view that checked access.
Media other than renditions (original uploads, documents) gets a presigned URL that expires in
PRESIGNED_SECONDS, for the admin; Wagtail's document view streams documents itself
(WAGTAILDOCS_SERVE_METHOD = "serve_view") after checking the collection's privacy.

`bucket_problem()` is the one-line answer `briefdesk check` gives about the bucket.
"""

from __future__ import annotations

import json
from typing import Any

from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from .media import PUBLIC_PREFIXES

# Long enough for an editor's browser to load an original image from the admin, short enough
# that a copied link is useless soon after.
PRESIGNED_SECONDS = 300


def is_public_media(name: str) -> bool:
    """Whether a media name (relative to media/) is one anyone may read: an image rendition."""
    return clean_name(name).split("/", 1)[0] in PUBLIC_PREFIXES


class MediaObjectStorage(S3Storage):
    """Uploads under media/: renditions at plain URLs, anything else at presigned ones."""

    def url(
        self,
        name: str,
        parameters: dict[str, Any] | None = None,
        expire: int | None = None,
        http_method: str | None = None,
    ) -> str:
        if is_public_media(name):
            if self.custom_domain:  # a CDN or the bucket's public host name
                return super().url(name, parameters, expire, http_method)
            key = self._normalize_name(clean_name(name))
            return str(
                self.unsigned_connection.meta.client.generate_presigned_url(
                    "get_object", Params={"Bucket": self.bucket_name, "Key": key}
                )
            )
        # Signed against the endpoint, never the custom domain (which serves only images).
        key = self._normalize_name(clean_name(name))
        return str(
            self.connection.meta.client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket_name, "Key": key},
                ExpiresIn=expire or PRESIGNED_SECONDS,
            )
        )


class PrivateObjectStorage(S3Storage):
    """Objects under private/ or snapshots/ that only a view hands out: they have no URL."""

    def url(self, name: str | None, *args: Any, **kwargs: Any) -> str:
        raise ValueError(
            f"{name!r} is in private storage and has no public URL; serve it through a view"
        )


def public_read_policy(bucket: str) -> str:
    """The bucket policy (JSON) that makes image renditions, and nothing else, public:
    anonymous s3:GetObject on media/images/*. What an operator applies once
    (`aws s3api put-bucket-policy --bucket B --policy "$(…)"`, `mc anonymous set-json`)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "BriefdeskPublicRenditions",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/media/images/*",
                }
            ],
        },
        indent=2,
    )


def bucket_problem(options: dict[str, Any]) -> str | None:
    """One line saying why the bucket of these S3Storage OPTIONS cannot be used, or None.

    Asks the server for the bucket (HEAD) and writes, reads and deletes a small object under
    the private prefix, so missing buckets, refused credentials, an unreachable endpoint and a
    read-only key each come back as a sentence, not a botocore traceback.
    """
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    # One try with short timeouts: a check must answer in seconds, not after retries.
    quick = Config(connect_timeout=5, read_timeout=10, retries={"max_attempts": 1})
    storage = PrivateObjectStorage(**{**options, "location": "private", "client_config": quick})
    bucket = options.get("bucket_name", "")
    where = options.get("endpoint_url") or "AWS S3"
    try:
        client = storage.connection.meta.client
        client.head_bucket(Bucket=bucket)
        key = storage._normalize_name(".briefdesk-check")
        client.put_object(Bucket=bucket, Key=key, Body=b"ok")
        client.delete_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        if code in ("404", "NoSuchBucket"):
            return f"S3 bucket {bucket!r} does not exist at {where} (S3_BUCKET)"
        if code in ("403", "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied"):
            return (
                f"S3 refused the credentials for bucket {bucket!r} at {where} ({code}; "
                "check S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and the key's permissions)"
            )
        return f"S3 bucket {bucket!r} at {where} answered {code}: {error.get('Message', '')}"
    except NoCredentialsError:
        return (
            f"S3 has no credentials for bucket {bucket!r}: set S3_ACCESS_KEY_ID and "
            "S3_SECRET_ACCESS_KEY (or give the machine a role)"
        )
    except (BotoCoreError, ValueError) as exc:
        return f"S3 at {where} cannot be reached: {str(exc).splitlines()[0]} (S3_ENDPOINT_URL)"
    return None
