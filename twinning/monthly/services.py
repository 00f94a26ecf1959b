"""Writes to monthly updates: filing, review, attachments and reopening (DESIGN §3).

Who may call what is decided by the views (`permissions.can`: `file`, `review`,
`grant_reopen`); these services hold the workflow's rules:
draft → submitted → accepted, or → returned (with a reason) → submitted again; a submitted
update is read-only to the secretary; a month locks after the deadline until the department
grants a reopen request; a save made from an outdated version is refused (`UpdateConflict`).
"""

import copy
import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from twinning.committees.models import JointCommittee
from twinning.monthly import rules
from twinning.monthly.models import MonthlyAttachment, MonthlyUpdate, ReopenRequest
from twinning.monthly.uploads import check_upload
from twinning.shared.periods import month_end

Status = MonthlyUpdate.Status
EDITABLE = (Status.DRAFT, Status.RETURNED)
FIELDS = ("meeting_held", *MonthlyUpdate.FIGURES, "summary")
MIN_SUMMARY = 10
MIN_REASON = 4


class UpdateConflict(ValidationError):
    """Someone saved the update after this form was opened; `current` is what they saved."""

    def __init__(self, message: str, current: MonthlyUpdate) -> None:
        super().__init__(message, code="conflict")
        self.current = current


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _conflict(current: MonthlyUpdate) -> UpdateConflict:
    who = current.updated_by
    name = (who.get_full_name() or who.username) if who else _("其他人")
    return UpdateConflict(
        _(
            "保存未成功：%(who)s已于%(when)s修改了这份报告。您填写的内容仍保留在下方，"
            "请对照对方保存的内容后再保存。"
        )
        % {
            "who": name,
            "when": date_format(timezone.localtime(current.updated_at), "Y-m-d H:i"),
        },
        current,
    )


def _check_submission(update: MonthlyUpdate) -> None:
    errors: dict[str, list[str]] = {}
    if update.meeting_held is None:
        errors["meeting_held"] = [_("报送前请选择本月是否召开了联合党组织会议。")]
    if len(update.summary.strip()) < MIN_SUMMARY:
        errors["summary"] = [
            _("报送前请填写工作小结（至少%(n)s个字）。") % {"n": MIN_SUMMARY}
        ]
    if errors:
        raise ValidationError(errors)


def _check_uploads(update: MonthlyUpdate | None, uploads: Sequence[UploadedFile]) -> list[str]:
    existing = update.attachments.count() if update is not None and update.pk else 0
    limit = settings.MONTHLY_ATTACHMENT_MAX_FILES
    if existing + len(uploads) > limit:
        raise ValidationError(
            {"attachments": [_("每份报告最多%(n)s个附件。") % {"n": limit}]}
        )
    kinds, errors = [], []
    for upload in uploads:
        try:
            kinds.append(check_upload(upload))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"attachments": errors})
    return kinds


@transaction.atomic
def update_save(
    *,
    committee: JointCommittee,
    period: datetime.date,
    user: User,
    data: Mapping[str, Any],
    version: int,
    submit: bool = False,
    uploads: Sequence[UploadedFile] = (),
    today: datetime.date | None = None,
) -> MonthlyUpdate:
    """Save the secretary's draft of a month, and submit it when `submit` is true.

    `version` is the version the form was opened at (0 for a month with no update yet); if
    someone saved in between, `UpdateConflict` is raised and nothing is written. Uploaded files
    are checked (type, size, content) before anything is saved.
    """
    today = _today(today)
    rules.check_period(committee, period, today, draft=True)
    if submit:
        rules.check_submittable(period, today)
    update = (
        MonthlyUpdate.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .filter(committee=committee, period=period)
        .first()
    )
    if update is not None and update.version != version:
        raise _conflict(update)
    reason = rules.closed_reason(committee, period, update, today)
    if reason:
        raise ValidationError(reason)
    kinds = _check_uploads(update, uploads)
    if update is None:
        update = MonthlyUpdate(committee=committee, period=period, version=0)
    for name in FIELDS:
        if name in data:
            setattr(update, name, data[name])
    update.summary = (update.summary or "").strip()
    if submit:
        _check_submission(update)
        now = timezone.now()
        update.status = Status.SUBMITTED
        update.submitted_at = now
        update.submitted_by = user
        update.first_submitted_at = update.first_submitted_at or now
    update.updated_by = user
    update.version += 1
    update.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            update.save()
    except IntegrityError:
        # Two people started the same month's first draft at once: the other one won.
        raise _conflict(
            MonthlyUpdate.objects.select_related("updated_by").get(
                committee=committee, period=period
            )
        ) from None
    for upload, kind in zip(uploads, kinds, strict=True):
        MonthlyAttachment.objects.create(
            update=update, file=upload, name=upload.name[:255], kind=kind, size=upload.size,
            uploaded_by=user,
        )
    return update


