"""The classroom projector page: a big rotating check-in code, its countdown and live counts.

Served at the root (`/display/…`), not under /api/v1: the projector has no WeChat login and
opens a short-lived signed link a class teacher created. Plain HTML, CSS and JS, no CDN.
"""
