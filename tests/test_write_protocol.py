"""One write protocol for every page (STYLE.md, "One write path").

The URL configuration is walked: every page either writes, and then has a row in `WRITES`
and is posted valid data while the database refuses every write, or it is listed in
`NO_WRITES` and a POST to it must not try to write at all. A new writing page without a row
fails `test_every_url_is_classified` or `test_pages_said_not_to_write_do_not`.

A refused write must answer with a Chinese message, keep what the user typed on a form page,
and change no row.
"""

import datetime
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone

from branches.models import Branch
from evaluations.inspections.models import InspectionCriterion
from tests.conftest import PASSWORD
from tests.factories import MemberFactory, ResidentsFactory, VillageFactory
from tests.factories_aid import ActivityFactory
from tests.matrix import Side, site_urls, url_kwargs
from tests.page_forms import post_forms

REFUSED = "数据库暂时无法保存"
TYPED = "刚刚输入的内容甲"

# Pages the walk leaves out, and why.
EXCLUDED_PREFIXES = (
    # The import pages hold the user's file in a staged import and have their own refusal
    # handling and tests (tests/test_exchange_*.py); the exports and report listings only read.
    "exchange_", "export_", "listing_",
)


@dataclass(frozen=True)
class Write:
    """How a writing page is tried: who posts, on which side's object; `prepare` puts the
    objects in the state the page writes from (before the page is fetched); `data` changes
    what the page's form shows (given the sides and the fields found); `form` says whether
    the page shows the input again or is a button that answers with a message and a redirect;
    `typed` must be on the page again."""

    role: str = "department"
    data: Callable[[dict[str, Side], dict[str, Any]], dict[str, Any]] = field(
        default=lambda found, fields: {})
    form: bool = True
    typed: str = TYPED
    side: str = "own"
    prepare: Callable[[dict[str, Side]], None] = field(default=lambda found: None)
    url: Callable[[dict[str, Side]], dict[str, Any]] = field(default=lambda found: {})


def _issuing() -> None:
    from reports.bulletins.models import BulletinSettings

    BulletinSettings.objects.create(
        heading="简报", issuing_body="组织部", short_name="诸组通", recipients="各镇街",
        printed_by="办公室")


def _today() -> str:
    return timezone.localdate().isoformat()


def _free_villages(found: dict[str, Side]) -> list[Branch]:
    return VillageFactory.create_batch(2, town=found["own"].committee.town)


def _new_committee(found: dict[str, Side], fields: dict[str, Any]) -> dict[str, Any]:
    villages = _free_villages(found)
    return {"code": "W-NEW", "name": TYPED, "urban": ResidentsFactory(
        town=found["own"].committee.town).pk, "villages": [v.pk for v in villages],
        "formation": "assigned", "established_on": "2025-01-01"}


def _proposal(found: dict[str, Side], fields: dict[str, Any]) -> dict[str, Any]:
    villages = _free_villages(found)
    urban = ResidentsFactory(town=found["own"].committee.town)
    return {"urban": urban.code, "villages": ";".join(v.code for v in villages),
            "code": "W-PROP", "name": TYPED}


def _third_village(found: dict[str, Side]) -> None:
    """A committee keeps two villages at least: give it a third to let one leave."""
    from twinning.committees.services import committee_add_village

    committee = found["own"].committee
    committee_add_village(committee=committee, village=VillageFactory(town=committee.town),
                          joined_on=committee.established_on)


def _returned(found: dict[str, Side]) -> None:
    """The secretary may change a month's update again once it was sent back."""
    from twinning.monthly.services import update_return

    update_return(update=found["own"].update, user=None, reason="请补充会议记录")


def _answered(found: dict[str, Side]) -> None:
    """The committee answered the action item: the department may send the answer back."""
    from twinning.meetings.services import action_item_answer

    action_item_answer(item=found["own"].records["action_item"], answer="已办理")


def _locked_month(found: dict[str, Side]) -> dict[str, Any]:
    """A month long locked, with no update and no request: the secretary may ask to reopen."""
    return {"period": datetime.date(2024, 6, 1)}


def _closed_round(found: dict[str, Side]) -> None:
    from evaluations.assessments.services import assessment_round_close

    round_ = assessment_round_close(round_=found["own"].assessment_round, user=None)
    round_.assessments.update(outstanding=True)