@transaction.atomic
def attachment_delete(
    *, attachment: MonthlyAttachment, user: User, today: datetime.date | None = None
) -> None:
    """Remove an attachment while the update can still be changed; the file goes too."""
    update = MonthlyUpdate.objects.select_for_update().get(pk=attachment.update_id)
    reason = rules.closed_reason(update.committee, update.period, update, _today(today))
    if reason:
        raise ValidationError(reason)
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    update.updated_by = user
    update.version += 1
    update.save(update_fields=["updated_by", "version", "updated_at"])
    transaction.on_commit(lambda: storage.delete(name))


def _locked_for_review(update: MonthlyUpdate) -> MonthlyUpdate:
    return MonthlyUpdate.objects.select_for_update(of=("self",)).select_related("committee").get(
        pk=update.pk
    )


def _reviewed(update: MonthlyUpdate, user: User, status: str) -> MonthlyUpdate:
    update.status = status
    update.reviewed_at = timezone.now()
    update.reviewed_by = user
    update.version += 1
    update.save()
    return update


@transaction.atomic
def update_accept(*, update: MonthlyUpdate, user: User) -> MonthlyUpdate:
    """The department or the town accepts a submitted update."""
    update = _locked_for_review(update)
    if update.status != Status.SUBMITTED:
        raise ValidationError(
            _("只能审核已报送的报告，这份报告现在是「%(status)s」。")
            % {"status": update.get_status_display()}
        )
    return _reviewed(update, user, Status.ACCEPTED)


def _return_reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise ValidationError(
            {"note": [_("请写明退回原因（至少%(n)s个字），书记会看到它。") % {"n": MIN_REASON}]}
        )
    return reason


@transaction.atomic
def update_return(*, update: MonthlyUpdate, user: User, reason: str) -> MonthlyUpdate:
    """Send a submitted (or accepted) update back to its secretary, with the reason why."""
    update = _locked_for_review(update)
    reason = _return_reason(reason)
    if update.status not in (Status.SUBMITTED, Status.ACCEPTED):
        raise ValidationError(
            _("只能退回已报送或已通过的报告，这份报告现在是「%(status)s」。")
            % {"status": update.get_status_display()}
        )
    update.return_reason = reason
    return _reviewed(update, user, Status.RETURNED)


def updates_review_check(
    *, updates: Sequence[MonthlyUpdate], accept: bool, reason: str = ""
) -> None:
    """What stops a decision on a selection before any update is touched: nothing chosen, or
    a return without its reason. The queue asks it before confirming a return."""
    if not updates:
        raise ValidationError(_("请先勾选要审核的报告。"))
    if not accept:
        _return_reason(reason)


@transaction.atomic
def updates_review(
    *, updates: Sequence[MonthlyUpdate], user: User, accept: bool, reason: str = ""
) -> int:
    """Accept, or return with one reason, several updates from the review queue at once, each
    exactly as one decided alone (`update_accept`, `update_return`): all or none (one already
    reviewed by someone else stops the lot, naming it)."""
    updates_review_check(updates=updates, accept=accept, reason=reason)
    for update in updates:
        try:
            if accept:
                update_accept(update=update, user=user)
            else:
                update_return(update=update, user=user, reason=reason)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                raise
            raise ValidationError(
                _("%(name)s：%(error)s") % {"name": update, "error": " ".join(error.messages)}
            ) from None
    return len(updates)


@transaction.atomic
def reopen_request_create(
    *,
    committee: JointCommittee,
    period: datetime.date,
    user: User,
    reason: str,
    today: datetime.date | None = None,
) -> ReopenRequest:
    """A secretary asks the department to reopen a locked month they have not submitted."""
    today = _today(today)
    rules.check_period(committee, period, today)
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise ValidationError(
            {"reason": [_("请写明申请理由（至少%(n)s个字）。") % {"n": MIN_REASON}]}
        )
    update = MonthlyUpdate.objects.filter(committee=committee, period=period).first()
    if rules.closed_reason(committee, period, update, today) != rules.lock_message(period):
        raise ValidationError(_("本月报告没有锁定，无需申请重新开放。"))
    if ReopenRequest.objects.filter(
        committee=committee, period=period, status=ReopenRequest.Status.PENDING
    ).exists():
        raise ValidationError(_("本月已有一份待处理的重新开放申请，请等待组织部处理。"))
    return ReopenRequest.objects.create(
        committee=committee, period=period, reason=reason, requested_by=user
    )


