"""The ``pacts`` command line: outputs where it says, clear errors, --help everywhere."""

import json

import pandas as pd
import pytest

from experiments.cli import build_parser, main


def test_run_writes_csvs_and_png(tmp_path, capsys):
    assert main(["run", "--rounds", "20", "--seed", "3", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "theory: cooperation with Grim needs δ ≥ 0.500" in out  # PD (5,3,1,0): (5−3)/(5−1)
    rounds = pd.read_csv(tmp_path / "rounds.csv")
    assert len(rounds) == 20 and rounds["cooperation"].between(0, 1).all()
    assert len(pd.read_csv(tmp_path / "countries.csv")) == 12
    assert (tmp_path / "cooperation.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left


def test_run_with_config_file_and_set(tmp_path, capsys):
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        'n_countries = 6\nnetwork = "complete"\nrounds = 10\n[strategies]\nGrim = 1\nAllC = 1\n'
    )
    assert (
        main(
            [
                "run",
                "--config",
                str(scenario),
                "--set",
                "continuation=0.4",
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 0
    )
    assert "NOT sustainable" in capsys.readouterr().out  # 0.4 < 0.5
    assert len(pd.read_csv(tmp_path / "o" / "rounds.csv")) == 10


@pytest.mark.parametrize(
    "argv, message",
    [
        (["run", "--set", "continuation=1.5"], "continuation = 1.5: allowed"),
        (["run", "--set", "contination=0.5"], "unknown field(s) contination"),
        (["run", "--preset", "atlantis"], "unknown preset 'atlantis'"),
        (["run", "--set", "strategies={Titfortwat=1}"], "unknown strategy"),
        (["tournament", "TitForTat", "Nonsense"], "unknown strategy 'Nonsense'"),
        (["bench", "--only", "B9"], "unknown benchmark(s) B9"),
    ],
)
def test_bad_input_is_one_line_naming_the_field(argv, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, *(["--out", str(tmp_path)] if argv[0] != "bench" else [])])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("pacts: error: ") and message in err
    assert "Traceback" not in err
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_tournament_command(tmp_path, capsys):
    assert main(["tournament", "TitForTat", "AllD", "--rounds", "10", "--out", str(tmp_path)]) == 0
    table = pd.read_csv(tmp_path / "tournament.csv", index_col=0)
    # hand-worked: TFT vs AllD = 0 + 9·1 = 9; AllD vs TFT = 5 + 9 = 14; TFT self 30; AllD self 10
    assert table.loc["TitForTat", "AllD"] == 9 and table.loc["AllD", "TitForTat"] == 14
    assert table.loc["TitForTat", "total"] == 39 and table.loc["AllD", "total"] == 24
    assert (tmp_path / "tournament.png").exists()


def test_bench_prints_json_lines_with_the_agreed_keys(capsys):
    assert main(["bench", "--only", "B1"]) == 0
    line = json.loads(capsys.readouterr().out.strip())
    assert line["benchmark"] == "B1"
    assert {"value", "unit", "target", "reference", "ratio"} <= set(line)
    assert line["ratio"] == pytest.approx(line["value"] / line["reference"])


def test_bench_b8_prints_the_ratio_per_size_and_judges_the_ratio(capsys, monkeypatch):
    from functools import partial

    from experiments.bench import benchmarks as bench

    tiny = partial(bench.bench_b8, sizes=(9, 16), steps=3, repeats=1)
    monkeypatch.setitem(bench.BENCHMARKS, "B8", tiny)
    assert main(["bench", "--only", "B8"]) == 0
    line = json.loads(capsys.readouterr().out.strip())
    assert line["benchmark"] == "B8" and line["target"] == 2.0 and line["better"] == "lower"
    assert set(line["ratios"]) == {"9", "16"} and line["mode"] == "pairwise"
    for n, ratio in line["ratios"].items():
        assert ratio == pytest.approx(line["model_step_ms"][n] / line["engine_step_ms"][n])
    assert line["value"] == max(line["ratios"].values())
    assert line["meets_target"] == (line["value"] <= 2.0)


def test_every_command_has_help(capsys):
    parser = build_parser()
    for command in ("run", "tournament", "presets", "bench"):
        with pytest.raises(SystemExit) as exit_info:
            parser.parse_args([command, "--help"])
        assert exit_info.value.code == 0
    assert "continuation" in capsys.readouterr().out  # run --help lists the scenario fields


def test_presets_command(capsys):
    assert main(["presets"]) == 0
    assert "default" in capsys.readouterr().out


def test_readme_opens_with_the_two_commands_and_documents_every_field():
    from pathlib import Path

    from model.config import ModelConfig

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```")[1]
    assert [line.split()[0:2] for line in first_block.strip().splitlines()[1:]] == [
        ["make", "app"],
        ["make", "test"],
    ]
    assert ModelConfig.markdown_table() in readme, (
        "README's parameter table is stale: paste ModelConfig.markdown_table()"
    )


def test_app_refuses_a_busy_port_a_bad_port_and_a_bad_host(capsys):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(SystemExit) as exit_:
            main(["app", "--port", str(port)])
    assert exit_.value.code == 2
    assert f"--port {port}" in capsys.readouterr().err
    for args, words in [
        (["--port", "70000"], ["--port 70000", "1–65535"]),
        (["--host", "no.such.host.invalid"], ["--host", "127.0.0.1", "0.0.0.0"]),
    ]:
        with pytest.raises(SystemExit) as exit_:
            main(["app", *args])
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert all(w in err for w in words), err
