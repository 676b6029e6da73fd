"""The requests as CSV, streamed: the list's export action and the export of
a filtered list share it."""

from django.http import StreamingHttpResponse

from consultations.selectors.staff import consultation_export_rows
from shatil_portal.csv_export import csv_lines


def consultation_csv_response(*, queryset, filename: str) -> StreamingHttpResponse:
    """Through the shared writer: formula cells neutralized, UTF-8 with a
    byte-order mark, so Excel opens Hebrew and Arabic right."""
    rows = consultation_export_rows(queryset=queryset)
    response = StreamingHttpResponse(
        csv_lines(rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