@transaction.atomic
def reopen_request_decide(
    *, request: ReopenRequest, user: User, grant: bool, note: str = ""
) -> ReopenRequest:
    """The department grants (the month opens again for the secretary) or refuses, with a note."""
    request = ReopenRequest.objects.select_for_update().get(pk=request.pk)
    note = note.strip()
    if request.status != ReopenRequest.Status.PENDING:
        raise ValidationError(
            _("这份申请已处理（%(status)s）。") % {"status": request.get_status_display()}
        )
    if not grant and len(note) < MIN_REASON:
        raise ValidationError(
            {"note": [_("不同意时请写明理由（至少%(n)s个字），书记会看到它。") % {"n": MIN_REASON}]}
        )
    request.status = ReopenRequest.Status.GRANTED if grant else ReopenRequest.Status.REFUSED
    request.decided_by = user
    request.decided_at = timezone.now()
    request.decision_note = note
    request.save()
    return request


# Import (twinning.monthly.resources): the department and town staff bring in updates filed on
# paper or in another system. Unlike the secretary's form they may set the day a month was
# submitted, so the month counts on time or late by that day; they never overwrite what the
# workflow has settled.


def submission_moment(day: datetime.date) -> datetime.datetime:
    """An imported submission day as a moment: local noon, so its local date is that day."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def first_submitted_on(update: MonthlyUpdate) -> datetime.date | None:
    """The local day of the update's first submission: the `submitted_on` of a file."""
    first = update.first_submitted_at
    return rules.local_date(first) if first is not None else None


def import_errors(
    update: MonthlyUpdate,
    stored: MonthlyUpdate | None,
    *,
    submitted_on: datetime.date | None,
    today: datetime.date,
    granted: bool,
) -> dict[str, list[str]]:
    """Why an imported row may not turn `stored` (None: no update yet) into `update`, by column.

    A row equal to the stored update is always fine. Otherwise: the month has ended and the
    committee existed in it; an accepted update is never overwritten, nor one in a locked month
    (unless reopened or returned); an update once submitted keeps its first submission day and
    does not turn back into a draft; a submission day lies after the month and not after today,
    and a submitted update has its meeting answered and a summary.
    """
    recorded = first_submitted_on(stored) if stored is not None else None
    if stored is not None and recorded == submitted_on and all(
        getattr(stored, name) == getattr(update, name) for name in FIELDS
    ):
        return {}
    errors: dict[str, list[str]] = {}
    try:
        rules.check_period(update.committee, update.period, today)
    except ValidationError as error:
        return {"period": error.messages}
    if stored is not None:
        if stored.status == Status.ACCEPTED:
            errors["period"] = [_("该月报告已审核通过，不能通过导入修改；如需修改，请先退回。")]
        elif stored.status != Status.RETURNED and rules.is_locked(stored.period, today) and not (
            granted
        ):
            errors["period"] = [rules.lock_message(stored.period)]
    if errors:
        return errors
    if recorded is not None and submitted_on != recorded:
        errors["submitted_on"] = [
            _("该报告已于%(date)s首次报送，报送日期以首次报送为准，请填写%(date)s。")
            % {"date": recorded.isoformat()}
        ]
    elif submitted_on is not None:
        month_over = month_end(update.period)
        if submitted_on <= month_over:
            errors["submitted_on"] = [
                _("报送日期须在该月结束之后（%(date)s之后）。") % {"date": month_over.isoformat()}
            ]
        elif submitted_on > today:
            errors["submitted_on"] = [_("报送日期不能晚于今天。")]
        try:
            _check_submission(update)
        except ValidationError as error:
            error.update_error_dict(errors)
    return errors


@transaction.atomic
def update_import(
    *,
    committee: JointCommittee,
    period: datetime.date,
    user: User | None,
    data: Mapping[str, Any],
    submitted_on: datetime.date | None,
    today: datetime.date | None = None,
) -> MonthlyUpdate:
    """Write one imported month (see `import_errors` for what is refused).

    A row with a submission day submits a draft (first submitted that day) or resubmits a
    returned update that it changes (now, keeping the first day); a row without one saves a
    draft; a submitted update keeps its status. Once submitted, an update's rows carry its
    first submission day.
    """
    today = _today(today)
    update = (
        MonthlyUpdate.objects.select_for_update(of=("self",))
        .filter(committee=committee, period=period)
        .first()
    )
    stored = copy.copy(update) if update is not None else None
    if update is None:
        update = MonthlyUpdate(committee=committee, period=period, version=0)
    update.committee = committee
    for name in FIELDS:
        setattr(update, name, data[name])
    update.summary = (update.summary or "").strip()
    errors = import_errors(
        update, stored, submitted_on=submitted_on, today=today,
        granted=rules.reopen_granted(committee, period),
    )
    if errors:
        raise ValidationError(errors)
    if submitted_on is not None and update.status in (Status.DRAFT, Status.RETURNED):
        now = timezone.now()
        first = update.first_submitted_at is None
        update.status = Status.SUBMITTED
        update.submitted_at = submission_moment(submitted_on) if first else now
        update.first_submitted_at = update.first_submitted_at or update.submitted_at
        update.submitted_by = user
    update.updated_by = user
    update.version += 1
    update.full_clean(validate_unique=False, validate_constraints=False)
    update.save()
    return update
