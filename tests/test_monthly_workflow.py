"""The monthly update's workflow through the pages: who may move it between which states,
the lock and reopening, concurrent edits, attachments and pre-filling."""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.factories import PDF_BYTES, MonthlyUpdateFactory
from twinning.monthly import rules, selectors, services
from twinning.monthly.models import MonthlyUpdate, ReopenRequest
from twinning.monthly.rules import Filing
from twinning.shared.models import Role
from twinning.shared.periods import add_months, format_period
from twinning.site.accounts import user_create

Status = MonthlyUpdate.Status
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SUMMARY = "本月开展联谊活动两次，帮助村里修通了生产路。"


@pytest.fixture
def open_month(settings) -> datetime.date:
    """Last month, still open and due at the end of this month (so filing now is on time)."""
    settings.MONTHLY_DEADLINE_DAY = 31
    settings.MONTHLY_LOCK_DAYS = 30
    return rules.last_due_period(timezone.localdate())


@pytest.fixture
def locked_month(settings) -> datetime.date:
    """Two months ago, locked since its deadline."""
    settings.MONTHLY_LOCK_DAYS = 0
    return add_months(rules.last_due_period(timezone.localdate()), -1)


def url(committee, period, name="monthly_update", *extra) -> str:
    return reverse(name, args=[committee.code, format_period(period), *extra])


def form_data(action="save", version=0, **fields) -> dict:
    data = {
        "meeting_held": "yes", "activities": "2", "trainings": "1", "secondments": "1",
        "pairings": "8", "problems_solved": "3", "investment_yuan": "12000.50",
        "jobs_created": "4", "summary": SUMMARY, "version": str(version), "action": action,
    }
    data.update(fields)
    return data


def get_update(committee, period) -> MonthlyUpdate:
    return MonthlyUpdate.objects.get(committee=committee, period=period)


def test_secretary_saves_a_draft_and_finds_it_again(
    client, secretary_user, committee, open_month
) -> None:
    client.force_login(secretary_user)
    response = client.post(url(committee, open_month), form_data(summary="只写了一半"))
    assert response.status_code == 302
    update = get_update(committee, open_month)
    assert (update.status, update.summary, update.version) == (Status.DRAFT, "只写了一半", 1)
    assert update.investment_yuan == pytest.approx(12000.50)
    page = client.get(url(committee, open_month))
    assert page.context["form"]["summary"].value() == "只写了一半"
    assert page.context["version"] == 1
    assert "保存草稿" in page.content.decode()


def test_submitted_update_is_read_only_to_the_secretary(
    client, secretary_user, committee, open_month
) -> None:
    client.force_login(secretary_user)
    client.post(url(committee, open_month), form_data(action="submit"))
    update = get_update(committee, open_month)
    assert update.status == Status.SUBMITTED
    assert update.submitted_by == secretary_user
    assert update.first_submitted_at == update.submitted_at
    page = client.get(url(committee, open_month))
    assert page.context["form"] is None
    assert "不能再修改" in page.content.decode()
    response = client.post(url(committee, open_month), form_data(summary="偷偷改掉", version=2))
    assert response.status_code == 302
    assert get_update(committee, open_month).summary == SUMMARY


