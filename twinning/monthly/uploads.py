"""Checks on an uploaded attachment: size, extension, and that the content is what it claims.

The extension alone is not trusted: the first bytes must match it (PDF, JPEG, PNG), and a
.docx or .xlsx must be a ZIP archive holding a Word or Excel document.
"""

import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
# Office Open XML files are ZIP archives; the part that makes them a Word or Excel file.
OOXML_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
ZIP_SIGNATURE = b"PK\x03\x04"


def extension(name: str) -> str:
    return PurePath(name).suffix.lower().lstrip(".")


def _content_matches(upload: UploadedFile, kind: str) -> bool:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if kind in SIGNATURES:
        return head.startswith(SIGNATURES[kind])
    if kind in OOXML_PARTS:
        if not head.startswith(ZIP_SIGNATURE):
            return False
        try:
            with zipfile.ZipFile(upload) as archive:
                return OOXML_PARTS[kind] in archive.namelist()
        except zipfile.BadZipFile:
            return False
        finally:
            upload.seek(0)
    return False


def check_upload(upload: UploadedFile) -> str:
    """The file's kind (its extension) if it may be attached; a clear ValidationError if not."""
    kind = extension(upload.name)
    allowed = settings.MONTHLY_ATTACHMENT_TYPES
    if kind not in allowed:
        raise ValidationError(
            _("「%(name)s」的类型不允许上传，只能上传 %(types)s 文件。")
            % {"name": upload.name, "types": "、".join(allowed)}
        )
    if upload.size > settings.MONTHLY_ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("「%(name)s」有%(size)s，超过了%(limit)s的上限。")
            % {
                "name": upload.name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.MONTHLY_ATTACHMENT_MAX_BYTES),
            }
        )
    if not upload.size or not _content_matches(upload, kind):
        raise ValidationError(
            _("「%(name)s」的内容不是 %(kind)s 文件，请检查后重新上传。")
            % {"name": upload.name, "kind": kind}
        )
    return kind
