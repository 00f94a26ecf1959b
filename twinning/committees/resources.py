"""Joint committees with their villages as spreadsheet rows (DESIGN §5).

A row lists the committee's current villages. On a new committee they join on its founding
date; on a stored one the villages that differ leave and join on the day of the import,
through the services, so the history keeps every step. A village held by another committee
stays there: moving it takes two imports (or the committee pages), first out, then in.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Branch
from twinning.committees import selectors, services
from twinning.committees.models import CommitteeVillage, JointCommittee
from twinning.shared import permissions
from twinning.shared.exchange.resources import (
    ChoiceWidget,
    CodesWidget,
    CodeWidget,
    Column,
    DateWidget,
    ExchangeResource,
)

BRANCHES = Branch.objects.select_related("town")
OWN_FIELDS = ("name", "urban_id", "formation", "established_on")


class CommitteeResource(ExchangeResource):
    code = Column("code", "编码", required=True)
    name = Column("name", "名称", required=True)
    urban = Column("urban", "城市党组织", CodeWidget(Branch, "党组织", BRANCHES), required=True)
    villages = Column("villages", "联建村", CodesWidget(Branch, "村党组织", BRANCHES))
    formation = Column(
        "formation", "结对方式", ChoiceWidget(JointCommittee.Formation), required=True
    )
    established_on = Column("established_on", "成立日期", DateWidget(), required=True)

    example = (
        ("code", "示例-CJ01"), ("name", "示例居委会联合党总支"), ("urban", "示例-T01-R01"),
        ("villages", "示例-T01-V01;示例-T01-V02"), ("formation", "结对"),
        ("established_on", "2019-03-01"),
    )

    # The urban side's secretary is the committee's: a new urban side is a new secretary.
    watched = ("name", "urban")

    class Meta:
        model = JointCommittee
        fields = ("code", "name", "urban", "villages", "formation", "established_on")
        import_id_fields = ("code",)

    def get_queryset(self) -> QuerySet:
        return JointCommittee.objects.select_related("urban", "town").prefetch_related(
            selectors.active_memberships()
        )

    def loaded(self, obj: JointCommittee) -> None:
        obj.villages = tuple(m.village for m in obj.active_memberships)

    def dehydrate_villages(self, committee: JointCommittee) -> str:
        villages = tuple(m.village for m in committee.active_memberships)
        return self.fields["villages"].widget.render(villages)

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        super().before_import(dataset, **kwargs)
        # Every village now in a committee, and the villages claimed by earlier rows.
        self.holders = {
            village_id: (committee_id, name)
            for village_id, committee_id, name in CommitteeVillage.objects.filter(
                left_on__isnull=True
            ).values_list("village_id", "committee_id", "committee__name")
        }
        self.claims: dict[int, str] = {}
        # The urban sides the importing user may choose, as the committee form offers them.
        if self.user is not None:
            self.urban_ids = set(
                permissions.urban_choices(self.user).values_list("id", flat=True)
            )

    def check_scope(self, instance: JointCommittee, stored: JointCommittee | None) -> None:
        super().check_scope(instance, stored)
        changed = stored is None or instance.urban_id != stored.urban_id
        if self.user is not None and changed and instance.urban_id not in self.urban_ids:
            raise ValidationError({"urban": permissions.URBAN_OUT_OF_REACH})

    def check(self, instance: JointCommittee, stored: JointCommittee | None, errors: dict) -> None:
        if stored is not None:
            services.check_active(stored)
        found: dict[str, list[str]] = {}
        if "urban" not in errors:
            try:
                services.check_urban(instance.urban)
            except ValidationError as error:
                found.update(error.message_dict)
        if "villages" not in errors:
            found.update(self._check_villages(instance, stored))
        if found:
            raise ValidationError(found)

    def _check_villages(
        self, instance: JointCommittee, stored: JointCommittee | None
    ) -> dict[str, list[str]]:
        villages = instance.villages
        try:
            town = stored.town if stored is not None else services.committee_town(villages)
        except ValidationError as error:
            return error.message_dict
        instance.town = town
        taken = {
            v.pk: self.holders[v.pk][1]
            for v in villages
            if v.pk in self.holders and self.holders[v.pk][0] != instance.pk
        }
        problems = services.village_errors(villages, town=town, taken=taken)
        label = f"{instance.code} {instance.name}"
        for village in villages:
            claimed = self.claims.setdefault(village.pk, label)
            if claimed != label and village.pk not in taken:
                problems.append(
                    _("「%(village)s」已由本文件中的联合党组织「%(committee)s」使用。")
                    % {"village": village.name, "committee": claimed}
                )
        return {"villages": problems} if problems else {}

    def write_all(self, rows: list[tuple[JointCommittee, JointCommittee | None]]) -> None:
        services.committee_bulk_create(plans=[
            services.CommitteePlan(
                code=c.code, name=c.name, urban=c.urban, villages=c.villages,
                formation=c.formation, established_on=c.established_on,
            )
            for c, stored in rows if stored is None
        ])
        for instance, stored in rows:
            if stored is not None:
                self.write(instance, stored)

    def write(self, instance: JointCommittee, stored: JointCommittee | None) -> None:
        own = {name: getattr(instance, name) for name in ("name", "urban", "formation",
                                                          "established_on")}
        if any(getattr(instance, f) != getattr(stored, f) for f in OWN_FIELDS):
            services.committee_update(committee=instance, **own)
        if {v.pk for v in instance.villages} != {v.pk for v in stored.villages}:
            services.committee_set_villages(
                committee=instance,
                villages=instance.villages,
                on=timezone.localdate(),
                reason=_("按导入文件「%(file)s」调整") % {"file": self.source},
            )
