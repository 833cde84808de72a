"""`ocrnet read` over many inputs: expand folders, skip finished ones (--resume), write every
output atomically, keep going past bad files and report them at the end."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ocrnet.io import ImageLoadError, append_jsonl, iter_image_files, read_jsonl, save_image, write_text
from ocrnet.outputs import erase_text, overlay, to_markdown
from ocrnet.pipeline import PageOutput, Pipeline, plates
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


@dataclass
class BatchReport:
    """How a batch went: files read, files already done (``--resume``), and each failure with its reason."""

    done: int = 0
    skipped: int = 0
    failed: list[str] = field(default_factory=list)


def expand_inputs(inputs: list[Path]) -> list[Path]:
    """Files to read: folders searched recursively for images and videos, each file once, in given order."""
    out = []
    for path in inputs:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.suffix.lower() in VIDEO_SUFFIXES)
        out.extend(iter_image_files([path]))
    return sorted(set(out), key=out.index)


def record_for(result: PageResult, mode: str) -> dict:
    """One image's JSON record, with plate or sign summaries where ``mode`` (or, in auto, the page) calls for them."""
    record = result.to_dict()
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


def _unique_stem(path: Path, used: dict[str, int]) -> str:
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
        save_image(outputs.erase / f"{stem}.png", erase_text(page.image, page.stroke_mask, result))
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
) -> BatchReport:
    """Read every input with a progress bar; a bad file is reported and skipped, never fatal, and with
    ``resume`` the images already in the JSON output are not read again."""
    report = BatchReport()
    finished = set()
    if resume and outputs.json and outputs.json.exists():
        records = read_jsonl(outputs.json)
        finished = {r["image"] for r in records if "image" in r} | {r["video"] for r in records if r.get("done")}
    paths = expand_inputs(inputs)
    used: dict[str, int] = {}
    columns = (TextColumn("read"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns) as progress:
        task = progress.add_task("read", total=len(paths))
        for path in paths:
            stem = _unique_stem(path, used)
            if str(path) in finished:
                report.skipped += 1
                progress.advance(task)
                continue
            try:
                if is_video(path):
                    _read_video(pipeline, path, outputs, every)
                else:
                    page = pipeline.run(path)
                    write_page_outputs(page, stem, outputs)
                    record = record_for(page.result, mode)
                    if outputs.json:
                        append_jsonl(outputs.json, record)
                    else:
                        echo(page.result.text or f"{path}: no text found")
                report.done += 1
            except ImageLoadError as exc:
                report.failed.append(str(exc))
            progress.advance(task)
    return report


def _read_video(pipeline: Pipeline, path: Path, outputs: ReadOutputs, every: int) -> None:
    tracker = Tracker()
    for index, seconds, frame in frames(path, every):
        tracker.update(index, seconds, pipeline.run(frame, name=f"{path}#{index}").result.words)
    for track in tracker.tracks:
        if outputs.json:
            append_jsonl(outputs.json, track.to_dict(str(path)))
    if outputs.json:  # a marker line so --resume knows the whole video is done
        append_jsonl(outputs.json, {"video": str(path), "tracks": len(tracker.tracks), "done": True})
