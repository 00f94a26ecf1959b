"""What every exchange resource shares: columns with a key and a Chinese label, widgets that
read what clerks type (是/否, 村, 2024/1/31, codes) and say in Chinese what is wrong, a loader
that reads the rows a file names in bulk, and the base resource.

An app's resource stays declarative: its columns, its `Meta` (model, natural key), and two
small methods that call the app's services: `check` (the domain rules, on data read in bulk)
and `write` (one new or changed row).
"""

import copy
import datetime
import functools
import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet, TextChoices
from django.db.models.fields import NOT_PROVIDED
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.fields import Field
from import_export.instance_loaders import ModelInstanceLoader
from import_export.resources import ModelResource
from import_export.widgets import CachedForeignKeyWidget, Widget

from twinning.shared import permissions
from twinning.shared.exchange.files import unescape_formula
from twinning.shared.periods import format_period, parse_period

IN_BATCH = 1000
# How often a long check reports how far it has got.
PROGRESS_EVERY = 500
EXPORT_CHUNK = 2000
EMPTY = ("", None)
# Codes in the templates' example rows begin with this, so an example matches no real record
# and an import refuses the row if it is uploaded unchanged.
EXAMPLE_PREFIX = "示例"


def is_example(code: str) -> bool:
    return code.startswith(EXAMPLE_PREFIX)


# Two rows of one file that name the same record.
REPEATED_ROW = gettext_lazy("与第%(row)s行重复，同一记录只能出现一次。")


def cell_text(value: Any) -> str:
    """A cell as text: trimmed, dates as YYYY-MM-DD, the quote that guarded a formula-like
    cell on export removed."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return unescape_formula(str(value).strip())


def _collect(errors: dict, check: Any, *args: Any, **kwargs: Any) -> dict:
    """Run a check that raises ValidationError; its problems join `errors`."""
    try:
        check(*args, **kwargs)
    except ValidationError as error:
        return error.update_error_dict(errors)
    return errors


class TextWidget(Widget):
    """Text as typed, trimmed; the quote that guarded a formula-like cell on export is dropped."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        return cell_text(value)

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else str(value)


@functools.cache
def _choice_names(choices: type[TextChoices]) -> dict[str, str]:
    """Key or Chinese label → value, compared as `normalise` leaves them."""
    with translation.override("zh-hans"):
        names = {str(label).lower(): value for value, label in choices.choices}
    names.update({value.lower(): value for value in choices.values})
    return names


class ChoiceWidget(Widget):
    """One of a TextChoices, by key (`village`) or Chinese label (`村`)."""

    def __init__(self, choices: type[TextChoices]) -> None:
        super().__init__()
        self.choices = choices

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str | None:
        text = cell_text(value)
        if not text:
            return None
        found = _choice_names(self.choices).get(text.replace(" ", "").lower())
        if found is None:
            with translation.override("zh-hans"):
                labels = "、".join(str(label) for label in self.choices.labels)
            raise ValueError(
                _("「%(value)s」不是可选的值，可填：%(labels)s（或 %(keys)s）。")
                % {"value": text, "labels": labels, "keys": "、".join(self.choices.values)}
            )
        return found

    def render(self, value: Any, obj: Any = None, labels: bool = False, **kwargs: Any) -> str:
        if not value:
            return ""
        if labels:
            with translation.override("zh-hans"):
                return str(self.choices(value).label)
        return str(value)


class YesNoWidget(Widget):
    """yes/no, 是/否 (also true/false, 1/0); blank is `blank`: no, or None where the answer
    may be missing (and a missing answer exports as a blank cell, so it reads back the same)."""

    YES = {"yes", "y", "是", "true", "1", "√"}
    NO = {"no", "n", "否", "false", "0", "×"}

    def __init__(self, blank: bool | None = False) -> None:
        super().__init__()
        self.blank = blank

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> bool | None:
        text = cell_text(value).lower()
        if not text:
            return self.blank
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(_("「%(value)s」无法识别，请填写“是”或“否”（yes/no）。") % {"value": text})

    def render(self, value: Any, obj: Any = None, labels: bool = False, **kwargs: Any) -> str:
        if value is None and self.blank is None:
            return ""
        if labels:
            return "是" if value else "否"
        return "yes" if value else "no"


DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


class DateWidget(Widget):
    """YYYY-MM-DD; also 2024/1/31 and 2024年1月31日 as Excel and clerks write them, and date
    cells of an XLSX."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> datetime.date | None:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = cell_text(value)
        if not text:
            return None
        match = DATE_TEXT.match(text)
        try:
            if match is None:
                raise ValueError(text)
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            raise ValueError(
                _("「%(value)s」不是有效日期，请按 YYYY-MM-DD 填写，如 2024-03-01。")
                % {"value": text}
            ) from None

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value.isoformat() if value else ""


class PeriodWidget(Widget):
    """A month, YYYY-MM, held as its first day (twinning.shared.periods)."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> datetime.date | None:
        if isinstance(value, datetime.date):
            return datetime.date(value.year, value.month, 1)
        text = cell_text(value)
        if not text:
            return None
        try:
            return parse_period(text)
        except ValidationError as error:
            raise ValueError(" ".join(error.messages)) from None

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return format_period(value) if value else ""


class NumberWidget(Widget):
    """A whole number (`places=0`) or an amount with up to `places` decimals, e.g. 元."""

    def __init__(self, places: int = 0) -> None:
        super().__init__()
        self.places = places

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int | Decimal | None:
        text = cell_text(value).replace(",", "").replace("，", "")
        if not text:
            return None
        try:
            number = Decimal(text)
            rounded = number.quantize(Decimal(1).scaleb(-self.places))
        except InvalidOperation:
            rounded = number = None
        if rounded is None or rounded != number:
            kind = _("整数") if not self.places else _("最多%(n)s位小数的数") % {"n": self.places}
            raise ValueError(_("「%(value)s」不是%(kind)s。") % {"value": text, "kind": kind})
        return int(rounded) if not self.places else rounded

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if value is None:
            return ""
        # A sum computed by the database may come back without its places (SQLite: 300000).
        return str(Decimal(value).quantize(Decimal(1).scaleb(-self.places)) if self.places
                   else value)


class CodeWidget(CachedForeignKeyWidget):
    """A row of another register named by its code; all codes are read in one query."""

    def __init__(self, model: type[Model], label: str, queryset: QuerySet | None = None) -> None:
        super().__init__(model, field="code")
        self.label = label
        self.queryset = queryset

    def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> QuerySet:
        return self.queryset.all() if self.queryset is not None else self.model.objects.all()

    def find(self, code: str) -> Model:
        try:
            return self.get_instance_by_lookup_fields(code, None)
        except self.model.DoesNotExist:
            raise ValueError(
                _("找不到编码为「%(code)s」的%(label)s。") % {"code": code, "label": self.label}
            ) from None

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Model | None:
        code = cell_text(value)
        return self.find(code) if code else None

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value.code if value is not None else ""


class CodesWidget(CodeWidget):
    """Several codes separated by `;` (or the full-width `；`), kept in code order."""

    SEPARATORS = re.compile(r"[;；]")

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> tuple[Model, ...]:
        parts = self.SEPARATORS.split(cell_text(value))
        codes = [code.strip() for code in parts if code.strip()]
        found, unknown = [], []
        for code in codes:
            try:
                found.append(self.find(code))
            except ValueError:
                unknown.append(code)
        if unknown:
            raise ValueError(
                _("找不到编码为「%(codes)s」的%(label)s。")
                % {"codes": "、".join(unknown), "label": self.label}
            )
        return tuple(sorted(found, key=lambda obj: obj.code))

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return ";".join(item.code for item in value or ())


