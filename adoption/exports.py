"""CSV and XLSX exports of the report's tables.

CSV is written for Excel with Vietnamese regional settings, whose list
separator is the semicolon (the decimal mark being the comma): semicolon
separated, UTF-8 with a BOM so Excel reads the diacritics, and it opens as
columns with no import dialog. Integrations may ask for comma separated
instead. Counts and money are plain integers (đồng), rates and dates as
people write them (12,5%, dd/mm/yyyy), which that Excel reads as numbers and
dates. XLSX: real numbers and dates with Vietnamese-looking formats, one
sheet per table."""

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from adoption.selectors import Report
from adoption.tables import COUNT, DATE, MONEY, PERCENT, POINTS, TABLES, Table, cell, display

XLSX_FORMATS = {
    COUNT: "#,##0",
    MONEY: '#,##0 "₫"',
    PERCENT: "0.0%",
    POINTS: '+0.0" điểm";-0.0" điểm"',
    DATE: "dd/mm/yyyy",
}


# The CSV separators one may ask for; the first is the default.
SEPARATORS = {"semicolon": ";", "comma": ","}


def table_csv(report: Report, name: str, *, separator: str = "semicolon") -> bytes:
    table = TABLES[name](report)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=SEPARATORS[separator])
    writer.writerow([str(c.header) for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(c.kind, cell(c, row)) for c in table.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_cell(kind: str, value: Any) -> Any:
    if value is None:
        return ""
    if kind in (COUNT, MONEY):
        return value
    return display(kind, value)


def report_xlsx(report: Report) -> bytes:
    book = Workbook()
    book.remove(book.worksheets[0])  # the empty sheet a new workbook starts with
    for builder in TABLES.values():
        _sheet(book, builder(report))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(book: Workbook, table: Table) -> None:
    sheet = book.create_sheet(str(table.title)[:31])
    sheet.append([str(c.header) for c in table.columns])
    for heading in sheet[1]:
        heading.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_xlsx_value(c.kind, cell(c, row)) for c in table.columns])
    for index, column in enumerate(table.columns, start=1):
        number_format = XLSX_FORMATS.get(column.kind)
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, min(40, len(str(column.header)) + 2))
        if number_format:
            for (value_cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                value_cell.number_format = number_format


def _xlsx_value(kind: str, value: Any) -> Any:
    # Rates become fractions so the cell is a real percentage (money never
    # goes through here: it stays an integer).
    if value is None:
        return None
    if kind == PERCENT:
        return value / 1000
    if kind == POINTS:
        return value / 10
    return value
