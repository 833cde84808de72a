from pathlib import Path

from typer.testing import CliRunner

from ocrnet.cli import app

runner = CliRunner()


def test_synth_out_and_preview(tmp_path):
    result = runner.invoke(
        app,
        [
            "synth",
            "--kind",
            "sign,crop",
            "--n",
            "2",
            "--size",
            "192",
            "--out",
            str(tmp_path / "d"),
            "--preview",
            str(tmp_path / "p.png"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "p.png").is_file() and (tmp_path / "d" / "annotations.jsonl").is_file()


def test_synth_rejects_unknown_kind():
    result = runner.invoke(app, ["synth", "--kind", "moon", "--preview", "x.png"])
    assert result.exit_code != 0


def test_data_inspect(tmp_path):
    (tmp_path / "IMG").mkdir()
    from PIL import Image

    Image.new("RGB", (8, 8)).save(tmp_path / "IMG" / "1.jpg")
    (tmp_path / "labels.tsv").write_text("IMG/1.jpg\tHi\n")
    result = runner.invoke(app, ["data", "inspect", str(tmp_path)])
    assert result.exit_code == 0 and "words" in result.output
    bad = runner.invoke(app, ["data", "inspect", str(tmp_path / "missing")])
    assert bad.exit_code == 1


def _tiny_weights(tmp_path):
    from ocrnet.models.checkpoint import export_weights
    from ocrnet.models.recognizer import CRNN, CRNNConfig
    from ocrnet.models.segnet import TextSegNet, TextSegNetConfig

    seg_cfg = TextSegNetConfig(backbone="resnet10", base_width=16, fpn_channels=16, key_channels=8)
    rec_cfg = CRNNConfig(width=8, hidden=16)
    export_weights(TextSegNet(seg_cfg), seg_cfg, tmp_path / "seg.pt")
    export_weights(CRNN(rec_cfg), rec_cfg, tmp_path / "rec.pt", {"calibration": [1.0, 0.0]})
    return tmp_path / "seg.pt", tmp_path / "rec.pt"


def test_recognize_writes_json_lines_and_reports_bad_files(tmp_path):
    import json

    from ocrnet.data.synth import generate_crop
    from ocrnet.io import save_image

    _, rec = _tiny_weights(tmp_path)
    for i in range(3):
        save_image(tmp_path / "crops" / f"{i}.png", generate_crop((1, i))[0])
    (tmp_path / "crops" / "bad.png").write_text("not an image")
    args = ["recognize", str(tmp_path / "crops"), "--rec-weights", str(rec), "--json", str(tmp_path / "r.jsonl")]
    for _ in range(2):  # a second run writes the file afresh
        result = runner.invoke(app, args)
        assert result.exit_code == 1 and "bad.png" in result.output
        records = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
        assert len(records) == 3 and set(records[0]) == {"image", "text", "score"}


def test_read_runs_end_to_end_with_given_weights(tmp_path):
    import json

    from ocrnet.data.synth import generate
    from ocrnet.io import save_image

    seg, rec = _tiny_weights(tmp_path)
    save_image(tmp_path / "in" / "a.jpg", generate("sign", (1, 1), size=(128, 160)).image)
    result = runner.invoke(
        app,
        [
            "read",
            str(tmp_path / "in"),
            "--seg-weights",
            str(seg),
            "--rec-weights",
            str(rec),
            "--json",
            str(tmp_path / "o.jsonl"),
            "--viz",
            str(tmp_path / "v"),
            "--mode",
            "plate",
        ],
    )
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "o.jsonl").read_text())
    assert record["width"] == 160 and record["height"] == 128 and "plates" in record
    assert (tmp_path / "v" / "a.png").is_file()
    bad_mode = runner.invoke(app, ["read", str(tmp_path / "in"), "--mode", "moon"])
    assert bad_mode.exit_code != 0


