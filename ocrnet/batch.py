"""`ocrnet read` over many inputs (images, PDFs page by page, videos): expand folders, skip
finished ones (--resume), write every output atomically, keep going past bad files and pages and
report them at the end."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ocrnet.io import (
    ImageLoadError,
    append_jsonl,
    iter_image_files,
    load_image,
    read_jsonl,
    save_image,
    start_jsonl,
    write_text,
)
from ocrnet.orientation import settled
from ocrnet.outputs import erase_text, overlay, to_markdown, word_mask_records
from ocrnet.pdf import DEFAULT_DPI, PDF_SUFFIXES, PdfPages, is_pdf, page_name
from ocrnet.pipeline import PageOutput, Pipeline, plates
from ocrnet.searchable import SearchablePdf
from ocrnet.types import PageResult
from ocrnet.video import VIDEO_SUFFIXES, Tracker, frames, is_video
from ocrnet.viz.draw import colour_classes


@dataclass
class ReadOutputs:
    """Folders (and the JSON lines file) a batch writes to; None leaves that output out."""

    json: Path | None = None
    viz: Path | None = None
    masks: Path | None = None
    erase: Path | None = None
    markdown: Path | None = None
    word_masks: bool = False  # JSON records carry each word's stroke mask
    searchable: Path | None = None  # one searchable PDF per input (its pages with invisible text)


Outcome = Literal["done", "skipped", "failed"]


@dataclass
class BatchReport:
    """How a batch went: files read, files already done (``--resume``), and each failure with its reason."""

    done: int = 0
    skipped: int = 0
    failed: list[str] = field(default_factory=list)


def expand_inputs(inputs: list[Path]) -> list[Path]:
    """Files to read: folders searched recursively for images, PDFs and videos, each file once, in
    given order."""
    out = []
    for path in inputs:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.suffix.lower() in VIDEO_SUFFIXES | PDF_SUFFIXES)
        out.extend(iter_image_files([path]))
    return sorted(set(out), key=out.index)


def pages(
    source: Path | bytes, stem: str, dpi: float = DEFAULT_DPI, name: str | None = None
) -> Iterator[tuple[str, str, Callable[[], np.ndarray]]]:
    """An image's one page or a PDF's pages, from a file or an upload's bytes (named by ``name``),
    as (name for records, stem for output files, loader); a page is decoded only when its loader is
    called, so a bad page fails alone (ImageLoadError) and one already done (``--resume``) costs
    nothing. A PDF that cannot be opened raises ImageLoadError at once."""
    label = name or str(source)
    if source.startswith(b"%PDF") if isinstance(source, bytes) else is_pdf(source):
        with PdfPages(source, dpi, name=label) as document:
            for number in range(1, len(document) + 1):
                yield page_name(label, number), f"{stem}_p{number}", functools.partial(document.render, number)
    else:
        yield label, stem, functools.partial(load_image, source, name=label)


def record_for(result: PageResult, mode: str, word_masks: bool = False) -> dict:
    """One image's JSON record, with plate or sign summaries where ``mode`` (or, in auto, the page)
    calls for them, and with ``word_masks`` each word's stroke mask (``outputs.word_mask_records``)."""
    record = result.to_dict()
    if word_masks:
        for word, mask in zip(record["words"], word_mask_records(result), strict=True):
            word["mask"] = mask
    plate_list = plates(result)
    if mode == "plate" or (mode == "auto" and plate_list):
        record["plates"] = plate_list
    if mode in ("sign", "auto"):
        signs = [{"lines": [result.lines[li].text for li in b.lines]} for b in result.blocks if b.cls == "sign"]
        if signs or mode == "sign":
            record["signs"] = signs
    if mode == "document":
        record["markdown"] = to_markdown(result)
    return record


def unique_stem(path: Path, used: dict[str, int]) -> str:
    """The name of ``path``'s output files: its stem, numbered from the second file of that stem
    (two folders' ``a.png`` would otherwise overwrite each other's outputs)."""
    stem = path.stem
    used[stem] = used.get(stem, 0) + 1
    return stem if used[stem] == 1 else f"{stem}_{used[stem]}"


def write_page_outputs(page: PageOutput, stem: str, outputs: ReadOutputs) -> None:
    """Write whichever of overlay, masks, text-free image and Markdown the user asked for."""
    result = page.result
    if outputs.viz:
        save_image(outputs.viz / f"{stem}.png", overlay(page.image, result))
    if outputs.masks:
        save_image(outputs.masks / f"{stem}_stroke.png", page.stroke_mask.astype("uint8") * 255)
        save_image(outputs.masks / f"{stem}_classes.png", colour_classes(page.class_map))
    if outputs.erase:
        save_image(outputs.erase / f"{stem}.png", erase_text(page.image, page.text_mask, result))
    if outputs.markdown:
        write_text(outputs.markdown / f"{stem}.md", to_markdown(result))


