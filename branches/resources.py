"""Towns, branches and members as spreadsheet rows (DESIGN §5); rules stay in the services."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from branches import services
from branches.models import Branch, Member, Town
from branches.selectors import in_committees, leading_committees
from twinning.shared.exchange.resources import (
    ChoiceWidget,
    CodeWidget,
    Column,
    DateWidget,
    ExchangeResource,
    YesNoWidget,
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


class MemberResource(ExchangeResource):
    branch = Column(
        "branch", "所在党组织", CodeWidget(Branch, "党组织"),
        required=True,
    )
    name = Column("name", "姓名", required=True)
    role = Column("role", "职务", ChoiceWidget(Member.Role), default=Member.Role.MEMBER)
    joined_on = Column("joined_on", "入党日期", DateWidget())
    phone = Column("phone", "联系电话")

    scope_column = "branch"
    watched = ("role",)
    example = (
        ("branch", "示例-T01-V01"), ("name", "王示例"), ("role", "书记"),
        ("joined_on", "1998-07-01"), ("phone", "13800000000"),
    )

    class Meta:
        model = Member
        fields = ("branch", "name", "role", "joined_on", "phone")
        import_id_fields = ("branch", "name")

    def get_queryset(self) -> QuerySet:
        return Member.objects.select_related("branch")

    def write_all(self, rows: list[tuple[Member, Member | None]]) -> None:
        services.member_bulk_save(members=[instance for instance, _stored in rows])