def _adjusted(found: dict[str, Side], fields: dict[str, Any]) -> dict[str, Any]:
    final = next(key for key in fields if key.endswith("-final"))
    return {final: "1.0", final.replace("-final", "-reason"): TYPED}


def _scores() -> dict[str, str]:
    return {f"score_{c.pk}": "1" for c in InspectionCriterion.objects.filter(active=True)}


def _sheet(found: dict[str, Side], fields: dict[str, Any]) -> dict[str, Any]:
    review = found["own"].review
    return {f"r{review.pk}-rating": "qualified", f"r{review.pk}-basis": TYPED}


WRITES: dict[str, Write] = {
    "committee_create": Write(data=_new_committee),
    "committee_edit": Write(data=lambda found, fields: {"name": TYPED}),
    "committee_add_village": Write(data=lambda found, fields: {"village": VillageFactory(
        town=found["own"].committee.town).pk, "joined_on": _today()}, typed=""),
    "committee_remove_village": Write(prepare=_third_village, data=lambda found, fields: {
        "reason": TYPED, "date": _today()}),
    "committee_dissolve": Write(data=lambda found, fields: {"reason": TYPED, "date": _today()}),
    "branch_create": Write(data=lambda found, fields: {
        "code": "W-BR", "name": TYPED, "kind": "village",
        "town": found["own"].committee.town_id}),
    "branch_edit": Write(data=lambda found, fields: {"name": TYPED}),
    "member_create": Write(data=lambda found, fields: {
        "branch": found["own"].committee.memberships.first().village_id, "name": TYPED,
        "role": "member", "joined_on": "2010-07-01"}),
    "member_edit": Write(data=lambda found, fields: {"name": TYPED}),
    "monthly_update": Write(role="secretary", prepare=_returned,
                            data=lambda found, fields: {"summary": TYPED}),
    "monthly_review": Write(data=lambda found, fields: {"decision": "return", "note": TYPED}),
    "monthly_reopen_request": Write(role="secretary", url=_locked_month,
                                    data=lambda found, fields: {"reason": TYPED}),
    "monthly_queue": Write(data=lambda found, fields: {
        "action": "return", "ids": [found["own"].update.pk], "reason": TYPED}),
    "monthly_reopen_decide": Write(data=lambda found, fields: {
        "decision": "refuse", "note": TYPED}),
    "monthly_attachment_delete": Write(role="secretary", prepare=_returned, typed=""),
    "monthly_nudge": Write(form=False, prepare=_returned),
    "monthly_nudge_one": Write(form=False, prepare=_returned),
    "record_create": Write(data=lambda found, fields: {"title": TYPED, "year": 2025}),
    "project_record_create": Write(data=lambda found, fields: {
        "note": TYPED, "reported_on": _today()}),
    "record_edit": Write(data=lambda found, fields: {"position": TYPED}),
    "record_delete": Write(form=False),
    "meeting_create": Write(data=lambda found, fields: {
        "topics": TYPED, "attendees": "组织部", "decisions": "抓落实"}),
    "meeting_edit": Write(data=lambda found, fields: {"topics": TYPED}),
    "action_item_done": Write(data=lambda found, fields: {"result": TYPED}),
    "action_item_answer": Write(role="secretary", data=lambda found, fields: {"answer": TYPED}),
    "action_item_return": Write(prepare=_answered, data=lambda found, fields: {"reason": TYPED}),
    "advisor": Write(typed=""),
    "advisor_rules": Write(form=False, data=lambda found, fields: {
        "urban": found["own"].committee.urban.code,
        "village": VillageFactory(town=found["own"].committee.town).code, "kind": "forbid"}),
    "advisor_accept": Write(form=False, data=_proposal),
    "advisor_reject": Write(form=False, data=_proposal),
    "warning_settings": Write(typed=""),
    "inspection_create": Write(data=lambda found, fields: {
        "committee": found["own"].committee.pk, "team": "张督查", "findings": TYPED,
        **_scores()}),
    "inspection_edit": Write(data=lambda found, fields: {"findings": TYPED}),
    "inspection_rubric": Write(data=lambda found, fields: {"criteria-0-name": TYPED}),
    "rectification_submit": Write(data=lambda found, fields: {"evidence": TYPED}),
    "rectification_review": Write(data=lambda found, fields: {
        "decision": "return", "note": TYPED}),
    "review_round_create": Write(data=lambda found, fields: {
        "year": 2025, "half": "first"}, typed="2025"),
    "review_round_edit": Write(typed=""),
    "review_round_close": Write(form=False),
    "review_round_roster": Write(form=False, prepare=lambda found: MemberFactory(
        branch=found["own"].committee.memberships.first().village)),
    "review_sheet": Write(data=_sheet, form=False),
    "help_assign": Write(data=lambda found, fields: {"plan": TYPED}),
    "help_detail": Write(data=lambda found, fields: {"note": TYPED}),
    "help_close": Write(data=lambda found, fields: {"outcome": TYPED}),
    "assessment_round_create": Write(typed=""),
    "assessment_round_edit": Write(typed=""),
    "assessment_round_close": Write(form=False),
    "assessment_generate": Write(form=False),
    "assessment_adjust": Write(data=_adjusted),
    "assessment_commend": Write(prepare=_closed_round, data=lambda found, fields: {
        "assessment": found["own"].assessment_round.assessments.first().pk, "reward": TYPED}),
    "bulletin_build": Write(form=False, data=lambda found, fields: {"period": "2025-03"}),
    "bulletin_publish": Write(side="other", typed="", prepare=lambda found: _issuing()),
    "bulletin_text": Write(data=lambda found, fields: {"next_steps": TYPED}),
    "bulletin_settings": Write(data=lambda found, fields: {
        "heading": TYPED, "issuing_body": "组织部", "short_name": "诸组通",
        "recipients": "各镇街", "printed_by": "办公室"}),
    "case_list": Write(form=False, data=lambda found, fields: {
        "kind": "activity", "pk": ActivityFactory(
            committee=found["own"].committee, held_on=found["own"].update.period).pk}),
    "case_edit": Write(data=lambda found, fields: {"title": TYPED}),
    "case_remove": Write(form=False),
    "notification_list": Write(form=False, role="secretary"),
    "account_create": Write(data=lambda found, fields: {
        "username": "w-new", "full_name": TYPED, "role": "leader"}),
    "account_edit": Write(data=lambda found, fields: {"full_name": TYPED}),
    "account_active": Write(form=False),
    "account_link_issue": Write(form=False),
    "account_second_factor_reset": Write(form=False),
    "password_change": Write(typed="", data=lambda found, fields: {
        "old_password": PASSWORD, "new_password1": "Another-pass-2026",
        "new_password2": "Another-pass-2026"}),
    "second_factor_setup": Write(data=lambda found, fields: {"token": "123456"}, typed=""),
    "second_factor_verify": Write(data=lambda found, fields: {"token": "123456"}, typed=""),
    "second_factor_off": Write(form=False, role="secretary"),
    "recovery_codes_renew": Write(form=False),
    "reminder_settings": Write(data=lambda found, fields: {"phone": "13800138000"},
                               typed="13800138000"),
}

