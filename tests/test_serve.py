import io

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from ocrnet.data.synth import generate
from ocrnet.outputs import decode_word_mask
from ocrnet.serve import create_app

from fakes import make_pipeline


def png_bytes(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def sample():
    return generate("sign", (5, 1), size=(256, 256))


def client_for(sample, **kwargs) -> TestClient:
    return TestClient(create_app(make_pipeline(sample), **kwargs))


def test_health_and_schema_without_pages_that_need_the_internet(sample):
    client = client_for(sample)
    answer = client.get("/health")
    assert answer.status_code == 200 and answer.json()["status"] == "ok"
    assert {"/read", "/segment", "/recognize"} <= set(client.get("/openapi.json").json()["paths"])
    assert client.get("/docs").status_code == 404


def test_read_gives_records_and_reports_a_bad_upload_by_name(sample):
    files = [
        ("files", ("sign.png", png_bytes(sample.image), "image/png")),
        ("files", ("broken.jpg", b"\xff\xd8\xff garbage", "image/jpeg")),
    ]
    answer = client_for(sample).post("/read", files=files, params={"word_masks": "true"})
    assert answer.status_code == 200
    body = answer.json()
    assert len(body["results"]) == 1 and len(body["failed"]) == 1 and body["failed"][0].startswith("broken.jpg: ")
    record = body["results"][0]
    assert record["image"] == "sign.png" and (record["width"], record["height"]) == (256, 256)
    expected = {w.text for w in sample.words if not w.ignore}
    assert {w["text"] for w in record["words"]} == expected
    direct = make_pipeline(sample)(sample.image)  # the same reading, in process
    for index, word in enumerate(record["words"]):
        mask = decode_word_mask(word["mask"], record["width"], record["height"])
        assert mask.any() and np.array_equal(mask, direct.word_mask(index))


def test_read_takes_pdfs_page_by_page(sample, write_pdf, tmp_path):
    write_pdf(tmp_path / "doc.pdf", [sample.image, sample.image])
    files = [("files", ("doc.pdf", (tmp_path / "doc.pdf").read_bytes(), "application/pdf"))]
    body = client_for(sample).post("/read", files=files, params={"dpi": 72}).json()
    assert [r["image"] for r in body["results"]] == ["doc.pdf#page=1", "doc.pdf#page=2"]
    assert all(r["width"] == 256 and r["words"] for r in body["results"]) and not body["failed"]


def test_segment_gives_polygons_classes_and_maps_without_reading(sample, write_pdf, tmp_path):
    import base64

    write_pdf(tmp_path / "doc.pdf", [sample.image])
    files = [
        ("files", ("sign.png", png_bytes(sample.image), "image/png")),
        ("files", ("doc.pdf", (tmp_path / "doc.pdf").read_bytes(), "application/pdf")),
        ("files", ("broken.jpg", b"\xff\xd8\xff garbage", "image/jpeg")),
    ]
    pipeline = make_pipeline(sample)
    client = TestClient(create_app(pipeline))
    body = client.post("/segment", files=files, params={"maps": "true", "dpi": 72}).json()
    assert [r["image"] for r in body["results"]] == ["sign.png", "doc.pdf#page=1"]
    assert len(body["failed"]) == 1 and body["failed"][0].startswith("broken.jpg: ")
    record = body["results"][0]
    assert pipeline.recognizer.lexicon_flags == []  # nothing was read
    truth = [w for w in sample.words if not w.ignore]
    assert len(record["polygons"]) == len(truth) and all(p["score"] == 0.95 for p in record["polygons"])
    assert {p["class"] for p in record["polygons"]} <= {"sign", "other"}

    def decoded(key):
        with Image.open(io.BytesIO(base64.b64decode(record[key]))) as png:
            return np.asarray(png)

    assert np.array_equal(decoded("stroke_png").astype(bool), sample.stroke_mask > 0.5)
    assert np.array_equal(decoded("classes_png"), sample.class_map)
    assert decoded("region_png").shape == (256, 256)
    plain = client.post("/segment", files=files[:1]).json()["results"][0]
    assert "stroke_png" not in plain and plain["polygons"] == record["polygons"]


def test_read_refuses_what_it_cannot_read(sample):
    client = client_for(sample, max_upload_mb=0.001)
    big = client.post("/read", files=[("files", ("big.png", b"\0" * 5000, "image/png"))])
    assert big.status_code == 422 and "big.png: larger than" in big.json()["failed"][0]
    pdf = client.post("/read", files=[("files", ("cut.pdf", b"%PDF-1.4 garbage", "application/pdf"))])
    assert pdf.status_code == 422 and pdf.json()["failed"][0].startswith("cut.pdf: cannot open as a PDF")
    files = [("files", ("sign.png", png_bytes(sample.image[:20, :20]), "image/png"))]
    assert client.post("/read", files=files, params={"mode": "poster"}).status_code == 422
    assert client.post("/read").status_code == 422  # no files at all


def test_mode_per_request(sample):
    files = [("files", ("sign.png", png_bytes(sample.image), "image/png"))]
    client = client_for(sample)
    assert "markdown" not in client.post("/read", files=files).json()["results"][0]
    document = client.post("/read", files=files, params={"mode": "document"}).json()["results"][0]
    assert document["markdown"].strip()


def test_recognize_reads_crops_in_order(sample):
    crop = png_bytes(sample.image[:40, :120])
    files = [
        ("files", ("a.png", crop, "image/png")),
        ("files", ("b.txt", b"not an image", "text/plain")),
        ("files", ("c.png", crop, "image/png")),
    ]
    body = client_for(sample).post("/recognize", files=files).json()
    texts = [w.text for w in sample.words if not w.ignore][:2]
    assert [(r["image"], r["text"]) for r in body["results"]] == [("a.png", texts[0]), ("c.png", texts[1])]
    assert body["failed"] == ["b.txt: not an image (unknown or corrupt format)"]


def test_searchable_answers_a_pdf_with_the_words_as_text(sample, write_pdf, tmp_path):
    import json

    import pypdfium2 as pdfium

    write_pdf(tmp_path / "doc.pdf", [sample.image, sample.image])
    client = client_for(sample)
    files = {"file": ("scan é.pdf", (tmp_path / "doc.pdf").read_bytes(), "application/pdf")}
    answer = client.post("/searchable", files=files, params={"dpi": 72})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert 'filename="scan__.pdf"' in answer.headers["content-disposition"]
    assert json.loads(answer.headers["x-ocrnet-failed"]) == []
    document = pdfium.PdfDocument(answer.content)
    words = sorted(t for w in sample.words if not w.ignore for t in w.text.split())
    assert len(document) == 2 and sorted(document[1].get_textpage().get_text_range().split()) == words
    broken = client.post("/searchable", files={"file": ("x.png", b"garbage", "image/png")})
    assert broken.status_code == 422 and broken.json()["failed"][0].startswith("x.png: ")


def test_searchable_joins_several_uploads_in_order_and_names_the_bad_one(sample, write_pdf, tmp_path):
    import json

    import cv2
    import pypdfium2 as pdfium

    write_pdf(tmp_path / "doc.pdf", [sample.image, sample.image])
    small = cv2.imencode(".png", cv2.resize(sample.image, None, fx=0.5, fy=0.5)[..., ::-1])[1].tobytes()
    uploads = [
        ("file", ("first.png", small, "image/png")),
        ("file", ("bad.png", b"garbage", "image/png")),
        ("file", ("doc.pdf", (tmp_path / "doc.pdf").read_bytes(), "application/pdf")),
    ]
    answer = client_for(sample).post("/searchable", files=uploads, params={"dpi": 72})
    assert answer.status_code == 200 and 'filename="first.pdf"' in answer.headers["content-disposition"]
    failed = json.loads(answer.headers["x-ocrnet-failed"])
    assert len(failed) == 1 and failed[0].startswith("bad.png: ")
    document = pdfium.PdfDocument(answer.content)
    sizes = [document[i].get_size() for i in range(len(document))]
    assert len(document) == 3 and sizes[0][0] < sizes[1][0] == sizes[2][0]  # the half-size photo first
