"""Uploads kept between preview and confirmation: bound to their user and session, kept for a
retry when the database refuses, read within limits, and read in the encoding they were saved in."""

import io
import itertools
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from branches.models import Branch
from tests.exchange_helpers import csv_bytes, xlsx_bytes
from twinning.shared.exchange import FileProblem, import_file
from twinning.shared.exchange.files import _table
from twinning.shared.models import ImportRecord

pytestmark = pytest.mark.django_db

HEADER = ["编码", "名称", "类型", "所在镇街", "薄弱村"]
GONE = "这次上传已过期或不存在，请重新上传文件。"


def _upload(client, kind: str, rows, name: str = "上传.csv", data: bytes | None = None):
    content = csv_bytes(rows) if data is None else data
    return client.post(reverse("exchange_import"), {
        "kind": kind, "file": SimpleUploadedFile(name, content)})


@pytest.fixture
def kept_dir(settings, tmp_path: Path) -> Path:
    """Kept uploads on disk, as in production, in a folder with a neighbour file outside it."""
    folder = tmp_path / "imports"
    folder.mkdir()
    (tmp_path / "outside.txt").write_text("not an upload")
    settings.STORAGES = {
        **settings.STORAGES,
        "exchange": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                     "OPTIONS": {"location": str(folder)}},
    }
    return folder


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("token", [
    ".", "..", "../outside.txt", "/etc/passwd", "a/b", "", "x" * 32 + "/..", "é" * 32,
    "A" * 32, "A" * 5000,
])
def test_an_odd_confirmation_token_answers_400_and_touches_no_file(
    client, department_user, town, kept_dir: Path, token: str
) -> None:
    client.force_login(department_user)
    kept = _upload(client, "branches", [HEADER, ["V-1", "一村", "村", town.code, "是"]])
    assert kept.context["token"]
    before = _snapshot(kept_dir.parent)
    response = client.post(reverse("exchange_confirm"), {"token": token})
    assert response.status_code == 400
    assert GONE in response.content.decode()
    assert _snapshot(kept_dir.parent) == before
    assert not Branch.objects.exists()


def test_another_sessions_token_answers_400_and_leaves_its_file(
    client, department_user, town_user, town, kept_dir: Path
) -> None:
    client.force_login(department_user)
    token = _upload(client, "branches", [HEADER, ["V-1", "一村", "村", town.code, "是"]]
                    ).context["token"]
    assert (kept_dir / token).exists()
    client.force_login(town_user)  # another user in another session
    response = client.post(reverse("exchange_confirm"), {"token": token})
    assert response.status_code == 400 and GONE in response.content.decode()
    assert (kept_dir / token).exists()
    assert not Branch.objects.exists()


def test_a_token_is_bound_to_the_user_who_uploaded_it(
    client, department_user, town, kept_dir: Path
) -> None:
    from django.contrib.auth.models import User

    client.force_login(department_user)
    token = _upload(client, "branches", [HEADER, ["V-1", "一村", "村", town.code, "是"]]
                    ).context["token"]
    session = client.session
    uploads = session["exchange_uploads"]
    # The same session now carried by someone else (a session fixation): still refused.
    other = User.objects.create_user("someone")
    uploads[token]["user"] = other.pk
    session["exchange_uploads"] = uploads
    session.save()
    response = client.post(reverse("exchange_confirm"), {"token": token})
    assert response.status_code == 400
    assert (kept_dir / token).exists()
    assert not ImportRecord.objects.filter(dry_run=False).exists()


# Limits while reading


def _refusal(name: str, data: bytes) -> list[str]:
    report = import_file("branches", name, data, user=None, dry_run=True)
    assert not report.ok and report.rows == 0
    return [str(problem.message) for problem in report.problems]


