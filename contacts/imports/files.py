"""Read an uploaded CSV file: its encoding, delimiter, quote and header.

The file is never read whole into memory: detection looks at its first bytes, the
check that the whole file decodes reads it in chunks, and rows are streamed.
"""

import codecs
import csv
import io
from collections import Counter
from dataclasses import dataclass

from charset_normalizer import from_bytes
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.csv_columns import unescape_cell
from contacts.imports.mapping import auto_target

SAMPLE_BYTES = 64 * 1024
CHUNK_BYTES = 1024 * 1024
SAMPLE_RECORDS = 50
# A field may hold a long description; csv's default limit is 128 kB.
FIELD_SIZE_LIMIT = 1024 * 1024

ENCODINGS = [
    ("utf-8", gettext_lazy("UTF-8")),
    ("utf-8-sig", gettext_lazy("UTF-8 with BOM")),
    ("utf-16-le", gettext_lazy("UTF-16 LE")),
    ("utf-16-be", gettext_lazy("UTF-16 BE")),
    ("cp1252", gettext_lazy("Windows-1252 (Western Europe)")),
    ("iso-8859-1", gettext_lazy("ISO-8859-1 (Latin-1)")),
    ("iso-8859-15", gettext_lazy("ISO-8859-15 (Latin-9)")),
]
DELIMITERS = [
    (",", gettext_lazy("Comma ( , )")),
    (";", gettext_lazy("Semicolon ( ; )")),
    ("\t", gettext_lazy("Tab")),
    (":", gettext_lazy("Colon ( : )")),
    (" ", gettext_lazy("Space")),
]
QUOTES = [('"', gettext_lazy('Double quote ( " )')), ("'", gettext_lazy("Single quote ( ' )"))]
# charset-normalizer's names of the encodings offered, and of close relatives.
DETECTED = {
    "utf_8": "utf-8",
    "ascii": "utf-8",
    "cp1252": "cp1252",
    "latin_1": "iso-8859-1",
    "iso8859_15": "iso-8859-15",
    "cp1250": "cp1252",
    "iso8859_2": "cp1252",
    "mac_roman": "cp1252",
}
BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]

csv.field_size_limit(FIELD_SIZE_LIMIT)


class ImportFileError(Exception):
    """The file cannot be imported; the message says why, in the user's language, and
    code which refusal it is, for programs (the REST API's problems)."""

    def __init__(self, message="", code="unreadable_file"):
        super().__init__(message)
        self.code = code


@dataclass
class Dialect:
    encoding: str
    delimiter: str
    quotechar: str = '"'
    has_header: bool = True
    skip_records: int = 0


def dialect_of(job):
    """Return the dialect the job reads its file with."""
    return Dialect(
        encoding=job.encoding,
        delimiter=job.delimiter,
        quotechar=job.quotechar,
        has_header=job.has_header,
        skip_records=job.skip_records,
    )


def detect_encoding(sample):
    """Return the encoding of a file that starts with sample (bytes), or raise."""
    if not sample:
        raise ImportFileError(_("The file is empty."), "empty_file")
    for bom, encoding in BOMS:
        if sample.startswith(bom):
            return encoding
    if b"\x00" in sample:
        # UTF-16 without a BOM: every other byte of Latin text is zero.
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > len(sample) // 4 and even == 0:
            return "utf-16-le"
        if even > len(sample) // 4 and odd == 0:
            return "utf-16-be"
        raise ImportFileError(
            _(
                "This file is not a CSV text file (it holds binary data). "
                "Save it as CSV and try again."
            ),
            "not_text",
        )
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    best = from_bytes(sample, cp_isolation=[*DETECTED, "cp1251", "shift_jis", "gb18030"]).best()
    name = best.encoding if best else "cp1252"
    if name not in DETECTED:
        raise ImportFileError(
            _(
                "The encoding of this file (it looks like %(name)s) is not supported. "
                "Save it as UTF-8 CSV and try again."
            )
            % {"name": name},
            "unsupported_encoding",
        )
    return DETECTED[name]


def check_decodes(path, encoding):
    """Raise ImportFileError unless the whole file decodes with encoding."""
    decoder = codecs.getincrementaldecoder(encoding)()
    done = 0
    with open(path, "rb") as stream:
        while True:
            chunk = stream.read(CHUNK_BYTES)
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                raise ImportFileError(
                    _(
                        "This file cannot be read as %(encoding)s (byte %(position)d). "
                        "Choose another encoding."
                    )
                    % {"encoding": encoding_label(encoding), "position": done + error.start + 1},
                    "wrong_encoding",
                ) from None
            if "\x00" in text:
                raise ImportFileError(
                    _("This file is not a CSV text file (it holds binary data)."), "not_text"
                )
            if not chunk:
                return
            done += len(chunk)


def encoding_label(encoding):
    return str(dict(ENCODINGS).get(encoding, encoding))


def open_text(path, encoding):
    """Return the file as a text stream for the csv module."""
    return io.TextIOWrapper(open(path, "rb"), encoding=encoding, newline="")  # noqa: SIM115


def reader(stream, dialect):
    return csv.reader(
        stream,
        delimiter=dialect.delimiter,
        quotechar=dialect.quotechar,
        doublequote=True,
        skipinitialspace=False,
        strict=False,
    )


