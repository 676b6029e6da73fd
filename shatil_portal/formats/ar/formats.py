# Arabic as written in Israel: day, month, year and a 24-hour clock, like the
# Hebrew pages. Django's ar leaves DATETIME_FORMAT unset, so datetimes fell back
# to the US default ("ديسمبر 4, 2026, 11:04 م"). Numbers keep Django's ar.
DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y، H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
