"""Screenshots of pages as given users see them, on a phone and a desktop screen.

Usage: python scripts/screenshots.py BASE_URL OUT_DIR USER:PASSWORD:PATH[,PATH…] …
Uses Debian's /usr/bin/chromium through Playwright; downloads no browser.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def main(base: str, out: str, *specs: str) -> None:
    Path(out).mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for spec in specs:
            username, password, paths = spec.split(":", 2)
            for screen, viewport in SCREENS.items():
                page = browser.new_context(viewport=viewport).new_page()
                page.goto(f"{base}/accounts/login/")
                page.fill("#id_username", username)
                page.fill("#id_password", password)
                page.click("button[type=submit]")
                for path in paths.split(","):
                    page.goto(f"{base}{path}")
                    name = f"{username}-{screen}-{path.strip('/').replace('/', '_') or 'home'}"
                    page.screenshot(path=f"{out}/{name[:80]}.png", full_page=True)
                    print(f"{out}/{name[:80]}.png")
                page.context.close()
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
