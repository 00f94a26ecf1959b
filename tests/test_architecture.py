"""The shape of the code (DESIGN §6): layers that run one way, one role policy, small modules.

These fail the suite as soon as an upward import, a role check outside the policy or an
oversized module appears, not only when someone reads the code.
"""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("twinning", "branches", "evaluations", "reports")
POLICY = ROOT / "twinning" / "shared" / "permissions.py"
MAX_LINES = 600


def _modules(*folders: str) -> list[Path]:
    return sorted(
        path for folder in folders for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts
    )


def test_imports_follow_the_layers() -> None:
    """`lint-imports` checks the contracts in `.importlinter`: the layers of DESIGN §6 and that
    the shared machinery imports no app."""
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_no_role_is_read_outside_the_policy() -> None:
    """Views, templates, selectors and services ask `can(user, action)`, never the role."""
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _modules(*APPS, "tests") if path not in (POLICY, Path(__file__))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "role_of(" in line
    ]
    assert found == []


def test_templates_ask_the_policy_not_the_role() -> None:
    pattern = re.compile(r"user_role|(?<![.\w])role ?[!=]=")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []


def test_no_module_is_over_600_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for path in _modules(*APPS, "tests", "scripts")
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}
