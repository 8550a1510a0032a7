"""Files a user downloads from a page."""

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse


def csv_download(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """A UTF-8 CSV file, offered for saving as ``filename``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
