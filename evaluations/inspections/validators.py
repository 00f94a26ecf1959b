"""Checks on uploaded evidence: a size limit, and a type read from both the name and the bytes."""

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext as _

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
# Extension -> the bytes such a file starts with. Office files are zip (new) or OLE (old).
EVIDENCE_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".docx": _ZIP,
    ".xlsx": _ZIP,
    ".doc": _OLE,
    ".xls": _OLE,
}
# Shown in the browser rather than downloaded.
INLINE_TYPES = {".pdf", ".jpg", ".jpeg", ".png"}


def validate_evidence_file(upload: File) -> None:
    """Refuse files over the limit, of another type, or whose content does not match the name."""
    if upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("文件不能超过%(limit)s MB，此文件为%(size).1f MB。")
            % {"limit": EVIDENCE_MAX_BYTES // (1024 * 1024), "size": upload.size / (1024 * 1024)}
        )
    suffix = PurePath(upload.name or "").suffix.lower()
    signatures = EVIDENCE_SIGNATURES.get(suffix)
    if signatures is None:
        raise ValidationError(_("只能上传PDF、图片（JPG、PNG）或Word、Excel文件。"))
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in signatures):
        raise ValidationError(
            _("文件内容与扩展名“%(suffix)s”不符，请上传原始文件。") % {"suffix": suffix}
        )
