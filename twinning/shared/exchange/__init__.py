"""Spreadsheet exchange of the registers (DESIGN §5): one machinery for every kind.

`files` reads and writes CSV/XLSX, `resources` holds what every resource shares (columns,
widgets, the bulk loader, the base resource), `services` the registry of kinds (apps register
theirs in `ready()`), the import (check every row, then write all or nothing), exports,
templates and kept uploads; `views` and `urls` the staff import page, the templates and one
export URL per register.
"""

from twinning.shared.exchange.files import CONTENT_TYPES, FORMATS, FileProblem, format_of
from twinning.shared.exchange.services import (
    KINDS,
    Kind,
    Problem,
    Report,
    UnknownKind,
    UploadNotFound,
    export_file,
    forget_upload,
    import_file,
    keep_upload,
    kept_upload,
    kind_named,
    kinds_for,
    register_kind,
    report_of,
    template_file,
)

__all__ = [
    "CONTENT_TYPES",
    "FORMATS",
    "KINDS",
    "FileProblem",
    "Kind",
    "Problem",
    "Report",
    "export_file",
    "format_of",
    "import_file",
    "keep_upload",
    "UnknownKind",
    "kind_named",
    "kinds_for",
    "register_kind",
    "report_of",
    "UploadNotFound",
    "forget_upload",
    "kept_upload",
    "template_file",
]
