"""What the page-orientation test costs and finds, on the held-out real images (SROIE 080-099,
ICDAR 2013's held-out images, held-out plate scenes): each image as given is read with and without
the test in turn (its cost, and whether it ever turns an upright page), and every other image is
also turned by one, two and three quarters (whether it is read upright again, and how many of the
upright reading's words come back). docs/reading.md quotes its figures.

Usage: OMP_NUM_THREADS=1 python scripts/orientation_check.py [DATA_ROOT] [--out FILE.jsonl]
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from ocrnet.data.formats import load_dataset
from ocrnet.data.splits import VAL, scene_split
from ocrnet.io import load_image
from ocrnet.pipeline import Pipeline
from ocrnet.types import Word

SETS = {"sroie": "sroie_dev", "icdar2013": "icdar2013_born_digital", "plates": "plates_us/scenes"}


def held_out(root: Path) -> list[tuple[str, Path]]:
    """(set, image) for every held-out image of the three sets, as `ocrnet eval` splits them;
    receipts and ICDAR 2013 images in the order of their numbers."""
    out = []
    for name, folder in SETS.items():
        annotations = load_dataset(root / folder, name)
        paths = [Path(a.image_path) for i, a in enumerate(annotations) if scene_split(a, i) == VAL]
        if name != "plates":
            paths.sort(key=lambda path: int(re.findall(r"\d+", path.stem)[-1]))
        out += [(name, path) for path in paths]
    return out


def words_in_common(a: list[Word], b: list[Word]) -> int:
    return sum((Counter(w.text for w in a) & Counter(w.text for w in b)).values())


def check(root: Path, out: Path) -> None:
    plain = Pipeline(orientation=None)
    testing = Pipeline(segmenter=plain.segmenter, recognizer=plain.recognizer)
    done = {json.loads(line)["image"] for line in out.read_text().splitlines()} if out.exists() else set()
    for index, (name, path) in enumerate(held_out(root)):
        if str(path) in done:
            continue
        image = load_image(path)
        start = time.perf_counter()
        upright = plain(image)
        plain_s = time.perf_counter() - start
        start = time.perf_counter()
        tested = testing(image)
        tested_s = time.perf_counter() - start
        record = {
            "set": name,
            "image": str(path),
            "words": len(upright.words),
            "plain_s": plain_s,
            "tested_s": tested_s,
            "rotation": tested.rotation,
            "same": words_in_common(upright.words, tested.words),
            "turned": {},
        }
        if index % 2 == 0:
            for turn in (1, 2, 3):
                result = testing(np.ascontiguousarray(np.rot90(image, turn)))
                same = words_in_common(upright.words, result.words)
                record["turned"][turn] = {"rotation": result.rotation, "same": same}
        with out.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
        print(json.dumps(record), flush=True)


def summarise(out: Path) -> None:
    by_set: dict[str, list[dict]] = defaultdict(list)
    for line in out.read_text().splitlines():
        record = json.loads(line)
        by_set[record["set"]].append(record)
    for name, records in by_set.items():
        kept = sum(r["rotation"] == 0 for r in records)
        same = sum(r["same"] for r in records), sum(r["words"] for r in records)
        cost = sum(r["tested_s"] for r in records) / sum(r["plain_s"] for r in records)
        turned = [(r, int(t), v) for r in records for t, v in r["turned"].items()]
        right = sum(v["rotation"] == 90 * ((4 - t) % 4) for _, t, v in turned)
        back = sum(v["same"] for _, _, v in turned), sum(r["words"] for r, _, _ in turned)
        print(
            f"{name}: {len(records)} images as given: {kept} kept upright, words {same[0]}/{same[1]}, time x{cost:.2f};"
            f" turned copies read upright {right}/{len(turned)}, words back {back[0]}/{back[1]}"
        )
    everything = [(r, int(t), v) for records in by_set.values() for r in records for t, v in r["turned"].items()]
    for floor in (5, 10):
        some = [(r, t, v) for r, t, v in everything if r["words"] >= floor]
        right = sum(v["rotation"] == 90 * ((4 - t) % 4) for _, t, v in some)
        print(f"pages with {floor} words or more: turned copies read upright {right}/{len(some)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_root", nargs="?", default="../shared/data", type=Path)
    parser.add_argument("--out", default=Path("runs/orientation_check.jsonl"), type=Path)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    check(args.data_root, args.out)
    summarise(args.out)
