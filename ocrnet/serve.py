"""`ocrnet serve`: the reader over HTTP, so that programs in other languages, or on other machines,
share one loaded copy of the models. Answers are the JSON records of ``ocrnet read --json`` (or of
``ocrnet segment --json``), one per image or PDF page; a bad upload is reported by name while the
others in the request are read."""

from __future__ import annotations

import json
import re
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from fastapi import FastAPI, File, Query, UploadFile
from fastapi.responses import JSONResponse, Response

from ocrnet import __version__
from ocrnet.batch import pages as batch_pages
from ocrnet.batch import record_for
from ocrnet.io import ImageLoadError, load_image
from ocrnet.outputs import segmentation_maps, segmentation_record
from ocrnet.pdf import DEFAULT_DPI
from ocrnet.pipeline import Pipeline
from ocrnet.predict.recognition import Recognizer
from ocrnet.searchable import SearchablePdf

#: Uploads above this size are refused unread (a photo is a few MB; a scanned PDF tens).
DEFAULT_MAX_UPLOAD_MB = 64.0

Mode = Literal["auto", "scene", "plate", "sign", "document"]


@dataclass
class Answer:
    """What one request gives back: a record per image, PDF page or crop, and each failure's reason."""

    results: list[dict[str, Any]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def response(self) -> JSONResponse:
        """200 when something was read (or nothing was sent); 422 when every upload failed."""
        status = 422 if self.failed and not self.results else 200
        return JSONResponse({"results": self.results, "failed": self.failed}, status_code=status)


def create_app(
    pipeline: Pipeline, recognizer: Recognizer | None = None, max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB
) -> FastAPI:
    """The service around loaded models: ``pipeline`` reads pages (its mode is each request's
    default), ``recognizer`` (by default the pipeline's) reads crops. Inference runs one request at
    a time: the models already use every core, and two requests at once would only slow both."""
    app = FastAPI(  # no /docs page: its scripts would come from a CDN, and the service runs offline
        title="OCRNet",
        version=__version__,
        description="Text, polygons, classes and stroke masks of every word in images and PDFs.",
        docs_url=None,
        redoc_url=None,
    )
    reader = recognizer or pipeline.recognizer
    busy = threading.Lock()
    max_bytes = int(max_upload_mb * 2**20)

    def uploads(files: list[UploadFile], answer: Answer) -> list[tuple[str, bytes]]:
        """Each upload's name and bytes; those too large are reported and left out."""
        out = []
        for index, upload in enumerate(files):
            name = upload.filename or f"<upload {index + 1}>"
            data = upload.file.read(max_bytes + 1)
            if len(data) > max_bytes:
                answer.failed.append(f"{name}: larger than the {max_upload_mb:g} MB this server accepts")
            else:
                out.append((name, data))
        return out

    def pages(files: list[UploadFile], dpi: float, answer: Answer) -> Iterator[tuple[str, np.ndarray]]:
        """(name, decoded image) for each upload and each page of an uploaded PDF; an upload, PDF or
        page that cannot be decoded is reported and the rest go on."""
        for upload, data in uploads(files, answer):
            try:
                for name, _, load in batch_pages(data, upload, dpi, name=upload):
                    try:
                        yield name, load()
                    except ImageLoadError as exc:  # one damaged image or page; the others are read
                        answer.failed.append(str(exc))
            except ImageLoadError as exc:  # a PDF that cannot be opened at all
                answer.failed.append(str(exc))

    @app.get("/health")
    def health() -> dict[str, str]:
        """Whether the service is up, and which version answers."""
        return {"status": "ok", "version": __version__}

    @app.post("/read")
    def read(
        files: list[UploadFile] = File(..., description="Images (any format Pillow decodes) or PDFs."),
        mode: Mode | None = Query(None, description="Reading mode; the server's own by default."),
        word_masks: bool = Query(False, description="Give each word its stroke mask (1-bit PNG, base64)."),
        dpi: float = Query(DEFAULT_DPI, gt=0, le=1200, description="PDF pages are rendered at this resolution."),
    ) -> JSONResponse:
        """Read every upload: one record per image and per PDF page, as `ocrnet read --json` writes."""
        reading = pipeline if mode is None else pipeline.with_mode(mode)
        answer = Answer()
        for name, image in pages(files, dpi, answer):
            with busy:
                result = reading.run(image, name=name).result
            answer.results.append(record_for(result, reading.mode, word_masks))
        return answer.response()

    @app.post("/searchable", response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
    def searchable(
        file: list[UploadFile] = File(..., description="Images or PDFs; several make one PDF, in order."),
        mode: Mode | None = Query(None, description="Reading mode; the server's own by default."),
        dpi: float = Query(DEFAULT_DPI, gt=0, le=1200, description="PDF pages are rendered at this resolution."),
    ) -> Response:
        """The uploads as one searchable PDF (as `ocrnet read --searchable` writes): their pages, in
        the order sent, with every word as invisible, selectable text; several photos of a letter
        make one document. Uploads and pages that could not be read are left out and named in the
        ``X-OCRNet-Failed`` header (a JSON list); 422 with the usual answer when none could. The
        field stays ``file``, repeated, so a client that sends one upload is answered as before."""
        reading = pipeline if mode is None else pipeline.with_mode(mode)
        answer = Answer()
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / "searchable.pdf"
            with SearchablePdf(target, dpi) as pdf:
                for name, image in pages(file, dpi, answer):
                    with busy:
                        page = reading.run(image, name=name)
                    pdf.add_page(page.image, page.result)
            if not target.exists():
                return answer.response()
            stem = re.sub(r"[^A-Za-z0-9._-]", "_", Path(file[0].filename or "upload").stem)  # header-safe
            headers = {
                "Content-Disposition": f'attachment; filename="{stem}.pdf"',
                "X-OCRNet-Failed": json.dumps(answer.failed),  # ASCII: json escapes the rest
            }
            return Response(target.read_bytes(), media_type="application/pdf", headers=headers)

    @app.post("/segment")
    def segment(
        files: list[UploadFile] = File(..., description="Images (any format Pillow decodes) or PDFs."),
        maps: bool = Query(False, description="Add the stroke mask, region and class maps (PNG, base64)."),
        dpi: float = Query(DEFAULT_DPI, gt=0, le=1200, description="PDF pages are rendered at this resolution."),
    ) -> JSONResponse:
        """Segment and detect without reading: polygons with score and class per image and PDF page,
        as `ocrnet segment --json` writes; with ``maps`` the page's maps too."""
        answer = Answer()
        for name, image in pages(files, dpi, answer):
            with busy:
                seg = pipeline.segmenter(image)
            record = segmentation_record(name, image, seg)
            answer.results.append(record | segmentation_maps(seg) if maps else record)
        return answer.response()

    @app.post("/recognize")
    def recognize(
        files: list[UploadFile] = File(..., description="Word or line crops."),
    ) -> JSONResponse:
        """Read cropped words or lines: {"image", "text", "score"} per crop, as `ocrnet recognize` writes."""
        answer = Answer()
        names, crops = [], []
        for name, data in uploads(files, answer):
            try:
                crops.append(load_image(data, name=name))
                names.append(name)
            except ImageLoadError as exc:
                answer.failed.append(str(exc))
        if crops:
            with busy:
                readings = reader(crops)
            answer.results = [reading.record(name) for name, reading in zip(names, readings, strict=True)]
        return answer.response()

    return app