class Column(Field):
    """A column of a file: its key (DESIGN §5), its Chinese label, how cells are read."""

    def __init__(
        self,
        key: str,
        label: str,
        widget: Widget | None = None,
        *,
        required: bool = False,
        default: Any = NOT_PROVIDED,
        attribute: str = "",
    ) -> None:
        # `attribute`: where the value lives on the row's object when it is not named `key`.
        super().__init__(
            attribute=attribute or key, column_name=key, widget=widget or TextWidget(),
            default=default,
        )
        self.label = label
        self.required = required

    def clean(self, row: dict[str, Any], **kwargs: Any) -> Any:
        value = super().clean(row, **kwargs)
        if self.required and value in (*EMPTY, ()):
            raise ValueError(_("不能为空。"))
        return value


class NaturalKeyLoader(ModelInstanceLoader):
    """Finds the stored rows that a file names by natural key (codes, not ids), in bulk."""

    def __init__(self, resource: "ExchangeResource", dataset: Any = None) -> None:
        super().__init__(resource, dataset)
        self.key_fields = [resource.fields[name] for name in resource.get_import_id_fields()]
        keys = {key for key in map(self.key_of, dataset.dict) if key is not None}
        self.instances = resource.existing(keys, self.key_fields)

    def key_of(self, row: dict[str, Any]) -> tuple | None:
        try:
            key = tuple(field.clean(row) for field in self.key_fields)
        except ValueError:
            return None  # the column's own error is reported when the row is read
        return None if any(part in EMPTY for part in key) else key

    def get_instance(self, row: dict[str, Any]) -> Model | None:
        key = self.key_of(row)
        return self.instances.get(key) if key is not None else None


