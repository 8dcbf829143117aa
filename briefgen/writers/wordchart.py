"""A native Word chart: a DrawingML chart part, its embedded workbook, and the inline frame.

python-docx has no chart API, so the chart part (word/charts/chartN.xml) is written here as
DrawingML text, every value escaped, its numbers cached in the part so that Word and LibreOffice
draw it without opening the workbook. The workbook (word/embeddings/chartN.xlsx, written with
XlsxWriter) holds the same numbers, category names in column A and one series per column, so a
reader who clicks "Edit data" edits the chart. The workbook's dates are the brief's and its zip
entries carry XlsxWriter's fixed 1980 stamp, so rebuilds are byte-identical. Colours and fonts
come from the brand, through the same palette as the SVG.
"""

from __future__ import annotations

import datetime as dt
import io
from xml.sax.saxutils import escape, quoteattr

import xlsxwriter
from docx.document import Document as WordDocument
from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from briefgen.brand import Brand
from briefgen.document import Chart
from briefgen.writers.svg import colours, palette

SHEET = "Sheet1"
_NS = ('xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
       'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')


def add_chart(doc: WordDocument, chart: Chart, brand: Brand, language: str, date: dt.date,
              width: int) -> object:
    """Add the chart part and its workbook to the package; returns the inline drawing (a
    w:drawing element) to put in a run, width wide, carrying the alt text."""
    package = doc.part.package
    number = sum(1 for p in package.iter_parts() if p.partname.startswith("/word/charts/")) + 1
    chart_part = Part(PackURI(f"/word/charts/chart{number}.xml"), CONTENT_TYPE.DML_CHART,
                      b"", package)
    book = Part(PackURI(f"/word/embeddings/chart{number}.xlsx"), CONTENT_TYPE.SML_SHEET,
                workbook(chart, date), package)
    book_rel = chart_part.relate_to(book, RELATIONSHIP_TYPE.PACKAGE)
    chart_part._blob = chart_xml(chart, brand, language, book_rel)
    rel = doc.part.relate_to(chart_part, RELATIONSHIP_TYPE.CHART)
    height = int(width * _aspect(chart))
    shape_id = doc.part.next_id
    return parse_xml(
        f'<w:drawing {nsdecls("w", "wp", "a", "r")}><wp:inline distT="0" distB="0" distL="0" '
        f'distR="0"><wp:extent cx="{width}" cy="{height}"/>'
        f'<wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{shape_id}" name="Chart {number}" title={quoteattr(chart.title)} '
        f'descr={quoteattr(chart.alt)}/><wp:cNvGraphicFramePr/>'
        f'<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
        f'<c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
        f'r:id="{rel}"/></a:graphicData></a:graphic></wp:inline></w:drawing>')


def _aspect(chart: Chart) -> float:
    """Height over width: a column or line chart is landscape; a bar chart grows with its bars."""
    if not chart.horizontal:
        return 0.62
    bars = len(chart.categories) * (1 if chart.stacked else len(chart.series))
    return min(1.2, 0.22 + 0.065 * bars + (0.06 if len(chart.series) > 1 else 0))


def workbook(chart: Chart, date: dt.date) -> bytes:
    """The chart's data as an Excel workbook: categories in column A, one series per column,
    dated with the brief's date so that the same brief gives the same bytes."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    stamp = dt.datetime.combine(date, dt.time())
    book.set_properties({"title": chart.title, "author": "briefgen", "created": stamp})
    sheet = book.add_worksheet(SHEET)
    bold = book.add_format({"bold": True})
    sheet.write_string(0, 0, chart.category_axis, bold)
    sheet.set_column(0, 0, max([len(chart.category_axis), *map(len, chart.categories), 8]) + 2)
    for col, series in enumerate(chart.series, 1):
        sheet.write_string(0, col, series.name, bold)
        sheet.set_column(col, col, max(len(series.name), 8) + 2)
        for row, value in enumerate(series.values, 1):
            sheet.write_number(row, col, value)
    for row, category in enumerate(chart.categories, 1):
        sheet.write_string(row, 0, category)
    book.close()
    return out.getvalue()


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _solid(colour: str) -> str:
    return f'<a:solidFill><a:srgbClr val="{colour.lstrip("#").upper()}"/></a:solidFill>'


def _text_props(brand: Brand, size: float, colour: str, bold: bool = False) -> str:
    """A c:txPr: the brand's heading font at size points, in colour."""
    font = quoteattr(brand.fonts.heading)
    return (f'<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="{round(size * 100)}" '
            f'b="{int(bold)}">{_solid(colour)}<a:latin typeface={font}/><a:cs typeface={font}/>'
            f'</a:defRPr></a:pPr><a:endParaRPr lang="en-US"/></a:p></c:txPr>')


