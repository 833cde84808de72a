import json

import numpy as np

from ocrnet.batch import ReadOutputs, run_batch
from ocrnet.data.synth import generate
from ocrnet.io import save_image
from ocrnet.searchable import text_quad
from ocrnet.types import Word

from fakes import make_pipeline


def test_searchable_pdfs_carry_each_word_over_its_pixels(tmp_path, write_pdf):
    import pypdfium2 as pdfium

    sample = generate("sign", (5, 1), size=(256, 256))
    write_pdf(tmp_path / "in" / "doc.pdf", [sample.image, sample.image])
    save_image(tmp_path / "in" / "photo.png", sample.image)
    outputs = ReadOutputs(json=tmp_path / "o.jsonl", searchable=tmp_path / "pdf")
    report = run_batch(make_pipeline(sample), [tmp_path / "in"], outputs, dpi=144)
    assert report.done == 2 and sorted(p.name for p in (tmp_path / "pdf").iterdir()) == ["doc.pdf", "photo.pdf"]
    record = json.loads((tmp_path / "o.jsonl").read_text().splitlines()[-1])
    document = pdfium.PdfDocument(tmp_path / "pdf" / "doc.pdf")
    assert len(document) == 2 and document[1].get_size() == (256.0, 256.0)  # one PDF per input, at its size
    page = pdfium.PdfDocument(tmp_path / "pdf" / "photo.pdf")[0]
    assert page.get_size() == (128.0, 128.0)  # 256 px at 144 pixels an inch: 2 inches, 128 points
    text = page.get_textpage()
    assert text.get_text_range().split() == [t for line in record["lines"] for t in line["text"].split()]
    # the first word's first letter lies inside that word's box (PDF points, y up)
    first = np.array(record["words"][0]["polygon"]) / 2
    left, bottom, right, top = text.get_charbox(0)
    x0, y0 = first.min(0)
    x1, y1 = first.max(0)
    assert x0 - 1 <= left <= right <= x1 + 1 and 128 - y1 - 1 <= bottom <= top <= 128 - y0 + 1


def test_a_word_reading_upwards_starts_where_its_polygon_does():
    # a curved word turned a quarter counter-clockwise: it reads bottom to top, its polygon starting
    # at the text's top-left, which lies at the bottom left in the image
    polygon = [[40, 200], [40, 120], [45, 80], [50, 40], [80, 40], [75, 80], [70, 120], [80, 200]]
    quad = text_quad(Word(polygon=polygon, text="word", score=1.0))
    assert np.linalg.norm(quad[0] - [40, 200]) < 10  # top-left of the text
    along, down = quad[1] - quad[0], quad[3] - quad[0]
    assert along[1] < -100 and abs(along[0]) < 20  # reads upwards
    assert down[0] > 25  # the text's foot lies to the right


def test_resume_completes_a_searchable_pdf_without_reading_twice_into_json(tmp_path, write_pdf):
    import pypdfium2 as pdfium

    sample = generate("sign", (5, 1), size=(256, 256))
    write_pdf(tmp_path / "doc.pdf", [sample.image, sample.image])
    outputs = ReadOutputs(json=tmp_path / "o.jsonl")
    run_batch(make_pipeline(sample), [tmp_path / "doc.pdf"], outputs, dpi=72)
    lines = (tmp_path / "o.jsonl").read_text().splitlines()
    (tmp_path / "o.jsonl").write_text(lines[0] + "\n")  # as if stopped after the first page
    outputs.searchable = tmp_path / "pdf"
    again = run_batch(make_pipeline(sample), [tmp_path / "doc.pdf"], outputs, resume=True, dpi=72)
    assert again.done == 1 and len((tmp_path / "o.jsonl").read_text().splitlines()) == 2  # page 2 only
    assert len(pdfium.PdfDocument(tmp_path / "pdf" / "doc.pdf")) == 2  # both pages in the PDF
    done = run_batch(make_pipeline(sample), [tmp_path / "doc.pdf"], outputs, resume=True, dpi=72)
    assert done.skipped == 1  # the PDF is there and every page done: nothing read
    (tmp_path / "pdf" / "doc.pdf").write_bytes(b"stale")
    anew = run_batch(make_pipeline(sample), [tmp_path / "doc.pdf"], outputs, dpi=72)
    assert anew.done == 1 and len(pdfium.PdfDocument(tmp_path / "pdf" / "doc.pdf")) == 2  # written afresh
