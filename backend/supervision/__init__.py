"""Supervision: daily feedback, written notices, blacklist, inspections and
the actions of 第十六条 against instructors."""