def _bomb(data_rows: int, cells: int = 10) -> bytes:
    """An .xlsx whose first sheet repeats one row: tiny packed, large unpacked."""
    sheet = io.BytesIO()
    row = "<row>" + "<c t=\"inlineStr\"><is><t>重复内容</t></is></c>" * cells + "</row>"
    sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
    sheet.write(row.encode() * data_rows)
    sheet.write(b"</sheetData></worksheet>")
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["编码"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = sheet.getvalue()
            archive.writestr(info.filename, content)
    return out.getvalue()


def test_a_small_xlsx_that_unpacks_past_the_limit_is_refused_before_it_is_parsed(
    settings
) -> None:
    data = _bomb(data_rows=200_000)
    assert len(data) < 1024 * 1024
    assert _refusal("bomb.xlsx", data) == [
        "文件解压后有 95.6 MB，超过 64 MB 的上限，无法导入；"
        "请删除多余的工作表、格式和空行，或分成几个文件导入。"]


def test_an_xlsx_of_repeated_filler_under_the_size_limit_is_refused_before_it_is_parsed() -> None:
    data = _bomb(data_rows=20_000)
    assert _refusal("filler.xlsx", data) == [
        f"文件中的“xl/worksheets/sheet1.xml”解压后是压缩时的 {_ratio(data)} 倍（上限 100 倍），"
        "不像正常的表格，无法导入。"]


def _ratio(data: bytes) -> int:
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size > 9 * 1024 * 1024 and info.file_size > 100 * info.compress_size
    return info.file_size // info.compress_size


def test_an_xlsx_with_more_rows_than_the_limit_is_refused(settings) -> None:
    settings.IMPORT_MAX_ROWS = 1000
    rows = [HEADER, *([f"V-{n}", f"{n}村", "村", "T-1", "是"] for n in range(1001))]
    assert _refusal("rows.xlsx", xlsx_bytes(rows)) == [
        "数据行超过上限 1000 行，请分成几个文件导入。"]


def test_rows_are_read_one_at_a_time_and_reading_stops_at_the_limit(settings) -> None:
    # An endless source of rows ends in a refusal: nothing past the limit is ever read.
    settings.IMPORT_MAX_ROWS = 10
    with pytest.raises(FileProblem, match="数据行超过上限 10 行"):
        _table(itertools.repeat(["a", "b"]))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_sheet_wider_than_the_limit_is_refused(fmt: str) -> None:
    rows = [HEADER, ["V-1", "一村", "村", "T-1", "是", *(["x"] * 70)]]
    data = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    assert _refusal(f"wide.{fmt}", data) == ["第2行超过 64 列的上限，请检查文件。"]


def test_empty_cells_right_of_the_limit_are_no_reason_to_refuse(town) -> None:
    # Spreadsheets pad rows with empty cells up to their formatted width.
    data = csv_bytes([HEADER + [""] * 80, ["V-1", "一村", "村", town.code, "是", *[""] * 80]])
    report = import_file("branches", "padded.csv", data, user=None, dry_run=True)
    assert report.ok and report.created == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_cell_longer_than_the_limit_is_refused(fmt: str) -> None:
    rows = [HEADER, ["V-1", "村" * 10_001, "村", "T-1", "是"]]
    data = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    assert _refusal(f"long.{fmt}", data) == [
        "第2行有单元格超过 10000 个字符的上限，请检查文件。"]


def test_a_csv_cell_past_the_parsers_own_limit_is_refused_by_the_same_rule() -> None:
    data = csv_bytes([HEADER, ["V-1", "a" * 200_000, "村", "T-1", "是"]])
    assert _refusal("huge.csv", data) == ["有单元格超过 10000 个字符的上限，请检查文件。"]


def test_a_csv_of_tiny_rows_past_the_limit_is_refused(settings) -> None:
    settings.IMPORT_MAX_ROWS = 100
    data = "编码\n".encode() + b"1\n" * 5000
    assert _refusal("tiny.csv", data) == ["数据行超过上限 100 行，请分成几个文件导入。"]


# A database that refuses the confirmation


def test_a_database_refusal_at_confirmation_keeps_the_file_and_records_why(
    client, department_user, town, monkeypatch
) -> None:
    from django.core.files.storage import storages
    from django.db import OperationalError

    import branches.services

    client.force_login(department_user)
    token = _upload(client, "branches", [HEADER, ["V-1", "一村", "村", town.code, "是"]]
                    ).context["token"]

    def refuse(**kwargs) -> None:
        raise OperationalError("could not obtain lock on relation branches_branch")

    monkeypatch.setattr(branches.services, "branch_bulk_save", refuse)
    response = client.post(reverse("exchange_confirm"), {"token": token})
    assert response.status_code == 200
    body = response.content.decode()
    assert "数据库暂时无法写入，本次没有写入任何数据。文件已保留，请稍后再点“确认导入”。" in body
    assert "确认导入（1 条变化）" in body and response.context["token"] == token
    assert "写入失败，可重试" in body  # the history line
    record = ImportRecord.objects.get(dry_run=False)
    assert (record.status, record.created, record.errors) == ("failed", 1, 0)
    assert record.last_error == (
        "OperationalError: could not obtain lock on relation branches_branch")
    assert storages["exchange"].exists(token)
    assert not Branch.objects.exists()

    monkeypatch.undo()
    again = client.post(reverse("exchange_confirm"), {"token": token})
    assert again.status_code == 302
    assert Branch.objects.get().code == "V-1"
    assert not storages["exchange"].exists(token)
    assert list(ImportRecord.objects.filter(dry_run=False).values_list("status", flat=True)
                ) == ["ok", "failed"]


# Encodings


def test_a_latin1_csv_that_also_decodes_as_gb18030_is_read_as_western_with_a_warning(
    client, department_user
) -> None:
    data = csv_bytes([["code", "name", "kind", "secretary"],
                      ["E-1", "Müller Bäckerei GmbH", "enterprise", "Jürgen Müller"]], "latin-1")
    assert data.decode("gb18030")  # the trap: it decodes, as "M黮ler B鋍kerei"
    client.force_login(department_user)
    response = _upload(client, "branches", None, "latin.csv", data)
    report = response.context["report"]
    assert report.ok and report.created == 1
    change = report.changes[0]
    assert ("名称", "", "Müller Bäckerei GmbH") in change.cells
    assert ("书记", "", "Jürgen Müller") in change.cells
    note = ("文件不是 UTF-8 编码，看起来是西文编码（Windows-1252/Latin-1），已按西文读取"
            "（例如「E-1,Müller」）。请核对下面的内容；如有乱码，请在 Excel 中另存为"
            "“CSV UTF-8（逗号分隔）”后重新上传。")
    assert report.notes == [note]
    assert note in response.content.decode()


def test_a_gb18030_chinese_csv_is_read_without_a_warning(town) -> None:
    rows = [HEADER, ["V-1", "后黄疃村", "村", town.code, "是"],
            ["V-2", "都吉台村", "村", town.code, "否"]]
    report = import_file("branches", "gb.csv", csv_bytes(rows, "gb18030"), user=None,
                         dry_run=False)
    assert report.ok and report.notes == [] and report.written
    assert set(Branch.objects.values_list("name", flat=True)) == {"后黄疃村", "都吉台村"}


def test_a_csv_that_is_neither_clearly_chinese_nor_clearly_western_is_refused() -> None:
    # Half real Chinese, half Latin letters that GB18030 turns into rare characters.
    data = "编码,名称\nV-1,北朱解村\n".encode("gb18030") + "V-2,Müller\n".encode("latin-1")
    assert _refusal("mixed.csv", data) == [
        "无法确定文件编码：按中文（GB18030）读出的文字有一部分不像中文，例如「V-2,M黮ler」。"
        "请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后再上传。"]


# Imports run by a worker, with a progress page


@pytest.fixture
def with_worker(settings) -> Iterator[None]:
    """The production shape: the pages queue imports for a worker instead of running them.
    Celery itself stays eager, so running a captured dispatch is the worker running it."""
    from twinning.celery import app

    # Read before the Django setting changes: Celery loads its configuration from the Django
    # settings when first read. Put back by hand: monkeypatch would delete the key on undo,
    # and Celery would fall back to its own default (not eager) for every later test.
    saved = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


def _status(client, record: ImportRecord) -> dict:
    response = client.get(reverse("exchange_progress_status"), {"record": record.pk})
    assert response.status_code == 200
    return response.json()


def test_a_queued_check_and_confirmation_show_progress_then_the_result(
    client, department_user, town, with_worker, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    from django.core.files.storage import storages

    import twinning.shared.exchange.resources as resources
    import twinning.shared.exchange.services as services

    seen: list[dict] = []
    report_progress = services._progress

    def spy(record, **counts) -> None:
        seen.append(counts)
        report_progress(record, **counts)

    monkeypatch.setattr(resources, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(services, "_progress", spy)
    client.force_login(department_user)
    rows = [HEADER, *([f"V-{n}", f"{n}村", "村", town.code, "是"] for n in range(3))]
    with django_capture_on_commit_callbacks() as sent:
        response = _upload(client, "branches", rows)
    record = ImportRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('exchange_progress')}?record={record.pk}"
    assert (record.state, record.dry_run, len(sent)) == ("queued", True, 1)
    page = client.get(response["Location"]).content.decode()
    assert "正在检查「上传.csv」" in page and "<progress" in page and "import_progress.js" in page
    assert _status(client, record) == {"state": "queued", "state_label": "排队中", "rows": 0,
                                       "checked": 0, "written": 0, "done": False}

    sent[0]()  # the worker runs the check
    assert seen == [{"rows": 3}, {"checked": 1}, {"checked": 2}, {"checked": 3}]
    assert _status(client, record)["done"] is True
    result = client.get(response["Location"])
    assert result.context["report"].created == 3 and result.context["token"] == record.token
    assert "确认导入（3 条变化）" in result.content.decode()
    assert storages["exchange"].exists(record.token) and not Branch.objects.exists()

    seen.clear()
    with django_capture_on_commit_callbacks() as sent:
        confirmed = client.post(reverse("exchange_confirm"), {"token": record.token})
    writing = ImportRecord.objects.get(dry_run=False)
    assert confirmed["Location"] == f"{reverse('exchange_progress')}?record={writing.pk}"
    assert writing.state == "queued" and not Branch.objects.exists()
    sent[0]()  # the worker writes
    writing.refresh_from_db()
    assert (writing.state, writing.status, writing.checked, writing.written) == (
        "done", "ok", 3, 3)
    done = client.get(confirmed["Location"], follow=True)
    assert "已导入「上传.csv」：新建 3 条，修改 0 条，0 条不变。" in done.content.decode()
    assert Branch.objects.filter(code__startswith="V-").count() == 3
    assert not storages["exchange"].exists(record.token)


def test_a_queued_check_with_problems_shows_them_and_drops_the_file(
    client, department_user, town, with_worker, django_capture_on_commit_callbacks
) -> None:
    from django.core.files.storage import storages

    client.force_login(department_user)
    rows = [HEADER, ["V-1", "一村", "村", "T-NONE", "是"]]
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, "branches", rows)
    record = ImportRecord.objects.get()
    page = client.get(response["Location"])
    body = page.content.decode()
    assert "发现 1 处问题，没有写入任何数据。" in body and "找不到编码为「T-NONE」的镇街。" in body
    assert "token" not in page.context and "确认导入" not in body
    assert not storages["exchange"].exists(record.token)


def test_someone_elses_import_progress_is_not_shown(
    client, department_user, town_user, town, with_worker, django_capture_on_commit_callbacks
) -> None:
    client.force_login(department_user)
    with django_capture_on_commit_callbacks():
        _upload(client, "branches", [HEADER, ["V-1", "一村", "村", town.code, "是"]])
    record = ImportRecord.objects.get()
    client.force_login(town_user)
    response = client.get(reverse("exchange_progress"), {"record": record.pk})
    assert response.status_code == 302 and response["Location"] == reverse("exchange_import")
    status = client.get(reverse("exchange_progress_status"), {"record": record.pk})
    assert status.status_code == 404


def test_a_crashed_import_is_finished_with_its_reason(department_user, monkeypatch) -> None:
    from twinning.shared.exchange import jobs, services
    from twinning.shared.exchange.tasks import run_import

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    record = ImportRecord.objects.create(user=department_user, kind="branches",
                                         file_name="x.csv", dry_run=True, state="queued",
                                         token="A" * 32)
    # The storage itself fails, wherever the import reaches it.
    monkeypatch.setattr(jobs, "_store", crash)
    monkeypatch.setattr(services, "_store", crash)
    assert run_import.apply(args=[record.pk]).get() == "done"
    record.refresh_from_db()
    assert (record.state, record.status, record.last_error) == ("done", "failed",
                                                                "RuntimeError: boom")
    assert record.problems == ["导入时出错，没有写入任何数据，请稍后重试。"]
    # Run again (a redelivered message): the finished import is left alone.
    assert run_import.apply(args=[record.pk]).get() == "done"


@pytest.fixture
def kept_for_worker(settings, tmp_path: Path, monkeypatch) -> Path:
    """Kept uploads in a folder the worker process (started after this) reads too."""
    folder = tmp_path / "worker-imports"
    folder.mkdir()
    monkeypatch.setenv("IMPORT_TEMP_DIR", str(folder))
    settings.STORAGES = {
        **settings.STORAGES,
        "exchange": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                     "OPTIONS": {"location": str(folder)}},
    }
    return folder


