"""The web pages: server-rendered Jinja2 templates plus a little vanilla JS over /api/v1.

Kept import-free so `deps.py` can import `web.csrf` without pulling in the routes.
"""
