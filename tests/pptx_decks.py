"""PowerPoint decks made with python-pptx for the import tests and the import benchmark.

Each builder writes a real .pptx that PowerPoint and LibreOffice open, holding one kind of
content the importer must map (or must report): bullets at three levels with bold, italic and a
link, a table, pictures with and without alt text, speaker notes, a hidden slide, a chart, a
group, an animation, an embedded video and Dutch text with diacritics.
"""
from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

from lxml import etree
from PIL import Image
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.lang import MSO_LANGUAGE_ID
from pptx.enum.shapes import MSO_SHAPE
from pptx.oxml.ns import qn
from pptx.util import Inches

TITLE_SLIDE, TITLE_AND_CONTENT, TITLE_ONLY = 0, 1, 5
DUTCH_TITLE = "Welkom bij de cursus – één minuut"
DUTCH_NOTES = ("Welkom bij deze cursus over veiligheid. "
               "Het IJsselmeer is één groot meer, en dat is geen probleem.")
OBJECTIVES_NOTES = ("By the end of this module you will be able to name the hazards.\n"
                    "You will also know where to find help.")
MISSING_FONT = "Comic Sans MS"  # not installed on a Debian server: drawn with a fallback font
PICTURE_ALT = "Orange circle and green triangle in a blue frame"
GROUP_PICTURE_ALT = "A small green square"
ANIMATION = """<p:timing xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main">
<p:tnLst><p:par><p:cTn id="1" dur="indefinite" restart="never" nodeType="tmRoot"><p:childTnLst>
<p:seq concurrent="1" nextAc="seek"><p:cTn id="2" dur="indefinite" nodeType="mainSeq"><p:childTnLst>
<p:par><p:cTn id="3" fill="hold"><p:stCondLst><p:cond delay="indefinite"/></p:stCondLst><p:childTnLst>
<p:par><p:cTn id="4" fill="hold"><p:stCondLst><p:cond delay="0"/></p:stCondLst><p:childTnLst>
<p:par><p:cTn id="5" presetID="10" presetClass="entr" presetSubtype="0" fill="hold" nodeType="clickEffect">
<p:stCondLst><p:cond delay="0"/></p:stCondLst><p:childTnLst>
<p:set><p:cBhvr><p:cTn id="6" dur="1" fill="hold"><p:stCondLst><p:cond delay="0"/></p:stCondLst></p:cTn>
<p:tgtEl><p:spTgt spid="2"/></p:tgtEl><p:attrNameLst><p:attrName>style.visibility</p:attrName></p:attrNameLst>
</p:cBhvr><p:to><p:strVal val="visible"/></p:to></p:set>
</p:childTnLst></p:cTn></p:par></p:childTnLst></p:cTn></p:par></p:childTnLst></p:cTn></p:par>
</p:childTnLst></p:cTn><p:prevCondLst><p:cond evt="onPrev" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond>
</p:prevCondLst><p:nextCondLst><p:cond evt="onNext" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond>
</p:nextCondLst></p:seq></p:childTnLst></p:cTn></p:par></p:tnLst></p:timing>"""


def png_bytes(size: tuple[int, int], colour: tuple[int, int, int], shapes: bool = False) -> bytes:
    """A PNG of one colour; with ``shapes``, the circle and triangle the alt text describes."""
    from PIL import ImageDraw

    image = Image.new("RGB", size, colour)
    if shapes:
        draw = ImageDraw.Draw(image)
        draw.ellipse((40, 40, 240, 240), fill=(255, 140, 0))
        draw.polygon([(400, 240), (520, 40), (640, 240)], fill=(0, 160, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def set_alt(shape, description: str | None) -> None:
    """Alt text as PowerPoint writes it (``cNvPr@descr``); python-pptx has no setter for it."""
    c_nv_pr = shape._element.xpath("./*[1]/p:cNvPr")[0]
    if description is None:
        c_nv_pr.attrib.pop("descr", None)
    else:
        c_nv_pr.set("descr", description)


def _notes(slide, text: str) -> None:
    slide.notes_slide.notes_text_frame.text = text


def _bullets(frame, items: list[tuple[int, str]]) -> None:
    frame.text = items[0][1]
    frame.paragraphs[0].level = items[0][0]
    for level, text in items[1:]:
        paragraph = frame.add_paragraph()
        paragraph.text = text
        paragraph.level = level


def add_title_slide(prs) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_SLIDE])
    slide.shapes.title.text = DUTCH_TITLE
    slide.placeholders[1].text = "Veilig werken: ç ü ß € “quotes” — ‘één’"
    for shape in slide.shapes:
        for paragraph in shape.text_frame.paragraphs:
            for run in paragraph.runs:
                run.font.language_id = MSO_LANGUAGE_ID.DUTCH
    _notes(slide, DUTCH_NOTES)


