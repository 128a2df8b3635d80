#!/usr/bin/env python3
"""Writes a small but hostile .xlsx workbook for the resource-limit tests (issue 14), stdlib only.

  make_hostile_xlsx.py bomb OUT BYTES      the sheet part inflates to BYTES (zeros: a few kB on disk)
  make_hostile_xlsx.py wide OUT ROWS       ROWS rows, each with one cell in the last column (XFD):
                                           every row spans 16384 cells
  make_hostile_xlsx.py amplify OUT BYTES CELLS
                                           one shared string of BYTES bytes, referenced by CELLS cells
  make_hostile_xlsx.py ok OUT              an ordinary one-column pattern list (the control case)
"""
import sys
import zipfile

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def parts(sheet_xml, shared_xml=None):
    rels = f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    if shared_xml is not None:
        rels += f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    out = {
        "_rels/.rels": f'{HEAD}<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
                       f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'{HEAD}<workbook {NS} {NS_R}><sheets><sheet name="Patterns" sheetId="1" r:id="rId1"/>'
                           f'</sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'{HEAD}<Relationships xmlns="{PKG_REL}">{rels}</Relationships>',
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    if shared_xml is not None:
        out["xl/sharedStrings.xml"] = shared_xml
    return out


def sheet(rows):
    return f'{HEAD}<worksheet {NS} {NS_R}><sheetData>{rows}</sheetData></worksheet>'


def write(path, contents):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in contents.items():
            z.writestr(name, data if isinstance(data, bytes) else data.encode("utf-8"))


def main():
    mode, out = sys.argv[1], sys.argv[2]
    if mode == "bomb":
        size = int(sys.argv[3])
        head = sheet("").encode()
        write(out, parts(head + b"\0" * (size - len(head))))
    elif mode == "wide":
        rows = "".join(f'<row r="{r}"><c r="XFD{r}" t="inlineStr"><is><t>x</t></is></c></row>'
                       for r in range(1, int(sys.argv[3]) + 1))
        write(out, parts(sheet(rows)))
    elif mode == "amplify":
        size, cells = int(sys.argv[3]), int(sys.argv[4])
        shared = f'{HEAD}<sst {NS} count="{cells}" uniqueCount="1"><si><t>{"a" * size}</t></si></sst>'
        rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>Pattern</t></is></c></row>' + "".join(
            f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(2, cells + 2))
        write(out, parts(sheet(rows), shared))
    elif mode == "ok":
        rows = ('<row r="1"><c r="A1" t="inlineStr"><is><t>pattern type</t></is></c>'
                '<c r="B1" t="inlineStr"><is><t>comments</t></is></c></row>') + "".join(
            f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>Pattern {r}</t></is></c></row>' for r in range(2, 5))
        write(out, parts(sheet(rows)))
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
