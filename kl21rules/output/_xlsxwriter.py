"""A small SpreadsheetML (.xlsx) writer: the results report's workbook, written directly.

openpyxl's write-only mode serialises every cell through an XML library in Python (about 30× the
JSON report's time), and takes another path, with other bytes, when ``lxml`` is installed. This
writer builds each worksheet's XML with string joins, keeps repeated texts once in a shared-string
table, compresses each part as it is written and lays out the zip itself, so that the bytes depend
only on the report: fixed member order, a fixed date (1980-01-01) on every entry, fixed document
properties, no library's name or version in them. (They also depend on zlib's deflate: a Python
built with another deflate, zlib-ng say, compresses differently; the content stays the same.)

What it writes (all a report needs, nothing more): text, whole numbers and dates (real Excel
dates, serial numbers shown with a number format, ``DD/MM/YYYY`` unless the cell's style gives
another) in cells with one of the styles registered
with :meth:`Book.style` (bold, a solid fill, a number format, alignment, wrapping); column widths,
frozen panes and an auto-filter per sheet. Texts are always written as text, never as formulas;
characters that XML 1.0 cannot hold (C0 controls other than tab, line feed and carriage return;
U+FFFE, U+FFFF; lone surrogates) are written visibly as ``\\x01``-style escapes, a carriage return as a character
reference (so that it is read back as itself), and a text longer than Excel's 32,767 characters
per cell is cut there, as openpyxl does.

Memory: each sheet's compressed XML goes to a spooled temporary file (in memory up to a few
megabytes, then on disk); the shared-string table stops growing at :data:`SHARED_MAX_STRINGS`
texts or :data:`SHARED_MAX_CHARS` characters, after which new texts are written in their cells
(inline), so a batch of any size keeps a bounded table.

The theme part (``templates/xlsx-theme1.xml``) is the Office default theme as openpyxl writes it
(openpyxl is MIT-licensed); the fonts refer to it.
"""

from __future__ import annotations

import datetime as _dt
import re
import struct
import tempfile
import zlib
from collections.abc import Sequence
from typing import IO, Any, NamedTuple

#: zlib level of every part (measured: see benchmarks/README.md, "XLSX").
LEVEL = 1
#: The number format of a date given without a style.
DATE_FORMAT = "DD/MM/YYYY"
#: Characters of one cell's text at most (Excel's limit; openpyxl cuts there too).
MAX_TEXT = 32_767
#: The shared-string table keeps at most this many texts, of at most this many characters in all.
SHARED_MAX_STRINGS = 200_000
SHARED_MAX_CHARS = 16_000_000
#: A sheet's compressed XML is kept in memory up to this size, then in a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

# XML 1.0 allows tab, line feed and carriage return among the C0 controls, and not U+FFFE/U+FFFF;
# a lone surrogate (the loader refuses them; a path's undecodable bytes are replaced before) could
# not even be encoded as UTF-8.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean_text(value: str) -> str:
    """``value`` as a cell holds it: forbidden characters written visibly, cut at :data:`MAX_TEXT`."""
    if _FORBIDDEN.search(value) is not None:
        value = _FORBIDDEN.sub(_visible, value)
    return value[:MAX_TEXT] if len(value) > MAX_TEXT else value


def escape(value: str) -> str:
    """``value`` (already :func:`clean_text`) escaped for XML character data or a quoted attribute."""
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    if '"' in value:
        value = value.replace('"', "&quot;")
    if "\r" in value:  # a literal one would be read back as a line feed
        value = value.replace("\r", "&#13;")
    return value


def _t(value: str) -> str:
    """A ``<t>`` element of ``value`` (leading or trailing white space kept)."""
    text = escape(clean_text(value))
    if value != value.strip():
        return f'<t xml:space="preserve">{text}</t>'
    return f"<t>{text}</t>"


def column(index: int) -> str:
    """The letters of column ``index`` (1 -> A, 27 -> AA)."""
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


#: Serial day number of 1899-12-30, Excel's day 0 (1900 date system).
_EPOCH = _dt.date(1899, 12, 30).toordinal()


def serial(day: _dt.date) -> int:
    """Excel's serial number of ``day`` (as openpyxl's ``to_excel``: days since 1899-12-30, one
    less before 1900-03-01, where Excel counts a 29 February 1900 that never was)."""
    days = day.toordinal() - _EPOCH
    return days - 1 if 0 < days <= 60 else days


