"""Regenerate the README's results section: `ocrnet compare` on the shared data sets, then the
tables and charts are written to docs/results/ and pasted between the README's markers.

Usage: python scripts/results.py [DATA_ROOT] [--engines ocrnet,tesseract,...] [--reuse tesseract,...]
"""

from __future__ import annotations

import argparse
import platform
import re
from pathlib import Path

import torch

from ocrnet.eval.compare import compare

SETS = (  # format, data folder under DATA_ROOT, results folder under --out, title
    (
        "icdar2015",
        "icdar2015_dev",
        "blurred_scenes",
        "ICDAR 2015 dev copy (held-out even-numbered half, 25 images, heavy motion blur)",
    ),
    ("icdar2013", "icdar2013_born_digital", "born_digital", "ICDAR 2013 born-digital (held-out fifth, 82 images)"),
    ("plates", "plates_us/scenes", "plate_scenes", "US plate scenes (held-out quarter)"),
    ("sroie", "sroie_dev", "receipts", "SROIE receipts (held-out 080-099)"),
    ("words", "words/svt_train", "street_words", "SVT word crops (held out)"),
    ("words", "words/iiit5k_train", "printed_words", "IIIT5K word crops (held-out first 300)"),
)
START, END = "<!-- results:start -->", "<!-- results:end -->"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_root", nargs="?", default="../shared/data")
    parser.add_argument("--engines", default="ocrnet,tesseract,ppocrv4,ppocrv6,easyocr")
    parser.add_argument("--out", default="docs/results")
    parser.add_argument("--reuse", default="", help="Engines whose saved reports are taken as they are.")
    args = parser.parse_args()
    root, out = Path(args.data_root), Path(args.out)
    sections = [
        f"Measured on {platform.machine()} with {torch.get_num_threads()} threads "
        f"({platform.processor() or 'CPU'}), split `val` (never trained on)."
    ]
    for fmt, rel, name, title in SETS:
        if not (root / rel).is_dir():
            continue
        folder = out / name
        table, _ = compare(args.engines.split(","), fmt, root / rel, folder, reuse=set(args.reuse.split(",")))
        sections.append(f"**{title}**\n\n{table}\n![{title}]({folder}/chart.png)")
    block = "\n\n".join(sections)
    readme = Path("README.md")
    text = readme.read_text()
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    readme.write_text(pattern.sub(f"{START}\n{block}\n{END}", text))
    print(block)


if __name__ == "__main__":
    main()