def add_bullets_slide(prs) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_AND_CONTENT])
    slide.shapes.title.text = "Learning objectives"
    body = slide.placeholders[1].text_frame
    _bullets(body, [(0, "Identify the three main hazards"), (1, "Slips, trips and falls"),
                    (2, "Level-3 detail: within 24 hours"), (0, "Know where to find help")])
    paragraph = body.add_paragraph()
    paragraph.level = 1
    for text, bold, italic, link in [("Bold part", True, False, None), (" then ", False, False, None),
                                     ("italic", False, True, None), (" and ", False, False, None),
                                     ("a link", False, False, "https://example.org/help")]:
        run = paragraph.add_run()
        run.text = text
        if italic:
            run.font.name = MISSING_FONT
        run.font.bold = bold or None
        run.font.italic = italic or None
        if link:
            run.hyperlink.address = link
    _notes(slide, OBJECTIVES_NOTES)


def add_table_slide(prs) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    slide.shapes.title.text = "Incident statistics"
    rows = [["Site", "2024", "2025"], ["Amsterdam", "12", "7"], ["Rotterdam", "9", "4"], ["Utrecht | centre", "3", "5"]]
    table = slide.shapes.add_table(4, 3, Inches(1), Inches(2), Inches(6), Inches(2)).table
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    _notes(slide, "Incidents went down on most sites.")


def add_pictures_slide(prs) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    slide.shapes.title.text = "Hazard diagram"
    described = slide.shapes.add_picture(io.BytesIO(png_bytes((800, 500), (20, 40, 120), shapes=True)),
                                         Inches(0.5), Inches(2), width=Inches(5))
    set_alt(described, PICTURE_ALT)
    bare = slide.shapes.add_picture(io.BytesIO(png_bytes((300, 300), (200, 30, 30))),
                                    Inches(6), Inches(2), width=Inches(2))
    bare.name = "Red square"
    set_alt(bare, None)
    _notes(slide, "Look at the diagram. Which hazard do you see first?")


def add_hidden_chart_slide(prs) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    slide.shapes.title.text = "Incidents per quarter"
    data = CategoryChartData()
    data.categories = ["Q1", "Q2", "Q3", "Q4"]
    data.add_series("2024", (5, 8, 6, 4))
    data.add_series("2025", (3, 6, 9, 2))
    frame = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(1), Inches(2), Inches(6), Inches(4), data)
    frame.chart.has_title = True
    frame.chart.chart_title.text_frame.text = "Incidents"
    slide._element.set("show", "0")


def add_group_slide(prs, video: Path | None = None) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    slide.shapes.title.text = "Where to find help"
    group = slide.shapes.add_group_shape()
    oval = group.shapes.add_shape(MSO_SHAPE.OVAL, Inches(1), Inches(2), Inches(2), Inches(2))
    oval.text_frame.text = "Ask your supervisor"
    picture = group.shapes.add_picture(io.BytesIO(png_bytes((120, 120), (0, 160, 0))), Inches(4), Inches(2),
                                       width=Inches(1))
    set_alt(picture, GROUP_PICTURE_ALT)
    slide._element.append(etree.fromstring(ANIMATION))
    if video is not None:
        poster = io.BytesIO(png_bytes((320, 240), (90, 90, 90)))
        movie = slide.shapes.add_movie(str(video), Inches(6), Inches(2), Inches(3), Inches(2.25),
                                       poster_frame_image=poster, mime_type="video/mp4")
        set_alt(movie, "Short test-pattern clip")
    _notes(slide, "Help is always close by.")


def add_sound(slide, sound: Path) -> None:
    """A sound on the slide as PowerPoint stores one: a picture shape whose ``a:audioFile`` and
    ``p14:media`` point at the embedded file (python-pptx can only add the video form)."""
    shape = slide.shapes.add_movie(str(sound), Inches(8), Inches(6), Inches(0.5), Inches(0.5), mime_type="audio/mp4")
    video_file = shape._element.xpath("./p:nvPicPr/p:nvPr/a:videoFile")[0]
    video_file.tag = qn("a:audioFile")
    shape.name = "Sound"


