"""A report table sent as the format asked for: csv or a formatted xlsx workbook.

Every screen that shows a :class:`~condo_admin.exporting.Table` offers the same downloads, from
the same table, so the file and the page never disagree.
"""

from __future__ import annotations

import io

from flask import Response, send_file

from condo_admin import exporting
from condo_admin.exporting import Table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(table: Table, fmt: str, name: str) -> Response | None:
    """The file for ``fmt`` (csv or xlsx), or None when the page itself (html) is wanted."""
    if fmt == "csv":
        return Response(
            exporting.as_csv(table),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if fmt == "xlsx":
        buffer = io.BytesIO()
        exporting.write_xlsx(table, buffer)
        buffer.seek(0)
        return send_file(buffer, mimetype=XLSX, as_attachment=True, download_name=f"{name}.xlsx")
    return None
