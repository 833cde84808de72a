#!/usr/bin/env bash
# Every figure the issues ask for, with the shipped models, into out/measure/ (reports as JSON).
set -uo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data}
OUT=${2:-out/measure}
O=.venv/bin/ocrnet
mkdir -p "$OUT"
$O synth --bench --n 200 --kind scene,sign,plate,document,receipt,crop | tee "$OUT/synth_bench.txt"
$O data inspect "$DATA"/* "$DATA"/words/* "$DATA"/plates_us/* | tee "$OUT/data_inspect.txt"
$O eval --format synth --synth-count 500 --out "$OUT/synth"
$O eval --format icdar2015 "$DATA/icdar2015_dev" --out "$OUT/icdar2015"
$O eval --format icdar2013 "$DATA/icdar2013_born_digital" --out "$OUT/icdar2013"
$O eval --format sroie "$DATA/sroie_dev" --out "$OUT/sroie"
$O eval --format plates "$DATA/plates_us/scenes" --out "$OUT/plates"
$O eval --format words "$DATA/words/iiit5k_train" --out "$OUT/iiit5k"
$O eval --format words "$DATA/words/svt_train" --out "$OUT/svt"
$O eval --format words "$DATA/plates_us/crops" --out "$OUT/plate_crops"
$O bench --sizes 640x480,1280x720,1920x1080 --repeats 10 --out "$OUT/bench.json"
