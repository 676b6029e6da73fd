"""The requests as CSV, streamed: the list's export action and the export of
a filtered list share it."""

import csv

from django.http import StreamingHttpResponse

from consultations.selectors.staff import consultation_export_rows


class _Echo:
    """A file-like object whose write() hands the line back, for streaming."""

    def write(self, value):
        return value


def consultation_csv_response(*, queryset, filename: str) -> StreamingHttpResponse:
    """UTF-8 with a byte-order mark, so Excel opens Hebrew and Arabic right."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"
        for row in consultation_export_rows(queryset=queryset):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