def build_deck(path: Path, video: Path | None = None, sound: Path | None = None) -> Path:
    """The import test deck: six slides, the fifth hidden (see the module docstring); ``sound``
    is embedded on the table slide."""
    prs = Presentation()
    add_title_slide(prs)
    add_bullets_slide(prs)
    add_table_slide(prs)
    if sound is not None:
        add_sound(prs.slides[2], sound)
    add_pictures_slide(prs)
    add_hidden_chart_slide(prs)
    add_group_slide(prs, video)
    prs.save(path)
    return path


SMARTART_DATA = """<dgm:dataModel xmlns:dgm="http://schemas.openxmlformats.org/drawingml/2006/diagram"
 xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><dgm:ptLst>
<dgm:pt modelId="1"><dgm:t><a:p><a:r><a:t>Stop</a:t></a:r></a:p></dgm:t></dgm:pt>
<dgm:pt modelId="2"><dgm:t><a:p><a:r><a:t>Check</a:t></a:r></a:p></dgm:t></dgm:pt>
<dgm:pt modelId="3"><dgm:t><a:p><a:r><a:t>Report</a:t></a:r></a:p></dgm:t></dgm:pt>
</dgm:ptLst></dgm:dataModel>"""
SMARTART_FRAME = """<p:graphicFrame xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"
 xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<p:nvGraphicFramePr><p:cNvPr id="40" name="Diagram 1"/><p:cNvGraphicFramePr/><p:nvPr/></p:nvGraphicFramePr>
<p:xfrm><a:off x="0" y="0"/><a:ext cx="100" cy="100"/></p:xfrm><a:graphic>
<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/diagram">
<dgm:relIds xmlns:dgm="http://schemas.openxmlformats.org/drawingml/2006/diagram" r:dm="{rid}" r:lo="" r:qs=""
 r:cs=""/></a:graphicData></a:graphic></p:graphicFrame>"""
ALTERNATE = """<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
 xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"
 xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><mc:Choice Requires="p14"><p:sp/></mc:Choice>
<mc:Fallback><p:sp><p:txBody><a:bodyPr/><a:p><a:r><a:t>E = mc2</a:t></a:r></a:p></p:txBody></p:sp></mc:Fallback>
</mc:AlternateContent>"""
DECORATIVE = ('<a:extLst xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:ext uri="{C183D7F6-B498-'
              '43B3-948B-1728B52AA6E4}"><adec:decorative xmlns:adec="http://schemas.microsoft.com/office/drawing/2017/'
              'decorative" val="1"/></a:ext></a:extLst>')