# Pages that only read: a POST to them writes nothing (most answer 405).
NO_WRITES = {
    "home", "committee_list", "committee_detail", "branch_list", "branch_detail",
    "member_list", "member_detail", "monthly_completeness", "monthly_committee", "monthly_mine",
    "monthly_attachment", "outcomes_citywide", "project_list", "project_detail",
    "committee_outcomes", "committee_records", "meeting_list", "action_item_list",
    "meeting_detail", "warning_list", "assessment_round_list", "assessment_round_detail",
    "assessment_detail", "review_round_list", "review_round_detail", "review_round_table",
    "help_list", "inspection_list", "inspection_detail", "rectification_list",
    "rectification_detail", "rectification_file", "bulletin_list", "bulletin_detail",
    "bulletin_status", "bulletin_pdf", "bulletin_docx", "dashboard", "personal_data_log",
    "pick_village", "pick_urban_branch", "pick_inspection_committee", "pick_offer_town",
    "committee_pick_village", "pick_funder", "pick_member_branch",
    "pick_account_committee", "pick_action_item_committee", "meeting_pick_committee",
    "bulletin_annex",
    "my_account", "account_list", "account_detail",
}
UNCOUNTED_TABLES = ("django_session", "twinning_personaldataaccess")
WRITE_STATEMENT = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def _walked() -> list[str]:
    return [name for name, _ in site_urls() if not name.startswith(EXCLUDED_PREFIXES)]


