"""The one way French pages write dates: "5 déc. 2026" and "5 déc. 2026 17:15".

"N" is the abbreviated month as French writes it ("déc.", "mars", "juin"); the short
formats are the same, so that every page, long or short, reads alike.
"""

DATE_FORMAT = "j N Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j N Y H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
