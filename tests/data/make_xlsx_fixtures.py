#!/usr/bin/env python3
"""Regenerates the committed .xlsx fixtures of tests/unit/patterns_test.cpp.

The workbooks are written part by part (stdlib zipfile only) so that each one exercises a
specific feature of the format the way Excel writes it: prefixed namespaces, shared strings with
rich-text runs and phonetic hints, inline strings, numbers, booleans, gaps in cell references,
empty rows, trailing spaces in names. Run: python3 tests/data/make_xlsx_fixtures.py

patterns_openpyxl.xlsx is not generated here: it was written once by openpyxl 3.1 (a real
producer, as a cross-check of the reader) with the rows its test expects.
"""
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""

ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PKG_REL}">
<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""


def workbook(sheet_names):
    sheets = "".join(
        f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, n in enumerate(sheet_names))
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {NS} {NS_R}><sheets>{sheets}</sheets></workbook>'


def workbook_rels(count):
    rels = "".join(
        f'<Relationship Id="rId{i + 1}" Type="{REL}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
        for i in range(count))
    rels += f'<Relationship Id="rId{count + 1}" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    rels += f'<Relationship Id="rId{count + 2}" Type="{REL}/styles" Target="styles.xml"/>'
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_REL}">{rels}</Relationships>'


# Two cell formats, so that the styled-but-empty cells (s="1") refer to an existing one.
STYLES = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet {NS}>'
          '<fonts count="1"><font/></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders>'
          '<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="2"><xf/><xf/></cellXfs></styleSheet>')


def shared_strings(items):
    body = "".join(f"<si>{i}</si>" for i in items)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<sst {NS} count="{len(items)}" uniqueCount="{len(items)}">{body}</sst>')


def sheet(rows_xml):
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet {NS} {NS_R}><sheetData>{rows_xml}</sheetData></worksheet>')


def write(name, parts):
    path = os.path.join(HERE, name)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for part, text in parts.items():
            info = zipfile.ZipInfo(part, date_time=(2024, 1, 1, 0, 0, 0))  # reproducible bytes
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text.encode("utf-8"))
    print("wrote", path)


def t(text):
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f"<t{space}>{text}</t>"


# patterns.xlsx: sheet 1 = the pattern table as users keep it; sheet 2 = one cell of each kind.
strings = [
    t("pattern type"), t("comments"),                                   # 0, 1
    t("Разнообразие форм работы П"), t("Смена форм работы на уроке"),   # 2, 3
    t("Работа в команде "),                                             # 4 (trailing space)
    # 5: rich text runs, plus a phonetic hint that must not leak into the value
    "<r><rPr><b/></rPr>" + t("Ученики работают ") + "</r><r>" + t("вместе &amp; дружно") + "</r>"
    "<rPh sb=\"0\" eb=\"1\"><t>IGNORED</t></rPh>",
    t("Эмоциональный отклик У"),                                        # 6
    t("shared"),                                                        # 7
]
sheet1 = (
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>'
    '<row r="3"><c r="A3" t="s"><v>4</v></c><c r="B3" t="s"><v>5</v></c></row>'
    '<row r="4"><c r="A4" s="1"/><c r="B4" s="1"/></row>'                  # styled but empty
    '<row r="6"><c r="A6" t="s"><v>6</v></c></row>'                       # row 5 missing, no comment
)
sheet2 = (
    '<row r="1"><c r="A1" t="s"><v>7</v></c><c r="C1"><v>42</v></c><c r="D1"><v>2.5</v></c></row>'
    '<row r="3"><c r="B3" t="b"><v>1</v></c><c r="C3" t="b"><v>0</v></c>'
    '<c r="E3" t="inlineStr"><is><t>inline текст</t></is></c></row>'
    '<row r="4"><c r="A4" t="str"><f>CONCAT("a","b")</f><v>ab</v></c><c r="B4" t="e"><v>#N/A</v></c></row>'
)
write("patterns.xlsx", {
    "[Content_Types].xml": CONTENT_TYPES,
    "_rels/.rels": ROOT_RELS,
    "xl/workbook.xml": workbook(["Паттерны", "Types"]),
    "xl/_rels/workbook.xml.rels": workbook_rels(2),
    "xl/sharedStrings.xml": shared_strings(strings),
    "xl/styles.xml": STYLES,
    "xl/worksheets/sheet1.xml": sheet(sheet1),
    "xl/worksheets/sheet2.xml": sheet(sheet2),
})

# patterns_bad_header.xlsx: a near-miss header ("pattern_type", "Comments ").
write("patterns_bad_header.xlsx", {
    "[Content_Types].xml": CONTENT_TYPES,
    "_rels/.rels": ROOT_RELS,
    "xl/workbook.xml": workbook(["Sheet1"]),
    "xl/_rels/workbook.xml.rels": workbook_rels(1),
    "xl/styles.xml": STYLES,
    "xl/sharedStrings.xml": shared_strings([t("pattern_type"), t("Comments "), t("Работа в команде У")]),
    "xl/worksheets/sheet1.xml": sheet(
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c></row>'),
})

# no_workbook.xlsx: a valid zip without xl/workbook.xml.
write("no_workbook.xlsx", {"[Content_Types].xml": CONTENT_TYPES, "docProps/app.xml": "<Properties/>"})

# not_a_zip.xlsx: what a renamed CSV looks like.
with open(os.path.join(HERE, "not_a_zip.xlsx"), "w", encoding="utf-8") as f:
    f.write("pattern type,comments\nРабота в команде У,x\n")
print("wrote not_a_zip.xlsx")
