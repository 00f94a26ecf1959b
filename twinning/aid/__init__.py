"""Aid and mutual help: aid projects (帮扶项目) with their progress reports and infrastructure
outputs, and the mutual-help records — secondments, member pairings, help activities, hot
issues and governance records — with the outcomes they add up to (DESIGN §1).

The models stay in `twinning/models/` (`aid.py`, `mutual_help.py`); this package holds their
rules (`services`), reads (`selectors`, and `outcomes` over a `time_scope`), record kinds
(`records`), forms, pages, spreadsheet resource, admin and demo history.
"""
