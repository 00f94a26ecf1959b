# Everyday commands; see README.md. Every target works from a fresh clone.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# Rebuilt whenever pyproject.toml is newer, so `make venv` is instant when nothing changed.
VENV_STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

# Demo logins, by codes of the demo city (branches/demo.py, twinning/demo.py): the town user
# works for 密州街道, the secretary leads 后黄疃居委会联合党总支, the inspector checks three
# committees of the named cases (五里堡居委会, 市农业局, 市经管局).
DEMO_TOWN ?= 370782001
DEMO_COMMITTEE ?= CJ001
DEMO_INSPECTOR_COMMITTEES ?= CJ003 BC001 BC002
DEMO_DEBUG ?= true
DEMO_ADDR ?= 127.0.0.1:8000

# Local runs (demo, checks) may use the built-in development key; production sets SECRET_KEY.
export ALLOW_DEV_SECRET_KEY ?= true

.PHONY: venv system-deps i18n demo demo-users test lint check

venv: $(VENV_STAMP)

$(VENV_STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

system-deps:
	bash scripts/install-system-deps.sh

# locale/ holds the project's translations; git does not keep it while it is empty.
# makemessages first, so a new interface string without an English translation fails
# tests/test_i18n.py instead of slipping through untranslated.
i18n: venv
	@mkdir -p locale/en/LC_MESSAGES
	$(MANAGE) makemessages -l en --no-obsolete --add-location=file -v0 --ignore=$(VENV) --ignore=var --ignore=tests \
		--ignore=.git --ignore=node_modules
	@# The extraction time would change the tracked catalog on every run: leave it out.
	@sed -i '/^"POT-Creation-Date: /d' locale/en/LC_MESSAGES/django.po
	$(MANAGE) compilemessages --ignore=$(VENV) --ignore=var --ignore=.git --ignore=node_modules

# The demo needs only Python packages; without gettext it runs with the Chinese source text.
# Static files are collected into STATIC_ROOT (var/static) for DEMO_DEBUG=false: with DEBUG off
# pages name the hashed files of the collected manifest, and WhiteNoise serves them, not runserver.
demo: venv
	@mkdir -p var
	@if command -v msgfmt >/dev/null 2>&1; then $(MAKE) --no-print-directory i18n; \
	else echo "demo: gettext (msgfmt) missing, skipping translations; 'make system-deps' adds it"; fi
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo_city
	@$(MAKE) --no-print-directory demo-users
	DEBUG=$(DEMO_DEBUG) $(MANAGE) collectstatic --noinput -v0
	DEBUG=$(DEMO_DEBUG) $(MANAGE) runserver $(DEMO_ADDR)

demo-users: venv
	$(MANAGE) add_user dept --role department --password Demo-2026-dept --skip-existing
	$(MANAGE) add_user town --role town --town $(DEMO_TOWN) --password Demo-2026-town \
		--skip-existing
	$(MANAGE) add_user secretary --role secretary --committee $(DEMO_COMMITTEE) \
		--password Demo-2026-secretary --skip-existing
	$(MANAGE) add_user inspector --role inspector \
		$(foreach c,$(DEMO_INSPECTOR_COMMITTEES),--committee $(c)) \
		--password Demo-2026-inspector --skip-existing
	$(MANAGE) add_user leader --role leader --password Demo-2026-leader --skip-existing
	@echo
	@echo "Demo site: http://$(DEMO_ADDR)/  (passwords of users that existed before are unchanged)"
	@printf '  %-10s  %-20s  %s\n' username password role \
		---------- -------------------- ---------------------------------------- \
		dept Demo-2026-dept "department 组织部" \
		town Demo-2026-town "town 镇街党(工)委: $(DEMO_TOWN)" \
		secretary Demo-2026-secretary "secretary 联合党组织书记: $(DEMO_COMMITTEE)" \
		inspector Demo-2026-inspector "inspector 督查组: $(DEMO_INSPECTOR_COMMITTEES)" \
		leader Demo-2026-leader "leader 领导"
	@echo

# pytest exits 5 when it collects no tests: a run that tests nothing fails, and says why.
test: venv system-deps i18n
	@$(VENV)/bin/pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "test: pytest collected no tests" >&2; fi; exit $$rc

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

check: venv
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run
