"""The `ocrnet` command."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from ocrnet.predict.recognition import Recognizer
    from ocrnet.predict.segmentation import Segmenter

app = typer.Typer(
    help="OCRNet: read text in images, with pixel-exact text masks.", no_args_is_help=True, add_completion=False
)
data_app = typer.Typer(help="Inspect real data sets.", no_args_is_help=True)
app.add_typer(data_app, name="data")
train_app = typer.Typer(help="Train the models.", no_args_is_help=True)
app.add_typer(train_app, name="train")
console = Console()
C = TypeVar("C")


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


@app.command()
def synth(
    kind: str = typer.Option(
        "scene,sign,plate,document,receipt",
        help="Comma-separated kinds: scene, sign, plate, document, receipt; crop (a word or line alone) or "
        "scene-words (the words of a scene of each kind in turn, cut as the pipeline cuts them).",
    ),
    n: int = typer.Option(100, "--n", help="How many samples (cycling through the kinds)."),
    out: Path | None = typer.Option(None, help="Folder to write images, masks and annotations.jsonl to."),
    workers: int = typer.Option(1, help="Processes rendering in parallel."),
    seed: int = typer.Option(0, help="Same seed, same data."),
    size: int = typer.Option(640, help="Scene side in pixels."),
    strength: float = typer.Option(1.0, help="Degradation strength: 0 clean, 1 typical, 2 harsh."),
    preview: Path | None = typer.Option(None, help="Write a PNG grid of samples with labels overlaid."),
    bench: bool = typer.Option(False, help="Time rendering on one core and print images per second."),
) -> None:
    """Render synthetic scene text with exact masks, polygons, lines, blocks and classes."""
    from ocrnet.data.synth import KINDS
    from ocrnet.data.synth.writer import CROP_KINDS

    kinds = _split(kind)
    unknown = [k for k in kinds if k not in (*KINDS, *CROP_KINDS)]
    if unknown:
        raise typer.BadParameter(f"unknown kind(s) {', '.join(unknown)}; choose from {', '.join(KINDS + CROP_KINDS)}")
    if preview is not None:
        from ocrnet.data.synth.preview import preview as make_preview
        from ocrnet.io import save_image

        save_image(preview, make_preview(seed, kinds=tuple(k for k in kinds if k not in CROP_KINDS) or KINDS))
        console.print(f"preview written to {preview}")
    if bench:
        _bench_synth(kinds, n, size)
    if out is not None:
        from ocrnet.data.synth.writer import write_dataset

        written = write_dataset(kinds, n, out, workers=workers, seed=seed, size=size, strength=strength)
        console.print(f"{written} new samples in {out} ({n - written} were already there)")
    if preview is None and out is None and not bench:
        raise typer.BadParameter("nothing to do: give --out, --preview or --bench")


def _bench_synth(kinds: list[str], n: int, size: int) -> None:
    from ocrnet.data.synth.writer import render

    render("scene", 99, 0, size)  # load fonts and word list outside the timing
    table = Table("kind", "samples", "images/s (one core)", "ms/image")
    for kind in kinds:
        count = max(n // len(kinds), 5)
        start = time.perf_counter()
        for index in range(count):
            render(kind, 12345, index, size)
        elapsed = time.perf_counter() - start
        table.add_row(kind, str(count), f"{count / elapsed:.1f}", f"{1000 * elapsed / count:.0f}")
    console.print(table)


REC_WEIGHTS_HELP = "Recogniser checkpoint, read alone (default: the shipped reader with its second opinion)."
LEXICON_HELP = "Prefer dictionary words where the image allows them (--no-lexicon: read letter by letter)."


def _recognizer(rec_weights: Path | None, lexicon: bool, **kwargs: Any) -> Recognizer:
    """The shipped readers (word reader and second opinion), or the checkpoint given, read alone."""
    from ocrnet.postprocess.lexicon import Lexicon
    from ocrnet.predict.recognition import Recognizer

    kwargs["lexicon"] = Lexicon.default() if lexicon else None
    return Recognizer.from_checkpoint(rec_weights, **kwargs) if rec_weights else Recognizer.default(**kwargs)


MIN_LONG_SIDE_HELP = "Smaller images are enlarged to this longer side first (small text)."
STROKE_EDGES_HELP = "Decide unsure stroke-mask edges by each word's ink and ground colours (off: the network's map)."


def _segmenter(seg_weights: Path | None, stroke_edges: bool = True, **kwargs: Any) -> Segmenter:
    from ocrnet.postprocess.stroke_edges import StrokeEdgeParams
    from ocrnet.predict.segmentation import Segmenter

    kwargs["stroke_edges"] = StrokeEdgeParams() if stroke_edges else None
    return Segmenter.from_checkpoint(seg_weights, **kwargs) if seg_weights else Segmenter(**kwargs)


WORD_MASKS_HELP = "JSON: give each word its stroke mask (box and 1-bit PNG in base64)."
ORIENT_HELP = "Test pages that read poorly for a quarter or half turn (--no-orient: every page is upright)."


@app.command()
def read(
    inputs: list[Path] = typer.Argument(..., help="Images, PDFs (page by page), folders (recursive) and videos."),
    json_out: Path | None = typer.Option(None, "--json", help="JSON lines: one per image, PDF page or video track."),
    viz: Path | None = typer.Option(None, help="Folder for overlay PNGs (polygons by class, text, legend)."),
    masks: Path | None = typer.Option(None, help="Folder for stroke-mask and class-map PNGs."),
    erase: Path | None = typer.Option(None, help="Folder for images with the text removed."),
    markdown: Path | None = typer.Option(None, help="Folder for Markdown (documents)."),
    searchable: Path | None = typer.Option(
        None, help="Folder for searchable PDFs: each input as pages with its words as invisible, selectable text."
    ),
    mode: str = typer.Option("auto", help="auto, scene, plate, sign or document."),
    every: int = typer.Option(10, help="Video: read every N-th frame."),
    dpi: float = typer.Option(
        200.0, help="PDF: pages are rendered at this resolution; --searchable: image pixels per inch of page."
    ),
    resume: bool = typer.Option(
        False, help="Skip inputs already in the --json file and add to it (else it starts afresh)."
    ),
    seg_weights: Path | None = typer.Option(None, help="Segmentation checkpoint (default: shipped)."),
    rec_weights: Path | None = typer.Option(None, help=REC_WEIGHTS_HELP),
    plate_weights: Path | None = typer.Option(None, help="Plate reader (default: the word reader, no dictionary)."),
    max_side: int = typer.Option(2560, help="Longest side the segmentation network sees."),
    min_long_side: int = typer.Option(960, help=MIN_LONG_SIDE_HELP),
    lexicon: bool = typer.Option(True, "--lexicon/--no-lexicon", help=LEXICON_HELP),
    stroke_edges: bool = typer.Option(True, "--stroke-edges/--no-stroke-edges", help=STROKE_EDGES_HELP),
    word_masks: bool = typer.Option(False, help=WORD_MASKS_HELP),
    orient: bool = typer.Option(True, "--orient/--no-orient", help=ORIENT_HELP),
) -> None:
    """Find and read the text in images, PDFs and videos."""
    from ocrnet.batch import ReadOutputs, run_batch
    from ocrnet.orientation import OrientationParams
    from ocrnet.pipeline import MODES, Pipeline

    if mode not in MODES:
        raise typer.BadParameter(f"unknown mode {mode!r}")
    segmenter = _segmenter(seg_weights, stroke_edges, max_side=max_side, min_long_side=min_long_side)
    plates = _recognizer(plate_weights, lexicon=False) if plate_weights else None
    pipeline = Pipeline(
        segmenter,
        _recognizer(rec_weights, lexicon),
        mode=mode,
        plate_recognizer=plates,
        orientation=OrientationParams() if orient else None,
    )
    outputs = ReadOutputs(
        json=json_out,
        viz=viz,
        masks=masks,
        erase=erase,
        markdown=markdown,
        word_masks=word_masks,
        searchable=searchable,
    )
    report = run_batch(pipeline, inputs, outputs, mode=mode, every=every, resume=resume, echo=console.print, dpi=dpi)
    console.print(f"read {report.done}, skipped {report.skipped} already done, failed {len(report.failed)}")
    for failure in report.failed:
        console.print(f"[red]failed: {failure}[/red]")
    if report.failed:
        raise typer.Exit(1)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0: every interface)."),
    port: int = typer.Option(8000),
    mode: str = typer.Option("auto", help="Default reading mode; a request's ?mode= overrides it."),
    seg_weights: Path | None = typer.Option(None, help="Segmentation checkpoint (default: shipped)."),
    rec_weights: Path | None = typer.Option(None, help=REC_WEIGHTS_HELP),
    lexicon: bool = typer.Option(True, "--lexicon/--no-lexicon", help=LEXICON_HELP),
    stroke_edges: bool = typer.Option(True, "--stroke-edges/--no-stroke-edges", help=STROKE_EDGES_HELP),
    orient: bool = typer.Option(True, "--orient/--no-orient", help=ORIENT_HELP),
    max_upload_mb: float = typer.Option(64.0, help="Refuse uploads larger than this."),
) -> None:
    """Serve read and recognize over HTTP: POST /read, POST /recognize (schema at /openapi.json)."""
    import uvicorn

    from ocrnet.orientation import OrientationParams
    from ocrnet.pipeline import MODES, Pipeline
    from ocrnet.serve import create_app

    if mode not in MODES:
        raise typer.BadParameter(f"unknown mode {mode!r}")
    segmenter, recognizer = _segmenter(seg_weights, stroke_edges), _recognizer(rec_weights, lexicon)
    pipeline = Pipeline(segmenter, recognizer, mode=mode, orientation=OrientationParams() if orient else None)
    uvicorn.run(create_app(pipeline, max_upload_mb=max_upload_mb), host=host, port=port)


@app.command()
def segment(
    images: list[Path] = typer.Argument(..., help="Images, PDFs (page by page) or folders (recursive)."),
    viz: Path = typer.Option(Path("out/segment"), help="Folder for the 2x2 pictures."),
    json_out: Path | None = typer.Option(None, "--json", help="JSON lines: polygons, scores and classes per page."),
    masks: Path | None = typer.Option(None, help="Folder for stroke-mask, region-map and class-map PNGs."),
    dpi: float = typer.Option(200.0, help="PDF: pages are rendered at this resolution."),
    seg_weights: Path | None = typer.Option(None, help="Segmentation checkpoint (default: shipped)."),
    max_side: int = typer.Option(2560, help="Longest side the network sees."),
    min_long_side: int = typer.Option(960, help=MIN_LONG_SIDE_HELP),
    stroke_edges: bool = typer.Option(True, "--stroke-edges/--no-stroke-edges", help=STROKE_EDGES_HELP),
    orient: bool = typer.Option(
        False,
        "--orient/--no-orient",
        help="Find pages given sideways or upside down (the recogniser reads them to tell) and segment"
        " them upright; maps and polygons stay in the pixels given.",
    ),
) -> None:
    """Segment and detect only: polygons, stroke mask, region map and classes, drawn for a person."""
    from rich.progress import track

    from ocrnet.batch import expand_inputs, pages, unique_stem
    from ocrnet.io import ImageLoadError, start_jsonl
    from ocrnet.outputs import write_segmentation
    from ocrnet.pipeline import Pipeline
    from ocrnet.video import is_video

    segmenter = _segmenter(seg_weights, stroke_edges, max_side=max_side, min_long_side=min_long_side)
    pipeline = Pipeline(segmenter=segmenter) if orient else None
    if json_out:
        start_jsonl(json_out)
    failed, used, done = [], {}, 0
    for path in track(expand_inputs(images), description="segment", console=console):
        if is_video(path):
            failed.append(f"{path}: a video (`ocrnet read` follows text through videos; segment reads stills)")
            continue
        try:
            for name, stem, load in pages(path, unique_stem(path, used), dpi):
                try:
                    image = load()
                except ImageLoadError as exc:
                    failed.append(str(exc))
                    continue
                seg, turn = pipeline.segment_upright(image) if pipeline is not None else (segmenter(image), 0)
                write_segmentation(name, image, seg, stem, viz, masks, json_out, 90 * turn)
                done += 1
        except ImageLoadError as exc:  # a PDF that cannot be opened at all
            failed.append(str(exc))
    console.print(f"segmented {done} images or pages, failed {len(failed)}")
    for failure in failed:
        console.print(f"[red]failed: {failure}[/red]")
    if failed:
        raise typer.Exit(1)


@app.command()
def recognize(
    crops: list[Path] = typer.Argument(..., help="Word or line crops: files or folders."),
    json_out: Path | None = typer.Option(None, "--json", help="JSON lines {image, text, score} per crop."),
    rec_weights: Path | None = typer.Option(None, help=REC_WEIGHTS_HELP),
    beam: int = typer.Option(0, help="Beam width (0: greedy)."),
    batch_size: int = typer.Option(64),
    lexicon: bool = typer.Option(True, "--lexicon/--no-lexicon", help=LEXICON_HELP),
) -> None:
    """Recognise cropped words or lines, batched."""
    from rich.progress import track

    from ocrnet.io import ImageLoadError, append_jsonl, iter_image_files, load_image, start_jsonl

    recognizer = _recognizer(rec_weights, lexicon, beam=beam, batch_size=batch_size)
    paths = list(iter_image_files(crops))
    if json_out:
        start_jsonl(json_out)
    failed = []
    for start in track(range(0, len(paths), batch_size), description="recognize", console=console):
        chunk, images = [], []
        for path in paths[start : start + batch_size]:
            try:
                images.append(load_image(path))
                chunk.append(path)
            except ImageLoadError as exc:
                failed.append(str(exc))
        for path, reading in zip(chunk, recognizer(images) if images else [], strict=True):
            if json_out:
                append_jsonl(json_out, reading.record(str(path)))
            else:
                console.print(f"{path}\t{reading.text}\t{reading.score:.3f}")
    for failure in failed:
        console.print(f"[red]failed: {failure}[/red]")
    if failed:
        raise typer.Exit(1)


TURN_HELP = "Turn every image (and its truth) this many quarter turns counter-clockwise first: pages given sideways."
OWN_SPLIT_HELP = "PATH is a folder of your own: split as train --own splits it (val: one item in ten)."
FORMAT_HELP = "icdar2015, icdar2013, words, plates, sroie, synth (scenes) or synth-words (crops)."


def _check_turn(fmt: str, turn: int) -> None:
    """Only real scene sets can be turned (crops and rendered scenes have no page to turn)."""
    from ocrnet.eval.runners import SCENE_FORMATS

    if turn and fmt not in SCENE_FORMATS:
        raise typer.BadParameter(f"--turn applies to {', '.join(SCENE_FORMATS)}")


EVAL_SEG_WEIGHTS_HELP = "Segmentation checkpoint to score in place of the shipped one (engines ocrnet, ocrnet-det)."
EVAL_REC_WEIGHTS_HELP = "Recogniser checkpoint to score alone in place of the shipped readers (engine ocrnet)."


@app.command("eval")
def eval_command(
    path: Path | None = typer.Argument(None, help="Data set folder (not needed for synth and synth-words)."),
    fmt: str = typer.Option(..., "--format", help=FORMAT_HELP),
    engine: str = typer.Option("ocrnet", help="Engine: ocrnet, tesseract, ppocrv4, ppocrv6, easyocr."),
    split: str = typer.Option("val", help="val (held out from training), train or all."),
    own: bool = typer.Option(False, "--own", help=OWN_SPLIT_HELP),
    limit: int | None = typer.Option(None, help="Only the first N items."),
    synth_count: int = typer.Option(500, help="Images (synth) or crops (synth-words) in the synthetic validation set."),
    out: Path | None = typer.Option(None, help="Folder for report.json and predictions.jsonl."),
    turn: int = typer.Option(0, min=0, max=3, help=TURN_HELP),
    seg_weights: Path | None = typer.Option(None, exists=True, dir_okay=False, help=EVAL_SEG_WEIGHTS_HELP),
    rec_weights: Path | None = typer.Option(None, exists=True, dir_okay=False, help=EVAL_REC_WEIGHTS_HELP),
) -> None:
    """Run an engine over a data set and print its figures."""
    import json

    from ocrnet.engines import WEIGHTS_TAKEN, create_engine
    from ocrnet.eval.runners import FORMATS, RENDERED_FORMATS, run_eval, save_report

    if fmt not in FORMATS:
        raise typer.BadParameter(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    if fmt not in RENDERED_FORMATS and path is None:
        raise typer.BadParameter("give the data set folder")
    _check_turn(fmt, turn)
    given = {"seg_weights": seg_weights, "rec_weights": rec_weights}
    unused = [k for k, v in given.items() if v and k not in WEIGHTS_TAKEN.get(engine, ())]
    if unused:
        options = " and ".join("--" + k.replace("_", "-") for k in unused)
        raise typer.BadParameter(f"{options}: engine {engine!r} does not take OCRNet weights of that kind")
    try:
        report, predictions = run_eval(
            create_engine(engine, seg_weights, rec_weights), fmt, path, split, limit, synth_count, turn, own
        )
    except ValueError as exc:  # nothing to score in that folder and split
        raise typer.BadParameter(str(exc)) from exc
    if out:
        save_report(report, predictions, out)
    console.print_json(json.dumps(report))


@app.command()
def compare(
    path: Path | None = typer.Argument(None, help="Data set folder (not needed for synth and synth-words)."),
    engines: str = typer.Option("ocrnet,tesseract,ppocrv4,ppocrv6,easyocr", help="Comma-separated engines."),
    fmt: str = typer.Option(..., "--format", help=FORMAT_HELP),
    split: str = typer.Option("val", help="val, train or all."),
    own: bool = typer.Option(False, "--own", help=OWN_SPLIT_HELP),
    limit: int | None = typer.Option(None, help="Only the first N items."),
    out: Path = typer.Option(Path("out/compare"), help="Folder for table.md, chart.png and per-engine reports."),
    turn: int = typer.Option(0, min=0, max=3, help=TURN_HELP),
    seg_weights: Path | None = typer.Option(None, exists=True, dir_okay=False, help=EVAL_SEG_WEIGHTS_HELP),
    rec_weights: Path | None = typer.Option(None, exists=True, dir_okay=False, help=EVAL_REC_WEIGHTS_HELP),
) -> None:
    """Run several engines on the same images; write a Markdown table and a bar chart."""
    from ocrnet.eval.compare import compare as run_compare

    _check_turn(fmt, turn)
    try:
        table, _ = run_compare(
            _split(engines),
            fmt,
            path,
            out,
            split,
            limit,
            turn=turn,
            own=own,
            seg_weights=seg_weights,
            rec_weights=rec_weights,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    console.print(table)
    console.print(f"table and chart in {out}")


@app.command("tune-db")
def tune_db_command(
    seg_weights: Path | None = typer.Option(None, help="Segmentation checkpoint (default: shipped)."),
    images: int = typer.Option(100, help="Synthetic tuning images (seed 1001, not the validation set)."),
    data: Path | None = typer.Option(None, help="Also a real set with boxes; only its training split is used."),
    fmt: str = typer.Option("auto", "--format", help="Format of --data (icdar2013, icdar2015, plates, sroie)."),
    own: bool = typer.Option(
        False, "--own", help="--data is a folder of your own: its training part is what train --own trains on."
    ),
    top: int = typer.Option(5, help="How many of the best settings to print."),
) -> None:
    """Find the DB thresholds that detect best (mean H-mean over a synthetic tuning set, kept apart
    from the validation set, and the training split of --data); print the best settings."""
    from ocrnet.data.formats import load_dataset
    from ocrnet.data.own import own_split
    from ocrnet.data.splits import TRAIN, scene_split, select
    from ocrnet.eval.tune import tune_db
    from ocrnet.train.seg import TUNING_SEED, synthetic_validation
    from ocrnet.types import Annotation

    real = {}
    if data is not None:
        annotations = load_dataset(data, fmt)
        if annotations and not isinstance(annotations[0], Annotation):
            raise typer.BadParameter(f"{data}: tune-db needs images with boxes, not crops")
        real[data.name] = select(annotations, TRAIN, own_split if own else scene_split)
        if not real[data.name]:
            raise typer.BadParameter(f"{data}: no images with boxes in its training split")
    segmenter = _segmenter(seg_weights)
    sets = {"synthetic": synthetic_validation(images, seed=TUNING_SEED), **real}
    for params, scores, mean in tune_db(segmenter, sets)[:top]:
        per_set = ", ".join(
            f"{name} P={s['precision']:.3f} R={s['recall']:.3f} H={s['hmean']:.3f}" for name, s in scores.items()
        )
        console.print(
            f"binary={params.binary_threshold} box={params.box_threshold} unclip={params.unclip_ratio}: "
            f"mean H={mean:.3f} ({per_set})"
        )


@app.command()
def bench(
    sizes: str = typer.Option("640x480,1280x720,1920x1080", help="Comma-separated WIDTHxHEIGHT."),
    repeats: int = typer.Option(10, help="Images per size."),
    threads: int | None = typer.Option(None, help="Torch threads (default: all cores)."),
    out: Path | None = typer.Option(None, help="Write the report as JSON here."),
    seg_weights: Path | None = typer.Option(
        None, exists=True, dir_okay=False, help="Segmentation checkpoint to time (default: shipped)."
    ),
    rec_weights: Path | None = typer.Option(
        None, exists=True, dir_okay=False, help="Recogniser checkpoint to time (default: shipped)."
    ),
) -> None:
    """Time read, segmentation and recognition; images per second; peak memory; load time."""
    import json

    from ocrnet.eval.bench import run_bench

    parsed = []
    for item in _split(sizes):
        width, height = (int(v) for v in item.lower().split("x"))
        parsed.append((height, width))
    report = run_bench(parsed, repeats, threads, seg_weights, rec_weights)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2))
    console.print_json(json.dumps(report))


@data_app.command("inspect")
def data_inspect(
    paths: list[Path] = typer.Argument(..., help="Data set folders."),
    fmt: str = typer.Option(
        "auto", "--format", help="icdar2015, icdar2013, words, plates, plate_crops, sroie, funsd or auto."
    ),
) -> None:
    """Load data sets with their readers and print what was found."""
    from ocrnet.data.formats import detect_format, load_dataset
    from ocrnet.types import CropSample

    table = Table("folder", "format", "images", "boxes", "don't care", "chars", "other")
    failed = False
    for path in paths:
        try:
            name = detect_format(path) if fmt == "auto" else fmt
            items = load_dataset(path, name)
        except (OSError, ValueError) as exc:
            console.print(f"[red]{path}: {exc}[/red]")
            failed = True
            continue
        if items and isinstance(items[0], CropSample):
            chars = sum(len(c.text) for c in items)
            charset = len(set("".join(c.text for c in items)))
            table.add_row(str(path), name, str(len(items)), "-", "-", str(chars), f"{charset} distinct characters")
            continue
        words = [w for a in items for w in a.words]
        levels = Counter(a.level for a in items)
        extra = ", ".join(f"{k}-level: {v}" for k, v in levels.items())
        table.add_row(
            str(path),
            name,
            str(len(items)),
            str(len(words)),
            str(sum(w.ignore for w in words)),
            str(sum(len(w.text) for w in words if not w.ignore)),
            extra,
        )
    console.print(table)
    if failed:
        raise typer.Exit(1)


OWN_HELP = (
    "Your own data set, format told by its layout (crops with labels.tsv, ICDAR or SROIE boxes, ...);"
    " repeat for more. One item in ten is held out and reported in log.jsonl."
)


def _run_config(config_class: type[C], options: dict[str, Any]) -> C:
    """A training config from a ``train`` command's options, each under its config name (``--synth``
    fills ``synth_dirs``, ``--own`` ``own_dirs``); an option left unset (None) takes the config's default."""
    names = {"synth": "synth_dirs", "own": "own_dirs"}
    given = {names.get(k, k): list(v) if isinstance(v, list) else v for k, v in options.items() if v is not None}
    return config_class(**given)


