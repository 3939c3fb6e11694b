"""The one way English pages write dates: "5 Dec 2026" and "5 Dec 2026, 17:15".

The short formats are the same, so that every page, long or short, reads alike.
"""

DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
