"""`finder convert-movenet`: bad input is one line and exit code 2; without the throwaway
TensorFlow environment it says how to make one (the conversion itself runs only there)."""

from __future__ import annotations

from finder import cli


def test_a_missing_model_file_is_a_usage_error(tmp_path, capsys):
    code = cli.main(["convert-movenet", str(tmp_path / "none.json"), "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "no such file" in err[0]


def test_without_tensorflow_it_points_at_the_throwaway_environment(tmp_path, capsys):
    model = tmp_path / "movenet-multipose.json"
    model.write_text("{}")
    code = cli.main(["convert-movenet", str(model), "--out", str(tmp_path / "x.onnx")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "--python" in err[0]
    assert not (tmp_path / "x.onnx").exists()