def build_odd_shapes_deck(path: Path) -> Path:
    """One slide of content a course page has no block for, and pictures whose alt text needs
    care: SmartArt (with its text in the diagram data part), an embedded object, content in
    ``mc:AlternateContent``, a decorative picture, one whose alt text is its file name, one with
    PowerPoint's generated alt text and an EMF picture; no title placeholder text."""
    from pptx.enum.shapes import PROG_ID
    from pptx.opc.package import Part
    from pptx.opc.packuri import PackURI

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    box = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(4), Inches(1))
    box.text_frame.text = "Three steps to take"
    data = Part(PackURI("/ppt/diagrams/data1.xml"),
                "application/vnd.openxmlformats-officedocument.drawingml.diagramData+xml", prs.part.package,
                SMARTART_DATA.encode())
    rid = slide.part.relate_to(data, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/diagramData")
    slide.shapes._spTree.append(etree.fromstring(SMARTART_FRAME.format(rid=rid)))
    slide.shapes.add_ole_object(io.BytesIO(b"not really a workbook"), PROG_ID.XLSX, Inches(1), Inches(4))
    slide.shapes._spTree.append(etree.fromstring(ALTERNATE))
    square = png_bytes((50, 50), (10, 10, 10))
    for name, alt in [("Divider", "A line"), ("Logo", "logo.png"),
                      ("Team photo", "A group of people standing, description automatically generated")]:
        picture = slide.shapes.add_picture(io.BytesIO(square), Inches(6), Inches(1), width=Inches(1))
        picture.name = name
        set_alt(picture, alt)
    slide.shapes[-3]._element.xpath("./p:nvPicPr/p:cNvPr")[0].append(etree.fromstring(DECORATIVE))
    emf = slide.shapes.add_picture(io.BytesIO(png_bytes((20, 20), (0, 0, 0))), Inches(7), Inches(1))
    emf.name = "Vector drawing"
    emf.part.related_part(emf._pic.blip_rId).partname = PackURI("/ppt/media/drawing1.emf")  # python-pptx writes no EMF
    prs.save(path)
    return path


def build_long_deck(path: Path, slides: int = 36) -> Path:
    """A deck of ``slides`` slides, each with a title, bullets, a picture and spoken notes
    (the benchmark's deck: the kind of slide a rapid e-learning course is made of)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    picture = png_bytes((800, 500), (20, 40, 120), shapes=True)
    for number in range(1, slides + 1):
        slide = prs.slides.add_slide(prs.slide_layouts[TITLE_AND_CONTENT])
        slide.shapes.title.text = f"Topic {number}: working safely"
        body = slide.placeholders[1]
        body.width = Inches(7)
        _bullets(body.text_frame, [(0, "Check the area before you start"), (1, "Look for cables and spills"),
                                   (0, "Report anything unsafe"), (1, "Tell your supervisor the same day")])
        shape = slide.shapes.add_picture(io.BytesIO(picture), Inches(8.5), Inches(2), width=Inches(4))
        set_alt(shape, PICTURE_ALT)
        _notes(slide, f"This is topic {number}. Check the area before you start, and look for cables and spills. "
                      "Report anything unsafe to your supervisor on the same day.")
    prs.save(path)
    return path


def revise_deck(source: Path, target: Path) -> Path:
    """A revised version of ``build_deck``: a new slide added at the end, the table slide
    deleted, the group slide moved to the front and the bullet slide's title edited."""
    prs = Presentation(str(source))
    new = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])  # before the deletion: part names stay unique
    new.shapes.title.text = "A new summary slide"
    id_list = prs.slides._sldIdLst
    entries = list(id_list)
    prs.part.drop_rel(entries[2].get(qn("r:id")))
    id_list.remove(entries[2])
    id_list.remove(entries[5])
    id_list.insert(0, entries[5])
    prs.slides[2].shapes.title.text = "Learning objectives (revised)"
    prs.save(target)
    return target


# --------------------------------------------------------------------------- bad inputs
def ole2_file(path: Path, stream: str) -> Path:
    """An OLE2 compound file whose directory names ``stream``: the container PowerPoint uses for a
    password-protected deck (``EncryptedPackage``) and for a 97-2003 .ppt (``PowerPoint Document``)."""
    header = bytearray(512)
    header[:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHH", header, 24, 0x3E, 3, 0xFFFE, 9)  # minor, major version, byte order, 512-byte sectors
    struct.pack_into("<I", header, 48, 1)  # the directory starts at sector 1
    fat = bytearray(b"\xff" * 512)
    struct.pack_into("<III", fat, 0, 0xFFFFFFFD, 0xFFFFFFFE, 0xFFFFFFFE)
    struct.pack_into("<I", header, 76, 0)  # the one FAT sector is sector 0
    struct.pack_into("<I", header, 44, 1)
    directory = bytearray(512)
    for index, name in enumerate(["Root Entry", stream]):
        encoded = (name + "\0").encode("utf-16-le")
        entry = 128 * index
        directory[entry:entry + len(encoded)] = encoded
        struct.pack_into("<H", directory, entry + 64, len(encoded))
        directory[entry + 66] = 5 if index == 0 else 2
    path.write_bytes(bytes(header) + bytes(fat) + bytes(directory))
    return path


def zip_bomb(path: Path) -> Path:
    """A zip shaped like a deck whose one slide part unpacks to 64 MiB of spaces."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("ppt/slides/slide1.xml", b" " * (64 << 20))
    return path


def renamed_zip(path: Path) -> Path:
    """An ordinary zip of two text files, named .pptx."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
        archive.writestr("more/readme.txt", "world")
    return path


def broken_slide_xml(source: Path, target: Path, part: str = "ppt/slides/slide3.xml") -> Path:
    """``source`` with one slide part cut in half (its XML no longer closes)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            new.writestr(info, data[: len(data) // 2] if info.filename == part else data)
    return target


def word_document(path: Path) -> Path:
    """The zip layout of a .docx (a Word document renamed .pptx)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'))
        archive.writestr("word/document.xml", "<w:document xmlns:w='urn:w'/>")
    return path


def empty_deck(path: Path) -> Path:
    """A valid deck with no slides at all."""
    Presentation().save(path)
    return path


def truncated(source: Path, target: Path) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    return target
