"""Towns, branches and members as spreadsheet rows (DESIGN §5); rules stay in the services."""

import copy
from collections import Counter, defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from import_export.instance_loaders import BaseInstanceLoader

from branches import services
from branches.models import Branch, Member, Town
from branches.selectors import in_committees, leading_committees
from twinning.shared.exchange.resources import (
    IN_BATCH,
    REPEATED_ROW,
    ChoiceWidget,
    CodeWidget,
    Column,
    DateWidget,
    ExchangeResource,
    TextWidget,
    YesNoWidget,
    cell_text,
)


class TownResource(ExchangeResource):
    code = Column("code", "编码", required=True)
    name = Column("name", "名称", required=True)
    kind = Column("kind", "类型", ChoiceWidget(Town.Kind), required=True)

    example = (("code", "示例-T01"), ("name", "示例镇"), ("kind", "镇"))

    class Meta:
        model = Town
        fields = ("code", "name", "kind")
        import_id_fields = ("code",)

    def write(self, instance: Town, stored: Town | None) -> None:
        services.town_save(town=instance)


class BranchResource(ExchangeResource):
    code = Column("code", "编码", required=True)
    name = Column("name", "名称", required=True)
    kind = Column("kind", "类型", ChoiceWidget(Branch.Kind), required=True)
    town = Column("town", "所在镇街", CodeWidget(Town, "镇街"))
    secretary = Column("secretary", "书记")
    industries = Column("industries", "产业")
    weak = Column("weak", "薄弱村", YesNoWidget())

    scope_column = "town"
    example = (
        ("code", "示例-T01-V01"), ("name", "示例村"), ("kind", "村"),
        ("town", "示例-T01"), ("secretary", "王示例"), ("industries", "建筑劳务;蔬菜种植"),
        ("weak", "是"),
    )
    watched = ("name", "secretary")

    class Meta:
        model = Branch
        fields = ("code", "name", "kind", "town", "secretary", "industries", "weak")
        import_id_fields = ("code",)

    def get_queryset(self) -> QuerySet:
        return Branch.objects.select_related("town")

    def dehydrate_secretary(self, branch: Branch) -> str:
        # An export made from the list carries `personal`: whether the user may read the
        # secretary's name; files for import round trips (no annotation) carry it always.
        return branch.secretary if getattr(branch, "personal", True) else ""

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        super().before_import(dataset, **kwargs)
        # Which branches sit in committees, for the rules on changing a stored branch.
        self.in_committee = set(in_committees(Branch.objects.all()))
        self.leading = set(leading_committees(Branch.objects.all()))

    def check(self, instance: Branch, stored: Branch | None, errors: dict) -> None:
        found: dict[str, str] = {}
        if "kind" not in errors:
            if "weak" not in self.in_file and instance.kind != Branch.Kind.VILLAGE:
                instance.weak = False  # as branch_save does for a branch that is no village
            rules = services.branch_errors(instance)
            found.update((key, message) for key, message in rules.items() if key not in errors)
            if stored is not None:
                found.update(services.branch_change_errors(
                    stored=stored, kind=instance.kind, town_id=instance.town_id,
                    in_committee=stored.pk in self.in_committee,
                    leads_committee=stored.pk in self.leading,
                ))
        if found:
            raise ValidationError(found)

    def write_all(self, rows: list[tuple[Branch, Branch | None]]) -> None:
        services.branch_bulk_save(branches=[instance for instance, _stored in rows])


