"""Registers that gate new work: notices, blacklist, inspections, instructor actions, fraud."""
