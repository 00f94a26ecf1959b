"""The bulletin's faces: which configured face of each role is installed (fontconfig).

Each role (标宋 title, 仿宋 body, 楷体, 黑体) is a list in settings, tried in order: an
office's licensed face first, then a free Debian face. A role none of whose faces is
installed would be drawn in whatever face fontconfig substitutes — boxes (□) for Chinese
text — so the system check fails and a build refuses with the reason instead.
"""

import functools
import re
import shutil
import subprocess
from dataclasses import dataclass

from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

UNSAFE = re.compile(r'["<>;{}\\]')

ROLES = (
    ("title", "BULLETIN_FONT_TITLE", "标宋"),
    ("body", "BULLETIN_FONT_BODY", "仿宋"),
    ("kai", "BULLETIN_FONT_KAI", "楷体"),
    ("hei", "BULLETIN_FONT_HEI", "黑体"),
)


class FontsMissing(Exception):
    """No installed face for a role of the bulletin: the PDF would print boxes."""


@functools.lru_cache(maxsize=1)
def installed_cjk_families() -> frozenset[str]:
    """Family names (case-folded) of the faces fontconfig knows that cover Chinese."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return frozenset()
    try:
        listed = subprocess.run(
            [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(
        name.strip().casefold() for line in listed.splitlines() for name in line.split(",")
        if name.strip()
    )


@dataclass(frozen=True)
class Faces:
    """The face each role prints in; None where no configured face is installed."""

    title: str | None
    body: str | None
    kai: str | None
    hei: str | None

    def missing(self) -> list[str]:
        return [label for role, _setting, label in ROLES if getattr(self, role) is None]

    def css(self) -> dict[str, str]:
        """CSS font-family values: the installed face only, so nothing else is substituted.

        The names come from settings and fontconfig; characters that could end the CSS
        string or the style element are dropped."""
        return {role: mark_safe(f'"{UNSAFE.sub("", getattr(self, role))}"')  # noqa: S308
                for role, _setting, _label in ROLES if getattr(self, role)}


def resolve() -> Faces:
    installed = installed_cjk_families()
    chosen = {}
    for role, setting, _label in ROLES:
        names = getattr(settings, setting)
        chosen[role] = next((n for n in names if n.casefold() in installed), None)
    return Faces(**chosen)


def problem() -> str | None:
    """Why a bulletin cannot be printed with the configured faces, or None."""
    missing = resolve().missing()
    if not missing:
        return None
    if not installed_cjk_families():
        return _("未找到任何中文字体（fc-list :lang=zh 为空），通报会印成方框。"
                 "请运行 scripts/install-system-deps.sh 安装 fonts-noto-cjk 等字体。")
    return _("未安装通报所需的%(roles)s字体（设置 BULLETIN_FONT_*），通报会印成方框。"
             "请安装其中任一字体或修改设置。") % {"roles": "、".join(missing)}


def require() -> Faces:
    """The faces to print with; raises FontsMissing (with the reason) if a role has none."""
    reason = problem()
    if reason:
        raise FontsMissing(reason)
    return resolve()