def _title(text: str, brand: Brand, size: float, colour: str, bold: bool) -> str:
    font = quoteattr(brand.fonts.heading)
    return (f'<c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr '
            f'sz="{round(size * 100)}" b="{int(bold)}"/></a:pPr><a:r><a:rPr '
            f'sz="{round(size * 100)}" b="{int(bold)}">{_solid(colour)}<a:latin typeface={font}/>'
            f'<a:cs typeface={font}/></a:rPr><a:t>{escape(text)}</a:t></a:r></a:p></c:rich>'
            f'</c:tx><c:overlay val="0"/></c:title>')


def _strings(ref: str, values: list[str]) -> str:
    points = "".join(f'<c:pt idx="{i}"><c:v>{escape(v)}</c:v></c:pt>' for i, v in enumerate(values))
    return (f"<c:strRef><c:f>{escape(ref)}</c:f><c:strCache><c:ptCount val=\"{len(values)}\"/>"
            f"{points}</c:strCache></c:strRef>")


def _numbers(ref: str, values: list[float]) -> str:
    points = "".join(f'<c:pt idx="{i}"><c:v>{v:.15g}</c:v></c:pt>' for i, v in enumerate(values))
    return (f"<c:numRef><c:f>{escape(ref)}</c:f><c:numCache><c:formatCode>General</c:formatCode>"
            f"<c:ptCount val=\"{len(values)}\"/>{points}</c:numCache></c:numRef>")