class ExchangeResource(ModelResource):
    """Base of every register's resource.

    Rows whose cells match what is stored are skipped, so re-importing a file writes nothing.
    Checking a row makes no query: related rows come from widgets that read a whole table
    once, stored rows from the loader, and `check` gets what else it needs in `before_import`.
    """

    # Where "不属于您的镇街" is reported for a row outside the user's towns.
    scope_column = "code"
    # One row of the downloadable template, as (key, value in the label form) pairs: codes
    # begin with EXAMPLE_PREFIX and names are made up, so the row matches no real record.
    example: tuple[tuple[str, str], ...] = ()
    # Columns whose change on a stored record the import preview points out (old → new).
    watched: tuple[str, ...] = ("name",)

    class Meta:
        skip_unchanged = True
        report_skipped = True
        skip_html_diff = True
        store_instance = True
        clean_model_instances = False
        instance_loader_class = NaturalKeyLoader

    def __init__(self, user: Any = None, source: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # None is the command line, which acts for the department.
        self.user = user
        # The file being imported, for the reasons written into the audit trail.
        self.source = source
        # Each stored row the file names, as it was before the import, by primary key.
        self.stored: dict[Any, Model] = {}
        # Told the number of rows checked so far, every PROGRESS_EVERY rows (a progress page).
        self.on_progress: Callable[[int], None] | None = None
        self.rows_checked = 0

    def after_import_row(self, row: Any, row_result: Any, **kwargs: Any) -> None:
        super().after_import_row(row, row_result, **kwargs)
        self.rows_checked += 1
        if self.on_progress is not None and self.rows_checked % PROGRESS_EVERY == 0:
            self.on_progress(self.rows_checked)

    @classmethod
    def columns(cls) -> list[Column]:
        """The columns in file order: the order of `Meta.fields`, as import-export exports."""
        return [cls.fields[name] for name in cls._meta.fields]

    # Reading stored rows

    def existing(self, keys: set[tuple], key_fields: list[Field]) -> dict[tuple, Model]:
        """The stored rows with these natural keys, by key; reads in batches, not per row."""
        first = key_fields[0]
        values = sorted({key[0] for key in keys}, key=lambda v: getattr(v, "pk", v))
        found: dict[tuple, Model] = {}
        for start in range(0, len(values), IN_BATCH):
            batch = values[start : start + IN_BATCH]
            for obj in self.get_queryset().filter(**{f"{first.attribute}__in": batch}):
                key = tuple(field.get_value(obj) for field in key_fields)
                if key in keys:
                    self.loaded(obj)
                    found[key] = obj
                    self.stored[obj.pk] = copy.copy(obj)
        return found

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        """Read, once, what `check` needs; subclasses extend it (and call this)."""
        self.in_file = set(dataset.headers)

    def loaded(self, obj: Model) -> None:
        """Complete a stored row before it is compared, e.g. with values held in other tables."""

    # Checking a row

    def validate_instance(
        self, instance: Model, import_validation_errors: dict | None = None,
        validate_unique: bool = True,
    ) -> None:
        """The row's cells, the model's field rules, the register's own rules and the user's
        reach; every problem of the row is collected, not just the first."""
        # import-export keys a cell's error by attribute; problems are reported by column.
        names = {column.attribute: column.column_name for column in self.columns()}
        errors = {names.get(key, key): error
                  for key, error in (import_validation_errors or {}).items()}
        stored = self.stored.get(instance.pk)
        if stored is None:
            for column in self.columns():
                if column.required and column.column_name not in self.in_file:
                    message = _("新建记录须填写「%(label)s」，文件中没有这一列。")
                    errors[column.column_name] = [message % {"label": column.label}]
        columns = {column.attribute for column in self.columns()}
        # Field rules only (length, choices, blank): relations and uniqueness would query.
        unchecked = [
            f.name for f in instance._meta.fields
            if f.name not in columns or f.is_relation or f.name in errors
        ]
        field_errors = _collect(
            {}, instance.full_clean, exclude=unchecked, validate_unique=False,
            validate_constraints=False,
        )
        # The model names a field by its attribute; a column may have a name of its own.
        for key, messages in field_errors.items():
            errors.setdefault(names.get(key, key), []).extend(messages)
        errors = _collect(errors, self.check, instance, stored, errors)
        if not errors:
            errors = _collect(errors, self.check_scope, instance, stored)
        if errors:
            raise ValidationError(errors)

    def repeated_rows(self, rows: list[tuple[int, dict[str, Any]]]) -> list[tuple[int, str, str]]:
        """Rows of the file that name a record an earlier row names, as (row number, column
        key, reason); `rows` are (row number, cells by key). A register whose rows are not
        matched by their id columns alone overrides this."""
        keys = list(self.get_import_id_fields())
        first_seen: dict[tuple, int] = {}
        found = []
        for number, row in rows:
            key = tuple(cell_text(row.get(k)) for k in keys)
            if not all(key):
                continue
            if key in first_seen:
                found.append((number, keys[-1], str(REPEATED_ROW % {"row": first_seen[key]})))
            else:
                first_seen[key] = number
        return found

    def check(self, instance: Model, stored: Model | None, errors: dict) -> None:
        """The register's rules for a new (`stored` is None) or changed row; raise a
        ValidationError keyed by column. Columns already in `errors` hold no usable value."""

    def check_scope(self, instance: Model, stored: Model | None) -> None:
        """Town staff write only their own town's rows, judged before and after the change."""
        if self.user is None:
            return
        allowed = permissions.can(self.user, "change" if stored else "create", instance)
        if not allowed or (stored is not None and not permissions.can(self.user, "change", stored)):
            raise ValidationError({self.scope_column: _("不属于您的镇街。")})

    # Writing

    def write_all(self, rows: list[tuple[Model, Model | None]]) -> None:
        """Write the checked new (`stored` None) and changed rows, in file order, through the
        app's services; a register with a bulk service overrides this to use it."""
        for instance, stored in rows:
            self.write(instance, stored)

    def write(self, instance: Model, stored: Model | None) -> None:
        """Write one new (`stored` is None) or changed row through the app's services."""
        raise NotImplementedError

    def subject(self, instance: Model) -> str:
        """The row's record as the import preview names it."""
        return str(instance)

    # Exporting

    def iter_queryset(self, queryset: QuerySet) -> Iterator[Model]:
        # Django prefetches per chunk with iterator(): a few queries, never one per row.
        return queryset.iterator(chunk_size=EXPORT_CHUNK)

    def rows(self, queryset: QuerySet, *, labels: bool) -> Iterable[list[Any]]:
        return self.export(queryset, labels=labels)

    @classmethod
    def headers(cls, *, labels: bool) -> list[str]:
        return [column.label if labels else column.column_name for column in cls.columns()]