@train_app.command("rec")
def train_rec(
    out: Path = typer.Option(Path("runs/rec"), help="Run folder: checkpoints, log.jsonl, curves.png."),
    synth: list[Path] = typer.Option([], help="Folders of pre-rendered crops (ocrnet synth --kind crop)."),
    data_root: Path | None = typer.Option(None, help="Real data root (e.g. ../shared/data)."),
    steps: int = typer.Option(30000),
    batch: int = typer.Option(64),
    lr: float = typer.Option(1e-3),
    val_every: int = typer.Option(1000),
    own: list[Path] = typer.Option([], help=OWN_HELP),
    own_share: float = typer.Option(0.5, help="Share of a batch drawn from --own sets (when given)."),
    add_chars: str = typer.Option("", help="Characters your labels need beyond the charset, e.g. 'äöüß'."),
    width: int | None = typer.Option(
        None, help="Channels of the CRNN's first convolution (default: as --init or the run resumed, else 32)."
    ),
    hidden: int | None = typer.Option(
        None, help="BiLSTM hidden size (default: as --init or the run resumed, else 160)."
    ),
    stride: int | None = typer.Option(
        None, help="Input columns per CTC frame: 4, or 2 for twice the frames (default: as --init, else 4)."
    ),
    blocks: int | None = typer.Option(
        None,
        help="Residual blocks after each deep convolution stage; added to --init weights they start as the"
        " identity, so the reader grows from the one it was (default: as --init or the run resumed, else 0).",
    ),
    height: int | None = typer.Option(
        None,
        help="Input rows, 32 or 48; 48 gives small letters more pixels at 2.3 times the cost, and --init"
        " weights of height 32 keep every layer (default: as --init or the run resumed, else 32).",
    ),
    guide: float = typer.Option(
        0.0, help="Weight of an attention decoder's loss guiding the features in training (GTC; 0: CTC alone)."
    ),
    real_share: float = typer.Option(
        0.35, help="Share of real crops in a batch (each real set an equal part of it); the rest synthetic."
    ),
    fresh_share: float = typer.Option(
        0.1, help="Share of synthetic crops rendered during training (costs time; 0 with a large pool)."
    ),
    threads: int | None = typer.Option(None, help="Torch threads (leave a core free for other work)."),
    amp: bool = typer.Option(True, help="bf16 autocast (on a CPU only where it has bf16 units)."),
    resume: bool = typer.Option(True, help="Continue from OUT/last.pt when it exists."),
    init: Path | None = typer.Option(None, help="Start from these weights when there is nothing to resume."),
) -> None:
    """Train the CRNN recogniser; launch with torchrun for several GPUs."""
    options = dict(locals())
    from ocrnet.train.rec import RecTrainConfig, train_recognizer

    cfg = _run_config(RecTrainConfig, options)
    console.print(f"best weights: {train_recognizer(cfg)}")


