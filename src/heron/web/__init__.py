"""The dashboard: server-rendered pages (Jinja2, own CSS, small own JS, SVG charts) over the store.

No business logic lives here: pages read and change things through heron.store, exactly as the API does.
docs/dashboard.md describes the pages and the security choices.
"""
