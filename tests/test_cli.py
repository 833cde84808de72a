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