def run_batch(
    pipeline: Pipeline,
    inputs: list[Path],
    outputs: ReadOutputs,
    mode: str = "auto",
    every: int = 10,
    resume: bool = False,
    echo: Callable[[str], None] = print,
    dpi: float = DEFAULT_DPI,
) -> BatchReport:
    """Read every input with a progress bar; a bad file or PDF page is reported and skipped, never
    fatal. With ``resume`` the images, pages and videos already in the JSON output are not read
    again and searchable PDFs already written are kept; without it every output starts afresh."""
    finished: set[str] = set()
    if resume and outputs.json and outputs.json.exists():
        records = read_jsonl(outputs.json)
        finished = {r["image"] for r in records if "image" in r} | {r["video"] for r in records if r.get("done")}
    elif outputs.json:
        start_jsonl(outputs.json)
    batch = _Batch(pipeline, outputs, mode, echo, finished, resume)
    paths = expand_inputs(inputs)
    used: dict[str, int] = {}
    columns = (TextColumn("read"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns) as progress:
        task = progress.add_task("read", total=len(paths))
        for path in paths:
            stem = unique_stem(path, used)
            try:
                outcome = batch.video(path, every) if is_video(path) else batch.pages(path, stem, dpi)
                if outcome == "done":
                    batch.report.done += 1
                elif outcome == "skipped":
                    batch.report.skipped += 1
            except ImageLoadError as exc:
                batch.report.failed.append(str(exc))
            progress.advance(task)
    return batch.report


@dataclass
class _Batch:
    """What every input of one ``run_batch`` shares; each reader says how its input went: "done"
    (something read), "skipped" (``--resume`` found it done) or "failed" (each failure reported)."""

    pipeline: Pipeline
    outputs: ReadOutputs
    mode: str
    echo: Callable[[str], None]
    finished: set[str]
    resume: bool  # a searchable PDF already written is kept (else every output is written afresh)
    report: BatchReport = field(default_factory=BatchReport)

    def pages(self, path: Path, stem: str, dpi: float) -> Outcome:
        """An image, or each page of a PDF, not done before; a page that cannot be rendered or read
        is reported and the rest go on."""
        outcome: Outcome = "skipped"
        target = self.outputs.searchable / f"{stem}.pdf" if self.outputs.searchable else None
        # a searchable PDF to write needs every page, those done before (--resume) included
        write_pdf = target is not None and not (self.resume and target.exists())
        with SearchablePdf(target, dpi) if write_pdf else nullcontext() as searchable:
            for name, page_stem, load in pages(path, stem, dpi):
                done_before = name in self.finished
                if done_before and searchable is None:
                    continue
                try:
                    page = self.pipeline.run(load(), name=name)
                except ImageLoadError as exc:
                    self.report.failed.append(str(exc))
                    outcome = "failed" if outcome == "skipped" else outcome
                    continue
                if searchable:
                    searchable.add_page(page.image, page.result)
                if not done_before:
                    self._deliver(page, page_stem)
                    outcome = "done"
        return outcome

    def video(self, path: Path, every: int) -> Outcome:
        if str(path) in self.finished:
            return "skipped"
        tracker = Tracker()
        turn = None  # tested frame by frame until one settles it for the rest of the video
        for index, seconds, frame in frames(path, every):
            result = self.pipeline.run(frame, name=f"{path}#{index}", turn=turn).result
            tracker.update(index, seconds, result.words)
            if turn is None and self.pipeline.orientation and settled(result.words, self.pipeline.orientation):
                turn = result.rotation // 90
        if self.outputs.json:
            for track in tracker.tracks:
                append_jsonl(self.outputs.json, track.to_dict(str(path)))
            # a marker line so --resume knows the whole video is done
            append_jsonl(self.outputs.json, {"video": str(path), "tracks": len(tracker.tracks), "done": True})
        return "done"

    def _deliver(self, page: PageOutput, stem: str) -> None:
        """One page's pictures and JSON record, or its text printed when there is no JSON file."""
        write_page_outputs(page, stem, self.outputs)
        if self.outputs.json:
            append_jsonl(self.outputs.json, record_for(page.result, self.mode, self.outputs.word_masks))
        else:
            self.echo(page.result.text or f"{page.result.image}: no text found")