def test_segment_draws_pictures_writes_maps_and_reads_pdfs(tmp_path, write_pdf):
    import json

    from ocrnet.data.synth import generate
    from ocrnet.io import save_image

    seg, _ = _tiny_weights(tmp_path)
    plate, sign = (generate(kind, (1, 1), size=(96, 128)).image for kind in ("plate", "sign"))
    save_image(tmp_path / "in" / "a.png", plate)
    save_image(tmp_path / "in" / "more" / "a.png", sign)
    write_pdf(tmp_path / "in" / "doc.pdf", [plate, sign])
    (tmp_path / "in" / "bad.png").write_bytes(b"not an image")
    args = ["segment", str(tmp_path / "in"), "--seg-weights", str(seg), "--viz", str(tmp_path / "viz")]
    args += ["--json", str(tmp_path / "s.jsonl"), "--masks", str(tmp_path / "m"), "--dpi", "72", "--no-stroke-edges"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and "bad.png" in result.output  # reported, and the others still done
    for name in ("a", "a_2", "doc_p1", "doc_p2"):  # same stem kept apart; a PDF page by page
        assert (tmp_path / "viz" / f"{name}.png").is_file()
        for suffix in ("stroke", "region", "classes"):
            assert (tmp_path / "m" / f"{name}_{suffix}.png").is_file()
    records = [json.loads(line) for line in (tmp_path / "s.jsonl").read_text().splitlines()]
    names = sorted(r["image"].rsplit("/", 1)[1] for r in records)
    assert names == ["a.png", "a.png", "doc.pdf#page=1", "doc.pdf#page=2"]
    assert all(r["width"] == 128 and r["height"] == 96 for r in records)
    polygons = [p for r in records for p in r["polygons"]]
    assert all({"polygon", "score", "class"} <= set(p) for p in polygons)
    runner.invoke(app, args)
    assert len((tmp_path / "s.jsonl").read_text().splitlines()) == 4  # a second run writes the file afresh


def test_tune_db_on_a_folder_of_your_own_uses_its_training_part(tmp_path, monkeypatch):
    from PIL import Image

    from ocrnet.eval import tune

    tuned_on = []
    real_tune = tune.tune_db
    monkeypatch.setattr(tune, "tune_db", lambda seg, sets: tuned_on.append(sets) or real_tune(seg, sets))

    seg, _ = _tiny_weights(tmp_path)
    mine = tmp_path / "mine"
    (mine / "images").mkdir(parents=True)
    (mine / "gt").mkdir()
    for i in (1, 2, 3):  # item 0 (img_1) is held out; the built-in ICDAR 2015 rule would hold out img_2
        Image.new("RGB", (64, 32), "white").save(mine / "images" / f"img_{i}.png")
        (mine / "gt" / f"gt_img_{i}.txt").write_text("4,4,40,4,40,20,4,20,word\n")
    options = ["tune-db", "--seg-weights", str(seg), "--images", "1", "--top", "1", "--data", str(mine)]
    result = runner.invoke(app, [*options, "--own"])
    assert result.exit_code == 0, result.output
    assert "mine P=" in result.output
    assert [Path(a.image_path).stem for a in tuned_on[0]["mine"]] == ["img_2", "img_3"]
    crops = tmp_path / "crops"
    (crops / "IMG").mkdir(parents=True)
    Image.new("RGB", (8, 8)).save(crops / "IMG" / "1.jpg")
    (crops / "labels.tsv").write_text("IMG/1.jpg\tHi\n")
    result = runner.invoke(app, [*options[:-1], str(crops)])
    assert result.exit_code != 0 and "not crops" in result.output


def test_eval_scores_the_weights_it_is_given_and_refuses_them_for_other_engines(tmp_path):
    import json

    from ocrnet.data.synth import generate_crop
    from ocrnet.io import save_image
    from ocrnet.predict.recognition import Recognizer

    _, rec = _tiny_weights(tmp_path)
    crops = [generate_crop((3, i))[0] for i in range(4)]
    for i, crop in enumerate(crops):
        save_image(tmp_path / "words" / "IMG" / f"{i}.png", crop)
    (tmp_path / "words" / "labels.tsv").write_text("".join(f"IMG/{i}.png\tword\n" for i in range(4)))
    args = ["eval", str(tmp_path / "words"), "--format", "words", "--split", "all", "--out", str(tmp_path / "r")]
    result = runner.invoke(app, [*args, "--rec-weights", str(rec)])
    assert result.exit_code == 0, result.output
    predictions = [json.loads(line) for line in (tmp_path / "r" / "predictions.jsonl").read_text().splitlines()]
    by_image = {Path(p["image"]).name: p["text"] for p in predictions}
    tiny = [reading.text for reading in Recognizer.from_checkpoint(rec)(crops)]
    assert [by_image[f"{i}.png"] for i in range(4)] == tiny  # the tiny reader's readings, not the shipped one's
    refused = runner.invoke(app, [*args, "--engine", "ocrnet-det", "--rec-weights", str(rec)])
    assert refused.exit_code == 2 and "--rec-weights" in refused.output
    missing = runner.invoke(app, [*args, "--rec-weights", str(tmp_path / "nope.pt")])
    assert missing.exit_code == 2 and "nope.pt" in missing.output


def test_bench_times_the_weights_it_is_given(tmp_path):
    import json

    seg, rec = _tiny_weights(tmp_path)
    args = ["bench", "--sizes", "96x64", "--repeats", "1", "--out", str(tmp_path / "b.json")]
    result = runner.invoke(app, [*args, "--seg-weights", str(seg), "--rec-weights", str(rec)])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "b.json").read_text())
    from ocrnet.models.checkpoint import build_model
    from ocrnet.models.recognizer import CRNN, CRNNConfig

    tiny_reader, _ = build_model(rec, CRNN, CRNNConfig)
    assert report["weights"] == {"segmenter": str(seg), "recogniser": str(rec)}
    assert report["parameters"]["recogniser"] == sum(p.numel() for p in tiny_reader.parameters())
    assert set(report["sizes"]) == {"96x64"} and report["recognizer_crops_per_second"] > 0