class MemberNumberWidget(TextWidget):
    """A member number; a blank cell is no number (None), never an empty one."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str | None:
        return services.member_number(super().clean(value, row, **kwargs))


class MemberLoader(BaseInstanceLoader):
    """Finds the stored member a row names (DESIGN §5): by `number` when the row gives one;
    else by branch and name where that name is unique in the branch. A numbered row whose
    number is new takes the one member of its name without a number, so a register can give
    numbers to members stored before them — unless the file names that name twice there.

    Reads the members of the branches the file names, and those of its numbers, in bulk."""

    def __init__(self, resource: "MemberResource", dataset: Any = None) -> None:
        super().__init__(resource, dataset)
        resource.loader = self
        self.branch_field = resource.fields["branch"]
        parsed = [self.parse(row) for row in dataset.dict]
        self.in_file = Counter((branch_id, name) for _n, branch_id, name in parsed
                               if branch_id and name)
        numbers = sorted({number for number, _b, _name in parsed if number})
        branch_ids = sorted({branch_id for _n, branch_id, _name in parsed if branch_id})
        found: dict[int, Member] = {}
        for field, values in (("number", numbers), ("branch_id", branch_ids)):
            for start in range(0, len(values), IN_BATCH):
                batch = values[start : start + IN_BATCH]
                for member in resource.get_queryset().filter(**{f"{field}__in": batch}):
                    found.setdefault(member.pk, member)
        self.by_number = {m.number: m for m in found.values() if m.number}
        self.by_name: dict[tuple[int, str], list[Member]] = defaultdict(list)
        for member in found.values():
            self.by_name[(member.branch_id, member.name)].append(member)

    def parse(self, row: dict[str, Any]) -> tuple[str | None, int | None, str]:
        try:
            branch = self.branch_field.clean(row)
        except ValueError:
            branch = None  # the column's own error is reported when the row is read
        number = services.member_number(cell_text(row.get("number")))
        return number, branch.pk if branch else None, cell_text(row.get("name"))

    def unnumbered(self, branch_id: int | None, name: str) -> list[Member]:
        return [m for m in self.by_name.get((branch_id, name), ()) if m.number is None]

    def get_instance(self, row: dict[str, Any]) -> Member | None:
        number, branch_id, name = self.parse(row)
        if number:
            member = self.by_number.get(number)
            if member is None and self.in_file[(branch_id, name)] == 1:
                unnumbered = self.unnumbered(branch_id, name)
                member = unnumbered[0] if len(unnumbered) == 1 else None
        else:
            namesakes = self.by_name.get((branch_id, name), ())
            member = namesakes[0] if len(namesakes) == 1 else None
        if member is not None:
            self.resource.stored.setdefault(member.pk, copy.copy(member))
        return member


class MemberResource(ExchangeResource):
    branch = Column(
        "branch", "所在党组织", CodeWidget(Branch, "党组织"),
        required=True,
    )
    number = Column("number", "党员编号", MemberNumberWidget())
    name = Column("name", "姓名", required=True)
    role = Column("role", "职务", ChoiceWidget(Member.Role), default=Member.Role.MEMBER)
    joined_on = Column("joined_on", "入党日期", DateWidget())
    phone = Column("phone", "联系电话")

    scope_column = "branch"
    watched = ("role",)
    example = (
        ("branch", "示例-T01-V01"), ("number", "示例-0001"), ("name", "王示例"),
        ("role", "书记"), ("joined_on", "1998-07-01"), ("phone", "13800000000"),
    )
    loader: MemberLoader

    class Meta:
        model = Member
        fields = ("branch", "number", "name", "role", "joined_on", "phone")
        # The columns every file carries; rows are matched by MemberLoader's rule.
        import_id_fields = ("branch", "name")
        instance_loader_class = MemberLoader

    def get_queryset(self) -> QuerySet:
        return Member.objects.select_related("branch")

    def import_instance(self, instance: Member, row: Any, **kwargs: Any) -> None:
        # A blank number keeps the stored one: the row was matched by its unique name, and
        # a number, once given, is the member's key (cleared on the member's page only).
        number = instance.number
        super().import_instance(instance, row, **kwargs)
        if instance.number is None:
            instance.number = number

    def repeated_rows(self, rows: list[tuple[int, dict[str, Any]]]) -> list[tuple[int, str, str]]:
        """A number appears once in a file; a name that appears twice in one branch is a pair
        of namesakes (or a repeated row): each of those rows needs its number."""
        found = []
        numbers: dict[str, int] = {}
        names: dict[tuple[str, str], list[tuple[int, bool]]] = defaultdict(list)
        for row_number, row in rows:
            number = services.member_number(cell_text(row.get("number")))
            if number in numbers:
                found.append((row_number, "number",
                              str(REPEATED_ROW % {"row": numbers[number]})))
            elif number:
                numbers[number] = row_number
            branch, name = cell_text(row.get("branch")), cell_text(row.get("name"))
            if branch and name:
                names[(branch, name)].append((row_number, bool(number)))
        for (_branch, name), named in names.items():
            if len(named) < 2:
                continue
            where = "、".join(str(row_number) for row_number, _numbered in named)
            found.extend(
                (row_number, "name", _(
                    "本党组织有多名党员叫「%(name)s」（第%(rows)s行），须填写党员编号（number）以区分。"
                ) % {"name": name, "rows": where})
                for row_number, numbered in named if not numbered
            )
        return found

    def check(self, instance: Member, stored: Member | None, errors: dict) -> None:
        if stored is not None or "branch" in errors or "name" in errors:
            return
        key = (instance.branch_id, instance.name)
        namesakes = self.loader.by_name.get(key, ())
        if instance.number is None and len(namesakes) > 1:
            raise ValidationError({"name": _(
                "本党组织已有%(count)s名党员叫「%(name)s」，须填写党员编号（number）以区分。"
            ) % {"count": len(namesakes), "name": instance.name}})
        if instance.number is not None and self.loader.in_file[key] > 1 \
                and self.loader.unnumbered(*key):
            raise ValidationError({"number": _(
                "本党组织已有未填党员编号的「%(name)s」，无法确定是否为本行的党员："
                "请先在党员页面为其填写党员编号。") % {"name": instance.name}})

    def subject(self, instance: Member) -> str:
        return instance.distinguished

    def write_all(self, rows: list[tuple[Member, Member | None]]) -> None:
        services.member_bulk_save(members=[instance for instance, _stored in rows])