def test_submission_needs_the_meeting_answer_and_a_summary(
    client, secretary_user, committee, open_month
) -> None:
    client.force_login(secretary_user)
    response = client.post(
        url(committee, open_month), form_data(action="submit", meeting_held="", summary="短")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["meeting_held"] == ["报送前请选择本月是否召开了联合党组织会议。"]
    assert "报送前请填写工作小结" in errors["summary"][0]
    assert response.context["form"]["summary"].value() == "短"
    assert not MonthlyUpdate.objects.exists()


def test_town_accepts_department_returns_with_a_reason_and_secretary_resubmits(
    client, secretary_user, town_user, department_user, committee, open_month
) -> None:
    client.force_login(secretary_user)
    client.post(url(committee, open_month), form_data(action="submit"))
    first = get_update(committee, open_month).first_submitted_at

    client.force_login(town_user)
    client.post(url(committee, open_month, "monthly_review"), {"decision": "accept"})
    update = get_update(committee, open_month)
    assert (update.status, update.reviewed_by) == (Status.ACCEPTED, town_user)

    client.force_login(department_user)
    no_reason = client.post(url(committee, open_month, "monthly_review"), {"decision": "return"})
    assert "请写明退回原因" in no_reason.content.decode()
    assert get_update(committee, open_month).status == Status.ACCEPTED
    client.post(
        url(committee, open_month, "monthly_review"),
        {"decision": "return", "note": "投入资金与项目台账不一致"},
    )
    assert get_update(committee, open_month).status == Status.RETURNED

    client.force_login(secretary_user)
    home = client.get(reverse("home")).content.decode()
    assert "投入资金与项目台账不一致" in home
    page = client.get(url(committee, open_month))
    assert "退回原因" in page.content.decode()
    assert page.context["form"] is not None
    version = page.context["version"]
    client.post(
        url(committee, open_month),
        form_data(action="submit", version=version, investment_yuan="8000"),
    )
    update = get_update(committee, open_month)
    assert update.status == Status.SUBMITTED
    assert update.first_submitted_at == first < update.submitted_at
    assert str(update.investment_yuan) == "8000.00"
    assert update.return_reason == "投入资金与项目台账不一致"


def test_who_may_move_an_update(
    client, secretary_user, town_user, department_user, inspector_user, committee, open_month
) -> None:
    update = MonthlyUpdateFactory(committee=committee, period=open_month)
    review = url(committee, open_month, "monthly_review")
    client.force_login(secretary_user)
    assert client.post(review, {"decision": "accept"}).status_code == 403
    client.force_login(inspector_user)
    assert client.get(url(committee, open_month)).status_code == 403
    assert client.post(review, {"decision": "accept"}).status_code == 403
    # Reviewers never write what they review.
    client.force_login(department_user)
    assert client.post(url(committee, open_month), form_data(version=1)).status_code == 403
    other_town = user_create(username="town2", role=Role.TOWN, password=PASSWORD,
                             towns=[MonthlyUpdateFactory.create().committee.town])
    client.force_login(other_town)
    assert client.post(review, {"decision": "accept"}).status_code == 404
    update.refresh_from_db()
    assert update.status == Status.SUBMITTED


def test_only_submitted_updates_can_be_accepted(department_user, committee, open_month) -> None:
    draft = MonthlyUpdateFactory(committee=committee, period=open_month, status=Status.DRAFT)
    with pytest.raises(ValidationError, match="只能审核已报送的报告"):
        services.update_accept(update=draft, user=department_user)
    with pytest.raises(ValidationError, match="只能退回已报送或已通过的报告"):
        services.update_return(update=draft, user=department_user, reason="内容不全需补充")


def test_locked_month_says_why_and_opens_when_the_department_grants(
    client, secretary_user, town_user, department_user, committee, locked_month
) -> None:
    client.force_login(secretary_user)
    page = client.get(url(committee, locked_month)).content.decode()
    lock = rules.lock_date(locked_month).isoformat()
    assert f"本月报告已于{lock}锁定；如需修改请提交重新开放申请。" in page
    assert url(committee, locked_month, "monthly_reopen_request") in page
    refused = client.post(url(committee, locked_month), form_data(action="submit"))
    assert refused.status_code == 302
    assert not MonthlyUpdate.objects.exists()

    client.post(url(committee, locked_month, "monthly_reopen_request"), {"reason": "书记住院"})
    request = ReopenRequest.objects.get()
    assert (request.status, request.requested_by) == (ReopenRequest.Status.PENDING, secretary_user)
    assert "正等待组织部处理" in client.get(url(committee, locked_month)).content.decode()

    decide = url(committee, locked_month, "monthly_reopen_decide")
    client.force_login(town_user)
    assert client.post(decide, {"decision": "grant"}).status_code == 403
    client.force_login(department_user)
    client.post(decide, {"decision": "grant", "note": ""})
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (ReopenRequest.Status.GRANTED, department_user)

    client.force_login(secretary_user)
    client.post(url(committee, locked_month), form_data(action="submit"))
    update = get_update(committee, locked_month)
    assert update.status == Status.SUBMITTED
    state = client.get(url(committee, locked_month)).context["state"]
    assert state.filing == Filing.LATE


def test_refusing_a_reopen_needs_a_note_the_secretary_sees(
    client, secretary_user, department_user, committee, locked_month
) -> None:
    ReopenRequest.objects.create(
        committee=committee, period=locked_month, reason="忘记报送", requested_by=secretary_user
    )
    decide = url(committee, locked_month, "monthly_reopen_decide")
    client.force_login(department_user)
    bare = client.post(decide, {"decision": "refuse", "note": ""})
    assert "不同意时请写明理由" in bare.content.decode()
    client.post(decide, {"decision": "refuse", "note": "已超过补报期限三个月"})
    assert ReopenRequest.objects.get().status == ReopenRequest.Status.REFUSED
    client.force_login(secretary_user)
    assert "已超过补报期限三个月" in client.get(url(committee, locked_month)).content.decode()
    assert "已超过补报期限三个月" in client.get(reverse("home")).content.decode()


def test_reopen_is_only_for_locked_months(secretary_user, committee, open_month) -> None:
    with pytest.raises(ValidationError, match="没有锁定"):
        services.reopen_request_create(
            committee=committee, period=open_month, user=secretary_user, reason="想改一下"
        )


@pytest.fixture
def two_secretaries(secretary_user, committee):
    second = user_create(username="deputy", role=Role.SECRETARY, password=PASSWORD,
                         committees=[committee])
    return secretary_user, second


@pytest.mark.parametrize("existing", [False, True])
def test_second_save_from_an_old_version_is_refused_and_keeps_the_text(
    client_factory, two_secretaries, committee, open_month, existing
) -> None:
    first, second = (client_factory(user) for user in two_secretaries)
    if existing:
        first.post(url(committee, open_month), form_data(summary="最初的草稿"))
    opened = {c: c.get(url(committee, open_month)).context["version"] for c in (first, second)}
    assert opened[first] == opened[second]

    first.post(url(committee, open_month), form_data(version=opened[first], summary="甲写的小结"))
    response = second.post(
        url(committee, open_month),
        form_data(version=opened[second], summary="乙写的小结，一个字也不能丢", pairings="11"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "保存未成功：secretary已于" in body
    assert "您填写的内容仍保留在下方" in body
    form = response.context["form"]
    assert form["summary"].value() == "乙写的小结，一个字也不能丢"
    assert form["pairings"].value() == "11"
    assert response.context["conflict"].summary == "甲写的小结"
    assert get_update(committee, open_month).summary == "甲写的小结"

    # Having seen both, the second writer may save on purpose over the newer version.
    second.post(url(committee, open_month),
                form_data(version=response.context["version"], summary="乙对照后的小结"))
    assert get_update(committee, open_month).summary == "乙对照后的小结"


@pytest.fixture
def client_factory(db):
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _zip_named(name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, "x")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("病毒.exe", b"MZ\x90\x00", "类型不允许上传"),
        ("照片.pdf", PNG_BYTES, "内容不是 pdf 文件"),
        ("照片.png", b"GIF89a" + b"\x00" * 20, "内容不是 png 文件"),
        ("表格.xlsx", _docx(), "内容不是 xlsx 文件"),
        ("文档.docx", _zip_named("other.txt"), "内容不是 docx 文件"),
        ("空.pdf", b"", "所提交的是空文件"),
    ],
)
def test_attachments_are_refused_by_type_and_content(
    client, secretary_user, committee, open_month, name, content, message
) -> None:
    client.force_login(secretary_user)
    response = client.post(
        url(committee, open_month),
        {**form_data(), "attachments": SimpleUploadedFile(name, content)},
    )
    assert message in " ".join(response.context["form"].errors["attachments"])
    assert not MonthlyUpdate.objects.exists()


def test_attachments_over_the_size_limit_are_refused(
    client, secretary_user, committee, open_month, settings
) -> None:
    settings.MONTHLY_ATTACHMENT_MAX_BYTES = 100
    client.force_login(secretary_user)
    big = SimpleUploadedFile("大图.png", PNG_BYTES + b"\x00" * 100)
    response = client.post(url(committee, open_month), {**form_data(), "attachments": big})
    errors = response.context["form"].errors["attachments"]
    assert "有172\xa0字节，超过了100\xa0字节的上限" in errors[0]


def test_good_attachments_are_kept_served_and_deleted(
    client, secretary_user, department_user, committee, open_month
) -> None:
    client.force_login(secretary_user)
    files = [SimpleUploadedFile("活动照片.png", PNG_BYTES),
             SimpleUploadedFile("会议记录.docx", _docx()),
             SimpleUploadedFile("台账.pdf", PDF_BYTES)]
    client.post(url(committee, open_month), {**form_data(), "attachments": files})
    update = get_update(committee, open_month)
    assert sorted(update.attachments.values_list("name", "kind")) == [
        ("会议记录.docx", "docx"), ("台账.pdf", "pdf"), ("活动照片.png", "png")]
    photo = update.attachments.get(kind="png")
    client.force_login(department_user)
    served = client.get(url(committee, open_month, "monthly_attachment", photo.pk))
    assert b"".join(served.streaming_content) == PNG_BYTES
    client.force_login(secretary_user)
    delete = url(committee, open_month, "monthly_attachment_delete", photo.pk)
    assert "确认删除附件「活动照片.png」" in client.get(delete).content.decode()
    client.post(delete)
    assert update.attachments.count() == 2


def test_new_draft_is_prefilled_from_records_and_says_so(
    client, secretary_user, committee, open_month, monkeypatch
) -> None:
    def records(ids, period):
        assert period == open_month
        return {committee.pk: {"secondments": 3, "pairings": 12}}

    monkeypatch.setattr(selectors, "month_prefill", records)
    client.force_login(secretary_user)
    page = client.get(url(committee, open_month))
    form = page.context["form"]
    assert (form["secondments"].value(), form["pairings"].value()) == (3, 12)
    assert form["activities"].value() == 0
    body = page.content.decode()
    assert "据帮扶记录预填，请核对" in body
    assert "据帮扶记录预填，请核对（记录为 12）" in body
    # The secretary corrects a figure; the saved figure wins over the records afterwards.
    client.post(url(committee, open_month), form_data(pairings="10"))
    again = client.get(url(committee, open_month)).context["form"]
    assert again["pairings"].value() == 10