def test_a_real_worker_checks_a_queued_upload(
    kept_for_worker: Path, real_worker: str, department_user, town
) -> None:
    from twinning.shared.exchange.tasks import run_import

    token = "W" * 32
    (kept_for_worker / token).write_bytes(
        csv_bytes([HEADER, ["V-1", "一村", "村", town.code, "是"]]))
    record = ImportRecord.objects.create(user=department_user, kind="branches",
                                         file_name="w.csv", dry_run=True, state="queued",
                                         token=token)
    run_import.apply_async(args=[record.pk], queue=real_worker)
    # The task keeps no result (progress is on the record): follow the record, bounded.
    deadline = time.monotonic() + 60
    while record.state != "done" and time.monotonic() < deadline:
        time.sleep(0.2)
        record.refresh_from_db()
    assert (record.state, record.status, record.rows, record.checked, record.created) == (
        "done", "ok", 1, 1, 1)
    assert record.result["changes"][0]["subject"]
    assert (kept_for_worker / token).exists()  # kept for the confirmation
    assert not Branch.objects.exists()


def _broker_errors() -> list[Exception]:
    """What handing a task to a Redis that is down raises, as the bulletin's send meets it."""
    from kombu.exceptions import OperationalError
    from redis.exceptions import ConnectionError as RedisDown

    refused = "Error 111 connecting to 127.0.0.1:6379. Connection refused."
    return [OperationalError(refused), RedisDown(refused),
            RuntimeError("Retry limit exceeded while trying to reconnect to the Redis backend")]


@pytest.mark.parametrize("error", _broker_errors(), ids=lambda e: type(e).__name__)
def test_a_queue_that_is_down_runs_the_import_in_the_request(
    client, department_user, town, with_worker, django_capture_on_commit_callbacks, monkeypatch,
    error,
) -> None:
    from twinning.shared.exchange.tasks import run_import

    def down(*args, **kwargs):
        raise error

    monkeypatch.setattr(run_import, "delay", down)
    client.force_login(department_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, "branches", [HEADER, ["V-1", "一村", "村", town.code, "是"]])
    record = ImportRecord.objects.get()
    assert (record.state, record.status, record.created) == ("done", "ok", 1)
    page = client.get(response["Location"])
    assert page.context["token"] == record.token
    assert "确认导入（1 条变化）" in page.content.decode()
