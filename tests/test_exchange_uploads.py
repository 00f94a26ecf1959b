"""Uploads kept between preview and confirmation: bound to their user and session, kept for a
retry when the database refuses, read within limits, and read in the encoding they were saved in."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from branches.models import Branch
from tests.exchange_helpers import csv_bytes
from twinning.models import ImportRecord

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
