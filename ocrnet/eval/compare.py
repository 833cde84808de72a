"""`ocrnet compare`: several engines on the same images, one Markdown table and one chart."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from ocrnet.engines import create_engine
from ocrnet.engines.base import EngineUnavailable
from ocrnet.eval.runners import CROP_FORMATS, run_eval, save_report

#: The headline figures per format: (label, path into the report).
HEADLINES: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "icdar2015": [
        ("det H", ("detection", "hmean")),
        ("e2e H", ("end_to_end", "hmean")),
        ("BoW F1", ("bag_of_words", "f1")),
    ],
    "icdar2013": [
        ("det H", ("detection", "hmean")),
        ("e2e H", ("end_to_end", "hmean")),
        ("BoW F1", ("bag_of_words", "f1")),
    ],
    "synth": [
        ("det H", ("detection", "hmean")),
        ("e2e H", ("end_to_end", "hmean")),
        ("BoW F1", ("bag_of_words", "f1")),
    ],
    "sroie": [("token F1", ("token_f1", "f1"))],
    "plates": [("plates read", ("plate_accuracy",)), ("plates found", ("plate_found",))],
    "words": [("word acc", ("accuracy",)), ("acc (case)", ("accuracy_case_sensitive",)), ("1-NED", ("one_minus_ned",))],
}
HEADLINES["synth-words"] = HEADLINES["words"]


def _get(report: dict[str, Any], path: tuple[str, ...]) -> float | None:
    value: Any = report
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return float(value) if value is not None else None


def seconds_of(report: dict[str, Any]) -> float | None:
    """Seconds per image, or per crop for word sets (where reports give a rate instead)."""
    if report.get("seconds_median") is not None:
        return report["seconds_median"]
    rate = report.get("crops_per_second")
    return 1.0 / rate if rate else None


def compare(
    engines: list[str],
    fmt: str,
    path: Path | None,
    out: Path,
    split: str = "val",
    limit: int | None = None,
    reuse: Collection[str] = (),
    turn: int = 0,
    own: bool = False,
    seg_weights: Path | None = None,
    rec_weights: Path | None = None,
) -> tuple[str, dict[str, dict[str, Any]]]:
    """Run each engine on the set and tabulate; an engine in ``reuse`` with a saved report under
    ``out`` made with the same ``turn`` is not run again (other engines' figures do not change when
    only OCRNet does). ``turn``: real scene images (and truth) turned that many quarter turns first;
    ``own``: the folder is one of your own (``run_eval``); ``seg_weights`` / ``rec_weights``: OCRNet
    checkpoints in place of the shipped ones (``create_engine``)."""
    reports: dict[str, dict[str, Any]] = {}
    skipped: dict[str, str] = {}
    for name in engines:
        saved = out / name / "report.json"
        if name in reuse and saved.is_file():
            report = json.loads(saved.read_text())
            if report.get("turned_degrees", 0) == 90 * (turn % 4):
                reports[name] = report
                continue
        try:
            engine = create_engine(name, seg_weights, rec_weights)
        except EngineUnavailable as exc:
            skipped[name] = str(exc)
            continue
        report, predictions = run_eval(engine, fmt, path, split, limit, turn=turn, own=own)
        save_report(report, predictions, out / name)
        reports[name] = report
    columns = HEADLINES[fmt]
    speed = "s/crop" if fmt in CROP_FORMATS else "s/image"
    lines = [
        f"| engine | {' | '.join(label for label, _ in columns)} | {speed} (median) |",
        "|---" * (len(columns) + 2) + "|",
    ]
    for name, report in reports.items():
        cells = [_fmt(_get(report, p)) for _, p in columns]
        seconds = seconds_of(report)
        lines.append(
            f"| {name} | {' | '.join(cells)} | {seconds:.3f} |"
            if seconds is not None
            else f"| {name} | {' | '.join(cells)} | - |"
        )
    for name, reason in skipped.items():
        lines.append(f"| {name} | not run: {reason} |")
    table = "\n".join(lines) + "\n"
    out.mkdir(parents=True, exist_ok=True)
    turned = f", turned {90 * (turn % 4)} degrees" if turn % 4 else ""
    (out / "table.md").write_text(f"{fmt} ({path or 'synthetic validation'}, split {split}{turned})\n\n{table}")
    if reports:
        chart(reports, columns, fmt, out / "chart.png")
    return table, reports


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def chart(
    reports: dict[str, dict[str, Any]], columns: Sequence[tuple[str, tuple[str, ...]]], fmt: str, path: Path
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    names = list(reports)
    fig, (acc_ax, speed_ax) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [2, 1]})
    width = 0.8 / len(columns)
    x = np.arange(len(names))
    for i, (label, p) in enumerate(columns):
        values = [_get(reports[n], p) or 0.0 for n in names]
        acc_ax.bar(x + i * width, values, width, label=label)
    acc_ax.set_xticks(x + width * (len(columns) - 1) / 2, names)
    acc_ax.set_ylim(0, 1)
    acc_ax.set_title(f"{fmt}: accuracy")
    acc_ax.legend(fontsize=8)
    speed_ax.bar(names, [seconds_of(reports[n]) or 0.0 for n in names], color="grey")
    speed_ax.set_title("seconds per " + ("crop" if fmt in CROP_FORMATS else "image") + " (median)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