@train_app.command("calibrate")
def train_calibrate(
    weights: Path = typer.Argument(..., help="Recogniser checkpoint (best_fp16.pt)."),
    out: Path = typer.Option(..., help="Where to write the calibrated checkpoint."),
    data_root: Path | None = typer.Option(None, help="Real data root for held-out crops."),
    own: list[Path] = typer.Option([], help="Your own sets (as train rec --own): their held-out crops join the fit."),
) -> None:
    """Fit the recogniser's confidence calibration on held-out crops."""
    from ocrnet.train.calibrate import calibrate_checkpoint

    a, b, shift = calibrate_checkpoint(weights, data_root, out, own=list(own))
    console.print(f"calibration a={a:.3f} b={b:.3f} dictionary shift={shift:.3f} written to {out}")


@train_app.command("seg")
def train_seg(
    out: Path = typer.Option(Path("runs/seg"), help="Run folder: checkpoints, log.jsonl, curves.png."),
    synth: list[Path] = typer.Option([], help="Folders of pre-rendered scenes (ocrnet synth --out)."),
    data_root: Path | None = typer.Option(None, help="Real data root (e.g. ../shared/data)."),
    own: list[Path] = typer.Option([], help=OWN_HELP),
    own_share: float = typer.Option(0.5, help="Share of a batch drawn from --own sets (when given)."),
    steps: int = typer.Option(6000),
    batch: int = typer.Option(8),
    size: int = typer.Option(320, help="Training crop side."),
    lr: float = typer.Option(2e-3),
    real_share: float = typer.Option(0.25, help="Share of real images in a batch."),
    smear_share: float | None = typer.Option(
        None, help="Share of crops smeared by camera shake, words kept as text (default: SMEAR_SHARE)."
    ),
    val_every: int = typer.Option(500),
    val_images: int = typer.Option(100, help="Synthetic validation images checked during training."),
    skip_channels: int = typer.Option(16, help="Half-resolution stroke branch width (0: off)."),
    refine_channels: int = typer.Option(16, help="Full-resolution stroke refiner width (0: off)."),
    refine_context: int = typer.Option(0, help="Window of the refiner's local ink and paper colours (0: off)."),
    train_only: list[str] = typer.Option([], help="Train only these submodules (e.g. stroke_refiner)."),
    threads: int | None = typer.Option(None, help="Torch threads (leave a core free for other work)."),
    amp: bool = typer.Option(True, help="bf16 autocast (on a CPU only where it has bf16 units)."),
    resume: bool = typer.Option(True, help="Continue from OUT/last.pt when it exists."),
    init: Path | None = typer.Option(None, help="Start from these weights when there is nothing to resume."),
) -> None:
    """Train TextSegNet; launch with torchrun for several GPUs."""
    options = dict(locals())
    from ocrnet.train.seg import SegTrainConfig, train_segmenter

    cfg = _run_config(SegTrainConfig, options)
    console.print(f"best weights: {train_segmenter(cfg)}")


if __name__ == "__main__":
    app()