class Cell(NamedTuple):
    """A value with a style (an index from :meth:`Book.style`); ``None`` draws only the style."""

    value: Any
    style: int


class _Style(NamedTuple):
    bold: bool
    fill: str | None
    number_format: str | None
    horizontal: str | None
    vertical: str | None
    wrap: bool


class Sheet:
    """One worksheet, written row by row; rows are numbered from 1 as they are added.

    Its widths and frozen pane are given when it is made (they come before the rows in the XML);
    its auto-filter (after the rows) may be set until the workbook is saved.
    """

    def __init__(self, book: Book, name: str, widths: Sequence[float] = (), freeze: str | None = None) -> None:
        self.book = book
        self.name = name
        #: ``A1:N40``, or ``None``: no auto-filter.
        self.auto_filter: str | None = None
        #: The number of the last row added (0 before any).
        self.rows = 0
        self._parts: list[str] = []
        self._pending = 0
        self._size = 0
        self._crc = 0
        self._zip = zlib.compressobj(book.level, zlib.DEFLATED, -15)
        self._spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
        pane = _pane(freeze) if freeze else '<selection activeCell="A1" sqref="A1"/>'
        cols = "".join(f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>'
                       for i, w in enumerate(widths, start=1))
        self._feed((f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
                    f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
                    '<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>'
                    + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>").encode("utf-8"))

    def write(self, xml: str) -> None:
        """Add ready XML (whole ``<row>`` elements, numbered on from :attr:`rows`) to the sheet."""
        self._parts.append(xml)
        self._pending += len(xml)
        if self._pending >= 1 << 18:
            self._flush()

    def _flush(self) -> None:
        if self._parts:
            data = "".join(self._parts).encode("utf-8")
            self._parts.clear()
            self._pending = 0
            self._feed(data)

    def _feed(self, data: bytes) -> None:
        self._size += len(data)
        self._crc = zlib.crc32(data, self._crc)
        self._spool.write(self._zip.compress(data))

    def skip(self) -> None:
        """An empty row."""
        self.rows += 1

    def append(self, cells: Sequence[Any]) -> None:
        """A row of cells from column A: each ``None`` (empty), a text, a whole number, a date,
        or a :class:`Cell` (a value with a style). An empty text is an empty cell."""
        self.rows += 1
        n = str(self.rows)
        out = [f'<row r="{n}">']
        book = self.book
        text = book.text
        for i, value in enumerate(cells):
            style = ""
            if type(value) is Cell:
                style = f' s="{value.style}"' if value.style else ""
                value = value.value
            if value is None or value == "":
                if style:
                    out.append(f'<c r="{_col(i)}{n}"{style}/>')
                continue
            kind = type(value)
            if kind is str:
                out.append(f'<c r="{_col(i)}{n}"{style}{text(value)}')
            elif kind is int:
                out.append(f'<c r="{_col(i)}{n}"{style}><v>{value}</v></c>')
            elif kind is bool:
                out.append(f'<c r="{_col(i)}{n}"{style} t="b"><v>{int(value)}</v></c>')
            elif kind is float:
                out.append(f'<c r="{_col(i)}{n}"{style}><v>{value!r}</v></c>')
            elif kind is _dt.date:
                if not style:  # a date must show as one
                    style = f' s="{book.style(number_format=DATE_FORMAT)}"'
                out.append(f'<c r="{_col(i)}{n}"{style}><v>{serial(value)}</v></c>')
            else:
                raise TypeError(f"cannot write a {kind.__name__} in a cell")
        out.append("</row>")
        self.write("".join(out))

    def _finish(self) -> tuple[int, int, IO[bytes]]:
        """Close the sheet: (CRC-32, size) of its XML and its compressed data, rewound."""
        self._flush()
        flt = f'<autoFilter ref="{self.auto_filter}"/>' if self.auto_filter else ""
        self._feed((f"</sheetData>{flt}"
                    '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
                    "</worksheet>").encode("utf-8"))
        self._spool.write(self._zip.flush())
        self._spool.seek(0)
        return self._crc, self._size, self._spool


def _pane(ref: str) -> str:
    """The frozen pane that keeps the rows above and the columns left of ``ref`` in view."""
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    if m is None:
        raise ValueError(f"not a cell: {ref}")
    letters, row = m.groups()
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    xs, ys = col - 1, int(row) - 1
    if xs and ys:
        return (f'<pane xSplit="{xs}" ySplit="{ys}" topLeftCell="{ref}" activePane="bottomRight" state="frozen"/>'
                '<selection pane="topRight"/><selection pane="bottomLeft"/>'
                '<selection pane="bottomRight" activeCell="A1" sqref="A1"/>')
    if ys:
        return (f'<pane ySplit="{ys}" topLeftCell="{ref}" activePane="bottomLeft" state="frozen"/>'
                '<selection pane="bottomLeft" activeCell="A1" sqref="A1"/>')
    if xs:
        return (f'<pane xSplit="{xs}" topLeftCell="{ref}" activePane="topRight" state="frozen"/>'
                '<selection pane="topRight" activeCell="A1" sqref="A1"/>')
    return '<selection activeCell="A1" sqref="A1"/>'


_COLUMNS: list[str] = [column(i) for i in range(1, 703)]


def _col(i: int) -> str:
    """Letters of the 0-based column ``i``."""
    return _COLUMNS[i] if i < len(_COLUMNS) else column(i + 1)


_BAD_SHEET_NAME = re.compile(r"[\[\]:*?/\\\x00-\x1f]")

_FONTS = ('<font><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>'
          '<font><b val="1"/></font>')


class Book:
    """A workbook: its sheets in order, its styles and its shared strings; :meth:`save` writes it."""

    def __init__(self, level: int | None = None, shared: bool = True) -> None:
        self.level = LEVEL if level is None else level
        self.sheets: list[Sheet] = []
        self._styles: dict[_Style, int] = {_Style(False, None, None, None, None, False): 0}
        self._shared = shared
        #: text -> the end of its cell's XML (`` t="s"><v>7</v></c>``)
        self._strings: dict[str, str] = {}
        self._chars = 0

    def add_sheet(self, name: str, widths: Sequence[float] = (), freeze: str | None = None) -> Sheet:
        """A new sheet after the others (``freeze``: the top-left cell of the scrolling pane).

        :raises ValueError: a name Excel refuses: empty, longer than 31 characters, with one of
            ``[]:*?/\\``, starting or ending with ``'``, or another sheet's (in any case)."""
        if (not name or len(name) > 31 or _BAD_SHEET_NAME.search(name) or name[0] == "'" or name[-1] == "'"
                or name.casefold() in {s.name.casefold() for s in self.sheets}):
            raise ValueError(f"not a sheet name Excel accepts here: {name!r}")
        sheet = Sheet(self, name, widths, freeze)
        self.sheets.append(sheet)
        return sheet

    def style(self, *, bold: bool = False, fill: str | None = None, number_format: str | None = None,
              horizontal: str | None = None, vertical: str | None = None, wrap: bool = False) -> int:
        """The index of a cell style (registered on first use: register in a fixed order).

        ``fill``: an RGB colour (``"DDEBF7"``) filling the cell solid."""
        key = _Style(bold, fill, number_format, horizontal, vertical, wrap)
        index = self._styles.get(key)
        if index is None:
            index = self._styles[key] = len(self._styles)
        return index

    def text(self, value: str) -> str:
        """The end of a text cell's XML, after its ``r`` and ``s`` attributes."""
        tail = self._strings.get(value)
        if tail is not None:
            return tail
        if self._shared and len(self._strings) < SHARED_MAX_STRINGS and self._chars < SHARED_MAX_CHARS:
            tail = self._strings[value] = f' t="s"><v>{len(self._strings)}</v></c>'
            self._chars += len(value)
            return tail
        return f' t="inlineStr"><is>{_t(value)}</is></c>'

    def _styles_xml(self) -> str:
        formats: dict[str, int] = {}
        fills: dict[str, int] = {}
        xfs = []
        for st in self._styles:
            fmt = 0
            if st.number_format is not None:
                fmt = formats.setdefault(st.number_format, 164 + len(formats))
            fill = 0
            if st.fill is not None:
                fill = fills.setdefault(st.fill, 2 + len(fills))
            attrs = f'numFmtId="{fmt}" fontId="{int(st.bold)}" fillId="{fill}" borderId="0" xfId="0"'
            if fmt:
                attrs += ' applyNumberFormat="1"'
            if st.bold:
                attrs += ' applyFont="1"'
            if fill:
                attrs += ' applyFill="1"'
            if st.horizontal or st.vertical or st.wrap:
                align = "".join((f' horizontal="{st.horizontal}"' if st.horizontal else "",
                                 f' vertical="{st.vertical}"' if st.vertical else "",
                                 ' wrapText="1"' if st.wrap else ""))
                xfs.append(f'<xf {attrs} applyAlignment="1"><alignment{align}/></xf>')
            else:
                xfs.append(f"<xf {attrs}/>")
        num_fmts = "".join(f'<numFmt numFmtId="{i}" formatCode="{escape(code)}"/>' for code, i in formats.items())
        fill_xml = "".join(f'<fill><patternFill patternType="solid"><fgColor rgb="00{rgb}"/></patternFill></fill>'
                           for rgb in fills)
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN_NS}">'
                + (f'<numFmts count="{len(formats)}">{num_fmts}</numFmts>' if formats else "")
                + f'<fonts count="2">{_FONTS}</fonts>'
                f'<fills count="{2 + len(fills)}"><fill><patternFill patternType="none"/></fill>'
                f'<fill><patternFill patternType="gray125"/></fill>{fill_xml}</fills>'
                '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
                '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
                f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
                '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
                '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
                'defaultPivotStyle="PivotStyleLight16"/></styleSheet>')

    def _shared_xml(self) -> str:
        items = "".join(f"<si>{_t(s)}</si>" for s in self._strings)
        n = len(self._strings)
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<sst xmlns="{MAIN_NS}" count="{n}" uniqueCount="{n}">{items}</sst>')

    def _workbook_xml(self) -> str:
        sheets = "".join(f'<sheet name="{escape(clean_text(s.name))}" sheetId="{i}" r:id="rId{i}"/>'
                         for i, s in enumerate(self.sheets, start=1))
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
            f"{escape(_quoted(s.name))}!{_absolute(s.auto_filter)}</definedName>"
            for i, s in enumerate(self.sheets) if s.auto_filter)
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN_NS}" '
                f'xmlns:r="{REL_NS}"><workbookPr/><bookViews><workbookView activeTab="0"/></bookViews>'
                f"<sheets>{sheets}</sheets>" + (f"<definedNames>{names}</definedNames>" if names else "")
                + '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>')

    def save(self, out: IO[bytes]) -> None:
        """Write the workbook to the binary file ``out`` (the sheets are closed: save once)."""
        from importlib import resources

        n = len(self.sheets)
        head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
        types = (
            f'{head}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{sheet_type}"/>'
                      for i in range(1, n + 1))
            + '<Override PartName="/xl/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            + ('<Override PartName="/xl/sharedStrings.xml" '
               'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
               if self._strings else "")
            + '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>')
        rels = (f'{head}<Relationships xmlns="{PKG_REL_NS}">'
                f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
                f'<Relationship Id="rId2" Type="{PKG_REL_NS}/metadata/core-properties" Target="docProps/core.xml"/>'
                f'<Relationship Id="rId3" Type="{REL_NS}/extended-properties" Target="docProps/app.xml"/>'
                "</Relationships>")
        app = (f'{head}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
               "<Application>kl21rules</Application></Properties>")
        core = (f'{head}<cp:coreProperties '
                'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>kl21rules</dc:creator>'
                '<dcterms:created xsi:type="dcterms:W3CDTF">1980-01-01T00:00:00Z</dcterms:created>'
                '<dcterms:modified xsi:type="dcterms:W3CDTF">1980-01-01T00:00:00Z</dcterms:modified>'
                "</cp:coreProperties>")
        book_rels = (f'{head}<Relationships xmlns="{PKG_REL_NS}">'
                     + "".join(f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" '
                               f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1))
                     + f'<Relationship Id="rId{n + 1}" Type="{REL_NS}/styles" Target="styles.xml"/>'
                     f'<Relationship Id="rId{n + 2}" Type="{REL_NS}/theme" Target="theme/theme1.xml"/>'
                     + (f'<Relationship Id="rId{n + 3}" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
                        if self._strings else "")
                     + "</Relationships>")
        theme = resources.files("kl21rules.templates").joinpath("xlsx-theme1.xml").read_bytes()
        zw = _ZipWriter(out, self.level)
        zw.add("[Content_Types].xml", types.encode("utf-8"))
        zw.add("_rels/.rels", rels.encode("utf-8"))
        zw.add("docProps/app.xml", app.encode("utf-8"))
        zw.add("docProps/core.xml", core.encode("utf-8"))
        zw.add("xl/workbook.xml", self._workbook_xml().encode("utf-8"))
        zw.add("xl/_rels/workbook.xml.rels", book_rels.encode("utf-8"))
        zw.add("xl/styles.xml", self._styles_xml().encode("utf-8"))
        zw.add("xl/theme/theme1.xml", theme)
        if self._strings:
            zw.add("xl/sharedStrings.xml", self._shared_xml().encode("utf-8"))
        for i, sheet in enumerate(self.sheets, start=1):
            crc, size, data = sheet._finish()
            zw.add_compressed(f"xl/worksheets/sheet{i}.xml", crc, size, data)
            data.close()
        zw.close()


