"""Attendance by rotating QR code (第八条(五), 第二十条; docs/attendance.md).

`qr.py` signs and verifies the rotating codes, `geo.py` measures the fence, `rules.py` holds the
windows and the effective status of a trainee in a session, `service.py` records scans and the
class teacher's decisions, `views.py` reads lists and rates, `export.py` writes the workbook.
"""