def test_every_url_is_classified() -> None:
    """Admin, login, logout and set_language are Django's own (site_urls leaves them out)."""
    walked = set(_walked())
    assert sorted(walked - WRITES.keys() - NO_WRITES) == []
    assert sorted((WRITES.keys() | NO_WRITES) - walked) == []
    assert WRITES.keys() & NO_WRITES == set()


def _post_forms(body: str, url: str) -> list[dict[str, list[str]]]:
    """The page's forms that post to itself, as a user submits them without pressing a
    particular button; a select with nothing chosen takes its first real choice."""
    found = []
    for form in post_forms(body):
        if form.action not in ("", url):
            continue
        data = form.data()
        for name, f in form.fields.items():
            if f.kind == "select" and not f.chosen:
                data[name] = [o for o in f.options if o][:1]
        # A formset's row template (prefix `__prefix__`) is copied by script, never sent as is.
        found.append({k: v for k, v in data.items()
                      if "__prefix__" not in k and form.fields[k].kind != "submit"})
    return found


@contextmanager
def _writes(refuse: bool) -> Iterator[list[str]]:
    """Every write statement the pages try; refused like a read-only database if `refuse`.

    The session table is left alone: the test client's login lives there, and a session
    store is the middleware's business, not the page's write. So is the record of
    personal-data reads, which a reading page writes by design (twinning.shared.audit).
    """
    tried: list[str] = []

    def wrapper(execute, sql, params, many, context):
        if WRITE_STATEMENT.match(sql) and not any(t in sql for t in UNCOUNTED_TABLES):
            tried.append(sql)
            if refuse:
                raise OperationalError("cannot execute statement in a read-only transaction")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield tried


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for app in ("branches", "twinning", "evaluations", "reports")
        for model in apps.get_app_config(app).get_models()
        if model._meta.db_table not in UNCOUNTED_TABLES
    }


def _url(name: str, found: dict[str, Side], side: str = "own", **changed: Any) -> str:
    return reverse(name, kwargs={**url_kwargs(dict(site_urls())[name], found[side]), **changed})


@pytest.mark.parametrize("name", sorted(WRITES))
def test_a_refused_write_keeps_the_input_and_says_so(
    client, personas, sides, name  # noqa: F811 (the fixtures imported above)
) -> None:
    case = WRITES[name]
    case.prepare(sides)
    url = _url(name, sides, case.side, **case.url(sides))
    client.force_login(personas[case.role])
    data: dict[str, Any] = {}
    if case.form or name == "review_sheet":
        page = client.get(url)
        assert page.status_code == 200, page.status_code
        forms = _post_forms(page.content.decode(), url)
        assert forms, "the page shows no form posting to itself"
        # The one-time token is left out: its store is tried in tests/test_double_submit.py.
        data = {k: v for k, v in forms[0].items() if k not in ("csrfmiddlewaretoken", "once")}
    data.update(case.data(sides, data))
    before = _row_counts()
    with _writes(refuse=True) as tried:
        response = client.post(url, data)
    assert response.status_code != 500
    errors = [form.errors for form in (response.context or {}).get("form", None) or []] if (
        response.context and "form" in response.context) else None
    assert tried, f"the POST never reached a write ({response.status_code}, {errors}, {data})"
    if case.form:
        body = response.content.decode()
        assert response.status_code == 200, response.status_code
        assert REFUSED in body
        if case.typed:
            assert case.typed in body
    else:
        assert response.status_code == 302, response.status_code
        shown = [str(m) for m in response.wsgi_request._messages]
        assert any(REFUSED in m for m in shown), shown
    assert _row_counts() == before


@pytest.mark.parametrize("name", sorted(NO_WRITES))
def test_pages_said_not_to_write_do_not(
    client, personas, sides, name  # noqa: F811 (the fixtures imported above)
) -> None:
    """Neither the department nor a secretary finds a form posting to the page, and a POST
    to it writes nothing."""
    url = _url(name, sides)
    for role in ("department", "secretary"):
        client.force_login(personas[role])
        page = client.get(url)
        if page.streaming:
            b"".join(page.streaming_content)
        elif page.status_code == 200:
            assert _post_forms(page.content.decode(), url) == [], role
        with _writes(refuse=False) as tried:
            response = client.post(url, {"name": TYPED})
        if response.streaming:
            b"".join(response.streaming_content)
        assert response.status_code != 500
        assert tried == [], (role, tried)