def _quoted(name: str) -> str:
    """A sheet's name as a formula refers to it."""
    return "'" + name.replace("'", "''") + "'"


def _absolute(ref: str) -> str:
    """``A1:N40`` -> ``$A$1:$N$40``."""
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in ref.split(":"))


#: 1980-01-01 00:00 in MS-DOS time and date, the zip's fixed date of every entry.
_DOS_TIME, _DOS_DATE = 0, (0 << 9) | (1 << 5) | 1
#: Sizes and offsets from this on are written in zip64 fields (and 0xFFFFFFFF in the 32-bit ones).
ZIP64_FROM = 0xFFFFFFFF
_MASK = 0xFFFFFFFF


class _ZipWriter:
    """A zip archive of deflated entries, written in order with a fixed date (zip64 when needed)."""

    def __init__(self, out: IO[bytes], level: int) -> None:
        self.out = out
        self.level = level
        self.offset = 0
        self.central: list[bytes] = []

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.offset += len(data)

    def add(self, name: str, data: bytes) -> None:
        z = zlib.compressobj(self.level, zlib.DEFLATED, -15)
        packed = z.compress(data) + z.flush()
        self._entry(name, zlib.crc32(data), len(data), len(packed), [packed])

    def add_compressed(self, name: str, crc: int, size: int, data: IO[bytes]) -> None:
        data.seek(0, 2)
        packed_size = data.tell()
        data.seek(0)
        chunks = iter(lambda: data.read(1 << 20), b"")
        self._entry(name, crc, size, packed_size, chunks)

    def _entry(self, name: str, crc: int, size: int, packed_size: int, chunks: Any) -> None:
        raw = name.encode("ascii")
        offset = self.offset
        big = size >= ZIP64_FROM or packed_size >= ZIP64_FROM
        version = 45 if big else 20
        extra = struct.pack("<HHQQ", 1, 16, size, packed_size) if big else b""
        self._write(struct.pack("<IHHHHHIIIHH", 0x04034B50, version, 0, 8, _DOS_TIME, _DOS_DATE, crc,
                                _MASK if big else packed_size, _MASK if big else size, len(raw), len(extra))
                    + raw + extra)
        for chunk in chunks:
            self._write(chunk)
        far = offset >= ZIP64_FROM
        cextra = b""
        if big or far:
            fields = ([size, packed_size] if big else []) + ([offset] if far else [])
            cextra = struct.pack(f"<HH{len(fields)}Q", 1, 8 * len(fields), *fields)
            version = 45
        self.central.append(
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, (3 << 8) | version, version, 0, 8, _DOS_TIME, _DOS_DATE,
                        crc, _MASK if big else packed_size, _MASK if big else size, len(raw), len(cextra), 0, 0,
                        0, 0o600 << 16, _MASK if far else offset)
            + raw + cextra)

    def close(self) -> None:
        start = self.offset
        for record in self.central:
            self._write(record)
        size = self.offset - start
        count = len(self.central)
        if start >= ZIP64_FROM or size >= ZIP64_FROM or count >= 0xFFFF:
            end64 = self.offset
            self._write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, (3 << 8) | 45, 45, 0, 0, count, count, size, start))
            self._write(struct.pack("<IIQI", 0x07064B50, 0, end64, 1))
        self._write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, min(count, 0xFFFF), min(count, 0xFFFF),
                                _MASK if size >= ZIP64_FROM else size, _MASK if start >= ZIP64_FROM else start, 0))
