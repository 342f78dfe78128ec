"""Demo seeding for every package, in one top package.

It sits above every other package of backend/ (it may import any of them); nothing in backend/
imports it — only the CLI (`jobready demo`) and tests.
"""