def chart_xml(chart: Chart, brand: Brand, language: str, book_rel: str) -> bytes:
    """The chart part: a c:chartSpace with the series, their cached data, the brand's colours,
    titles in the brand's font, and the link to the embedded workbook."""
    c = brand.colours
    fills = colours(chart, brand)
    base = palette(brand, len(chart.series))
    rows = len(chart.categories)
    cat_ref = f"{SHEET}!$A$2:$A${rows + 1}"
    line = chart.kind == "line"
    smooth = '<c:smooth val="0"/>' if line else ""
    series_xml = []
    for s, series in enumerate(chart.series):
        col = _column(s + 1)
        colour = c.accent if series.highlight else base[s]
        if line:
            look = (f'<c:spPr><a:ln w="28575" cap="rnd">{_solid(colour)}<a:round/></a:ln>'
                    f'</c:spPr><c:marker><c:symbol val="none"/></c:marker>')
            points = "".join(
                f'<c:dPt><c:idx val="{i}"/><c:marker><c:symbol val="circle"/><c:size val="7"/>'
                f'<c:spPr>{_solid(c.accent)}<a:ln><a:noFill/></a:ln></c:spPr></c:marker>'
                f'<c:bubble3D val="0"/></c:dPt>' for i in chart.points)
        else:
            look = f'<c:spPr>{_solid(colour)}</c:spPr><c:invertIfNegative val="0"/>'
            points = "".join(
                f'<c:dPt><c:idx val="{i}"/><c:invertIfNegative val="0"/><c:bubble3D val="0"/>'
                f'<c:spPr>{_solid(fill)}</c:spPr></c:dPt>'
                for i, fill in enumerate(fills[s]) if fill != colour)
        labels = ""
        marked = list(chart.points) if not chart.stacked else []
        if marked:
            position = "t" if line else "outEnd"
            labels = "<c:dLbls>" + "".join(
                f'<c:dLbl><c:idx val="{i}"/>{_text_props(brand, 9, c.accent, True)}'
                f'<c:dLblPos val="{position}"/><c:showLegendKey val="0"/><c:showVal val="1"/>'
                f'<c:showCatName val="0"/><c:showSerName val="0"/><c:showPercent val="0"/>'
                f'<c:showBubbleSize val="0"/></c:dLbl>' for i in marked) + (
                '<c:showLegendKey val="0"/><c:showVal val="0"/><c:showCatName val="0"/>'
                '<c:showSerName val="0"/><c:showPercent val="0"/><c:showBubbleSize val="0"/>'
                "</c:dLbls>")
        series_xml.append(
            f'<c:ser><c:idx val="{s}"/><c:order val="{s}"/>'
            f"<c:tx>{_strings(f'{SHEET}!${col}$1', [series.name])}</c:tx>{look}{points}{labels}"
            f"<c:cat>{_strings(cat_ref, chart.categories)}</c:cat>"
            f"<c:val>{_numbers(f'{SHEET}!${col}$2:${col}${rows + 1}', series.values)}</c:val>"
            f"{smooth}</c:ser>")
    axes = '<c:axId val="500000001"/><c:axId val="500000002"/>'
    if line:
        plot = (f'<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>'
                f'{"".join(series_xml)}<c:marker val="1"/>{axes}</c:lineChart>')
    else:
        grouping = "stacked" if chart.stacked else "clustered"
        overlap = '<c:overlap val="100"/>' if chart.stacked else '<c:overlap val="-5"/>'
        plot = (f'<c:barChart><c:barDir val="{"bar" if chart.horizontal else "col"}"/>'
                f'<c:grouping val="{grouping}"/><c:varyColors val="0"/>{"".join(series_xml)}'
                f'<c:gapWidth val="{60 if len(chart.series) == 1 or chart.stacked else 40}"/>'
                f"{overlap}{axes}</c:barChart>")
    small = brand.sizes.small
    cat_title = _title(chart.category_axis, brand, small, c.muted, False) \
        if chart.category_axis else ""
    val_title = _title(chart.value_axis or chart.units, brand, small, c.muted, False) \
        if chart.value_axis or chart.units else ""
    cat_pos, val_pos = ("l", "b") if chart.horizontal else ("b", "l")
    orientation = "maxMin" if chart.horizontal else "minMax"  # bars read top down, as listed
    val_crosses = "max" if chart.horizontal else "autoZero"
    no_line = "<c:spPr><a:ln><a:noFill/></a:ln></c:spPr>"
    plot_area = (
        f"<c:plotArea><c:layout/>{plot}"
        f'<c:catAx><c:axId val="500000001"/><c:scaling><c:orientation val="{orientation}"/>'
        f'</c:scaling><c:delete val="0"/><c:axPos val="{cat_pos}"/>{cat_title}'
        f'<c:numFmt formatCode="General" sourceLinked="1"/><c:majorTickMark val="none"/>'
        f'<c:minorTickMark val="none"/><c:tickLblPos val="low"/>'
        f'<c:spPr><a:ln w="9525">{_solid(c.text)}</a:ln></c:spPr>'
        f'{_text_props(brand, small, c.muted)}<c:crossAx val="500000002"/>'
        f'<c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/>'
        f'<c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
        f'<c:valAx><c:axId val="500000002"/><c:scaling><c:orientation val="minMax"/>'
        f'</c:scaling><c:delete val="0"/><c:axPos val="{val_pos}"/><c:majorGridlines>'
        f'<c:spPr><a:ln w="6350">{_solid(c.rule)}</a:ln></c:spPr></c:majorGridlines>'
        f'{val_title}<c:numFmt formatCode="#,##0.##" sourceLinked="0"/>'
        f'<c:majorTickMark val="none"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        f'{no_line}{_text_props(brand, small, c.muted)}<c:crossAx val="500000001"/>'
        f'<c:crosses val="{val_crosses}"/><c:crossBetween val="between"/></c:valAx>'
        f"{no_line}</c:plotArea>")
    legend = (f'<c:legend><c:legendPos val="t"/><c:overlay val="0"/>'
              f'{_text_props(brand, small, c.text)}</c:legend>') if len(chart.series) > 1 else ""
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<c:chartSpace {_NS}>'
        f'<c:date1904 val="0"/><c:lang val={quoteattr(language)}/><c:roundedCorners val="0"/>'
        f"<c:chart>{_title(chart.title, brand, brand.sizes.heading2, c.primary, True)}"
        f'<c:autoTitleDeleted val="0"/>{plot_area}{legend}<c:plotVisOnly val="1"/>'
        f'<c:dispBlanksAs val="gap"/></c:chart>'
        f"<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>"
        f"{_text_props(brand, small, c.text)}"
        f'<c:externalData r:id="{book_rel}"><c:autoUpdate val="0"/></c:externalData>'
        f"</c:chartSpace>")
    return xml.encode()