def records(path, dialect):
    """Yield (line, cells) for every record of the file, header and preamble included.

    line is the line number where the record starts. Cells are unescaped (see
    exports.escape_cell) and the BOM is left out.
    """
    with open_text(path, dialect.encoding) as stream:
        rows = reader(stream, dialect)
        line = 1
        first = True
        try:
            for cells in rows:
                if first and cells and cells[0].startswith("\ufeff"):
                    cells[0] = cells[0][1:]
                first = False
                # No NUL can be there: check_decodes refuses such files.
                yield line, [unescape_cell(c) if c[:1] == "'" else c for c in cells]
                line = rows.line_num + 1
        except csv.Error as error:
            raise ImportFileError(
                _("Line %(line)d cannot be read: %(error)s") % {"line": line, "error": error},
                "unreadable_line",
            ) from None


def data_records(path, dialect, header_width=None):
    """Yield (line, cells) of the data rows: after the preamble and the header."""
    skip = dialect.skip_records + (1 if dialect.has_header else 0)
    for n, (line, cells) in enumerate(records(path, dialect)):
        if n >= skip:
            yield line, cells


def _sample_text(path, encoding):
    with open(path, "rb") as stream:
        sample = stream.read(SAMPLE_BYTES)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample, final=False)
    if len(sample) == SAMPLE_BYTES:
        # Leave out the last line, which may be cut in the middle.
        text = text[: max(text.rfind("\n"), 0)] or text
    return text.lstrip("\ufeff")


def _widths(text, delimiter, quotechar):
    rows = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar=quotechar, strict=False)
    widths = []
    try:
        for cells in rows:
            if cells:
                widths.append(len(cells))
            if len(widths) >= SAMPLE_RECORDS:
                break
    except csv.Error:
        return []
    return widths


def detect_dialect(path, encoding):
    """Return the delimiter, quote and preamble length most consistent with the file."""
    text = _sample_text(path, encoding)
    quotechar = '"'
    if text.count("'") > 2 * text.count('"') + 2:
        quotechar = "'"
    best = None
    for rank, (delimiter, _label) in enumerate(DELIMITERS):
        widths = _widths(text, delimiter, quotechar)
        if not widths:
            continue
        width, count = Counter(widths).most_common(1)[0]
        # Most rows must agree; spaces, common inside values, must agree everywhere.
        needed = 0.9 if delimiter == " " else 0.6
        if width < 2 or count < needed * len(widths):
            continue
        # More consistent rows first, then wider ones; the order of DELIMITERS breaks ties.
        score = (count, width, -rank)
        if best is None or score > best[0]:
            best = (score, delimiter)
    delimiter = best[1] if best else ","
    return Dialect(
        encoding=encoding,
        delimiter=delimiter,
        quotechar=quotechar,
        skip_records=detect_preamble(text, delimiter, quotechar),
    )


def detect_preamble(text, delimiter, quotechar):
    """Return how many records come before the header (notes at the top of some exports)."""
    rows = list(
        _head(csv.reader(io.StringIO(text), delimiter=delimiter, quotechar=quotechar, strict=False))
    )
    widths = [len(r) for r in rows if r]
    if not widths:
        return 0
    width = Counter(widths).most_common(1)[0][0]
    for n, cells in enumerate(rows):
        if len(cells) == width:
            return n
    return 0


def _head(rows):
    try:
        for n, cells in enumerate(rows):
            if n >= SAMPLE_RECORDS:
                return
            yield cells
    except csv.Error:
        return


def preview(path, dialect, count=5):
    """Return the header (or column numbers) and the first count data rows."""
    header, rows = None, []
    for n, (_line, cells) in enumerate(records(path, dialect)):
        if n < dialect.skip_records:
            continue
        if header is None and dialect.has_header:
            header = cells
            continue
        rows.append(cells)
        if len(rows) >= count:
            break
    width = max([len(header or [])] + [len(r) for r in rows])
    if header is None:
        header = [_("Column %(n)d") % {"n": n + 1} for n in range(width)]
    header = header + [""] * (width - len(header))
    return header, [r + [""] * (width - len(r)) for r in rows]


def record_at(path, dialect, record):
    """Return the cells of data row number record (from 0), or None, and whether more follow."""
    found = None
    for n, (_line, cells) in enumerate(data_records(path, dialect)):
        if n == record:
            found = cells
        elif n > record:
            return found, True
    return found, False


def filled_columns(path, dialect, count=200):
    """Return the numbers of the columns that hold a value in the first count data rows."""
    filled = set()
    for n, (_line, cells) in enumerate(data_records(path, dialect)):
        filled.update(i for i, cell in enumerate(cells) if cell.strip())
        if n + 1 >= count:
            break
    return filled


def check_file(path, dialect):
    """Raise ImportFileError unless the file decodes and holds at least one data row."""
    check_decodes(path, dialect.encoding)
    header, rows = preview(path, dialect, count=1)
    if not any(h.strip() for h in header) and not rows:
        raise ImportFileError(_("The file is empty."), "empty_file")
    if not rows:
        raise ImportFileError(_("The file has a header but no rows to import."), "no_rows")
    if len(header) < 2 and dialect.has_header and not _looks_like_one_column(header):
        raise ImportFileError(
            _("No columns were found in this file: is it a CSV file? Check the delimiter."),
            "one_column",
        )
    return header


def _looks_like_one_column(header):
    return bool(auto_target(header[0]))
