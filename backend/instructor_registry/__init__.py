"""Instructor registry profiles (第十至十四条), assignments (第十六条), training (第二十六条)."""
