"""Issue 15, hardening, the command line's half: one clear error for every bad input, checked
before the work (items 4, 6, 7, 8), and output sets that appear together or not at all
(item 5). The app's half is in ``test_hardening_app.py`` and ``test_browser.py``.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from experiments import output
from experiments.cli import main
from model.config import ModelConfig

REPO = Path(__file__).resolve().parents[1]


def fails(argv: list[str], capsys) -> str:
    """``pacts ARGV`` ends with exit code 2 and one line ``pacts: error: ...``."""
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("pacts: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


@pytest.fixture
def no_run(monkeypatch):
    """Any model run or sweep is a test failure: the error must come before the work."""

    def ran(*args, **kwargs):
        raise AssertionError("the work started before the input was checked")

    monkeypatch.setattr("model.region.RegionModel", ran)
    monkeypatch.setattr("experiments.catalogue.run_experiment", ran)
    monkeypatch.setattr("experiments.matches.tournament", ran)


def _mount_tmpfs(path: Path, options: str) -> bool:
    """Mount a small tmpfs (root only); False if this machine does not allow it."""
    if os.geteuid() != 0:
        return False
    path.mkdir(exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], check=False)
    return done.returncode == 0


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder nobody may write to: chmod for a normal user, a read-only tmpfs for root."""
    folder = tmp_path / "ro"
    if os.geteuid() != 0:
        folder.mkdir()
        folder.chmod(0o500)
        yield folder
        folder.chmod(0o700)
        return
    if not _mount_tmpfs(folder, "ro,size=1m"):
        pytest.skip("root without permission to mount a read-only file system")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB file system (tmpfs; root only)."""
    folder = tmp_path / "disk"
    if not _mount_tmpfs(folder, "size=2m"):
        pytest.skip("needs root and permission to mount a tmpfs (a small disk)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# ------------------------------------------------------------------ item 4: outputs and inputs
def test_out_that_is_a_file_is_refused_before_the_run(tmp_path, capsys, no_run):
    target = tmp_path / "results"
    target.write_text("not a folder")
    err = fails(["run", "--out", str(target)], capsys)
    assert "--out" in err and "is a file, not a folder" in err


def test_out_under_a_file_is_refused_before_the_run(tmp_path, capsys, no_run):
    (tmp_path / "results").write_text("not a folder")
    err = fails(["run", "--out", str(tmp_path / "results" / "run")], capsys)
    assert "--out" in err and "is a file, so no folder can be made under it" in err


def test_unwritable_out_is_refused_before_the_run(read_only_folder, capsys, no_run):
    err = fails(["run", "--out", str(read_only_folder / "run")], capsys)
    assert "--out" in err and "cannot write there" in err


def test_full_disk_is_refused_before_the_run(small_disk, capsys, no_run):
    (small_disk / "filler").write_bytes(b"\0" * (1536 * 1024))  # 2 MB disk, 0.5 MB free
    err = fails(["run", "--out", str(small_disk / "run")], capsys)
    assert "--out" in err and "the disk is full" in err


def test_disk_full_while_writing_leaves_the_previous_results(small_disk, capsys):
    """A run whose rounds.csv (60,000 rows, several MB) does not fit on a 2 MB disk: one error,
    and the earlier run's files are exactly as they were (old: a traceback, CSVs but no PNG)."""
    out = small_disk / "run"
    assert main(["run", "--rounds", "5", "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    err = fails(["run", "--rounds", "60000", "--out", str(out)], capsys)
    assert "No space left on device" in err and "nothing was written" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_write_error_after_the_run_is_one_error_and_writes_nothing(tmp_path, capsys, monkeypatch):
    """Portable twin of the full-disk test: the PNG cannot be written (ENOSPC)."""
    out = tmp_path / "run"
    assert main(["run", "--rounds", "5", "--seed", "1", "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("experiments.figures.cooperation_figure", full)
    capsys.readouterr()
    err = fails(["run", "--rounds", "5", "--seed", "2", "--out", str(out)], capsys)
    assert "--out" in err and "No space left on device" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # not the new CSVs


def test_config_that_is_a_folder(tmp_path, capsys, no_run):
    err = fails(["run", "--config", str(tmp_path), "--out", str(tmp_path / "o")], capsys)
    assert f"config file {tmp_path} is a folder" in err


def test_deeply_nested_toml_file(tmp_path, capsys, no_run):
    deep = tmp_path / "deep.toml"
    deep.write_text("game = " + "[" * 5000 + "]" * 5000 + "\n")
    err = fails(["run", "--config", str(deep), "--out", str(tmp_path / "o")], capsys)
    assert str(deep) in err and "nested too deeply" in err


def test_deeply_nested_set_value(tmp_path, capsys, no_run):
    value = "[" * 5000 + "]" * 5000
    err = fails(["run", "--set", f"game={value}", "--out", str(tmp_path / "o")], capsys)
    assert "--set game=" in err and "nested too deeply" in err


def test_missing_design_csv(tmp_path, capsys, no_run):
    missing = tmp_path / "missing.csv"
    argv = ["sweep", "shadow-of-the-future", "--design", "csv", str(missing)]
    err = fails([*argv, "--out", str(tmp_path / "s")], capsys)
    assert f"design file {missing} does not exist" in err


@pytest.mark.parametrize("scale", ["inf", "nan", "0", "-1", "1e9"])
def test_scale_outside_its_range(scale, tmp_path, capsys, no_run):
    """Items 4, 7, 8: inf (old: ZeroDivisionError), nan (a message without the option), 0 and −1
    (old: the whole default design, silently) and a design too large to build."""
    argv = ["sweep", "shadow-of-the-future", "--scale", scale, "--out", str(tmp_path / "s")]
    assert "allowed: a number in (0, 100]" in fails(argv, capsys)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends: nobody listens


def test_unreachable_scheduler_is_refused_before_the_sweep(tmp_path, capsys, no_run):
    address = f"tcp://127.0.0.1:{_closed_port()}"
    argv = ["sweep", "shadow-of-the-future", "--engine", "dask", "--scheduler", address]
    err = fails([*argv, "--out", str(tmp_path / "s")], capsys)
    assert f"--scheduler {address}: no Dask scheduler answers there" in err
    assert not (tmp_path / "s").exists()


# ------------------------------------------------------------------ item 5: output sets
def test_files_get_the_usual_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        assert main(["run", "--rounds", "3", "--out", str(tmp_path / "run")]) == 0
        single = output.atomic_write(tmp_path / "x.txt", lambda p: p.write_text("x"))
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in [*(tmp_path / "run").iterdir(), single]}
    assert modes == dict.fromkeys(
        ["rounds.csv", "countries.csv", "cooperation.png", "x.txt"], 0o644
    )


def test_interrupted_png_leaves_the_previous_set_whole(tmp_path, capsys, monkeypatch):
    """Ctrl+C while cooperation.png is written: the folder keeps the earlier run's three files
    (old: the new CSVs beside the old PNG), and no temporary is left."""
    out = tmp_path / "run"
    assert main(["run", "--rounds", "5", "--seed", "1", "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("experiments.figures.cooperation_figure", interrupted)
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--rounds", "5", "--seed", "2", "--out", str(out)])
    assert exit_info.value.code == 130
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_kill_9_while_the_png_is_written_then_the_next_run_cleans_up(tmp_path):
    """A process killed (SIGKILL) half-way through writing cooperation.png: the folder still
    shows the earlier run's set; the next run removes the dead one's temporaries."""
    out = tmp_path / "run"
    assert main(["run", "--rounds", "5", "--seed", "1", "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    script = (
        "import os, signal\n"
        "import matplotlib.figure\n"
        "def half(self, path, **kw):\n"
        "    open(path, 'wb').write(b'\\x89PNG half')\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "matplotlib.figure.Figure.savefig = half\n"
        "from experiments.cli import main\n"
        f"main(['run', '--rounds', '5', '--seed', '2', '--out', {str(out)!r}])\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, check=False)
    assert done.returncode == -signal.SIGKILL
    visible = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
    assert visible == before
    past = time.time() - 60  # the dead writer's temporaries are old by now
    for p in out.rglob(".*"):
        os.utime(p, (past, past))
    assert main(["run", "--rounds", "5", "--seed", "3", "--out", str(out)]) == 0
    assert hidden(out) == []


def test_stale_temporaries_are_removed_and_live_ones_kept(tmp_path):
    """A temporary left by a killed writer (this version's or an older one's name) goes; one
    whose writer still holds its lock stays."""
    out = tmp_path / "run"
    out.mkdir()
    stale = out / ".rounds.csv.k3x9q2ab.csv"  # the name an older version's mkstemp gave
    live = out / ".rounds.csv.0123abcd.csv"
    stale.write_text("half")
    live.write_text("being written")
    past = time.time() - 60
    os.utime(stale, (past, past))
    os.utime(live, (past, past))
    fd = os.open(live, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a live writer
    try:
        output.atomic_write(out / "rounds.csv", lambda p: p.write_text("new"))
        assert not stale.exists() and live.exists()
    finally:
        os.close(fd)
    assert (out / "rounds.csv").read_text() == "new"


def test_a_set_whose_moves_were_cut_short_is_finished(tmp_path):
    """kill -9 during the final renames: the set's folder lists its files, so the next command
    moves the rest into place (all new files, never a mix); an unfinished set is removed."""
    out = tmp_path / "run"
    out.mkdir()
    (out / "rounds.csv").write_text("old rounds")
    (out / "cooperation.png").write_text("old png")
    done = out / f"{output.SET_PREFIX}aaaa"
    done.mkdir()
    (done / ".lock").write_text("")
    (done / output.COMPLETE).write_text("cooperation.png\nrounds.csv\n")
    (done / "cooperation.png").write_text("new png")  # rounds.csv was already moved
    (out / "rounds.csv").write_text("new rounds")
    unfinished = out / f"{output.SET_PREFIX}bbbb"
    unfinished.mkdir()
    (unfinished / ".lock").write_text("")
    (unfinished / "rounds.csv").write_text("half")
    past = time.time() - 60
    for p in [*done.iterdir(), *unfinished.iterdir()]:
        os.utime(p, (past, past))
    output.finish_stale_sets(out)
    assert (out / "cooperation.png").read_text() == "new png"
    assert (out / "rounds.csv").read_text() == "new rounds"
    assert hidden(out) == []


def test_sigterm_is_handled_like_ctrl_c(tmp_path):
    """SIGTERM mid-run: exit code 128 + 15 and the same clean-up as Ctrl+C (old: killed at once,
    temporaries left)."""
    out = tmp_path / "run"
    proc = subprocess.Popen(
        [sys.executable, "-m", "experiments.cli", "run", "--rounds", "1000000", "--out", str(out)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (out.exists() and hidden(out)):
        time.sleep(0.2)  # until the run has begun (its temporary folder exists)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM
    assert "pacts: terminated (SIGTERM)" in err
    assert hidden(out) == []


# ------------------------------------------------------------------ item 6: sweep folders
def _spec(folder: Path, name: str, points: list[dict]) -> None:
    folder.mkdir(parents=True)
    (folder / "spec.json").write_text(json.dumps({"name": name, "points": points}))


def test_design_csv_lacking_range_columns_is_refused_before_running(tmp_path, capsys, no_run):
    design = tmp_path / "d.csv"
    design.write_text("continuation\n0.5\n0.7\n")
    argv = ["sweep", "shadow-of-the-future", "--design", "csv", str(design)]
    err = fails([*argv, "--out", str(tmp_path / "s")], capsys)
    assert "no column(s) x0" in err and str(design) in err


def test_analyze_names_the_missing_design_column(tmp_path, capsys):
    """A folder swept (by an older version) from a CSV without a range column (x0): `pacts
    analyze` says so (old: a KeyError)."""
    from experiments.catalogue import get_experiment

    point = {**get_experiment("shadow-of-the-future").base, "continuation": 0.9}
    _spec(tmp_path / "csv", "shadow-of-the-future/csv", [point])
    err = fails(["analyze", str(tmp_path)], capsys)
    assert "no column(s) x0" in err and "csv design" in err


def test_resume_into_another_experiments_folder_is_refused(tmp_path, capsys, no_run):
    _spec(tmp_path / "evolution", "shadow-of-the-future/evolution", [{}])
    argv = ["sweep", "price-of-anarchy", "--out", str(tmp_path), "--resume"]
    err = fails(argv, capsys)
    assert "'shadow-of-the-future', not 'price-of-anarchy'" in err
    assert not (tmp_path / "sizes").exists()


def test_csv_design_into_a_grid_folder_is_refused(tmp_path, capsys, no_run):
    _spec(tmp_path / "evolution", "shadow-of-the-future/evolution", [{}])
    design = tmp_path / "d.csv"
    design.write_text("continuation,x0\n0.5,0.3\n")
    argv = ["sweep", "shadow-of-the-future", "--design", "csv", str(design)]
    err = fails([*argv, "--out", str(tmp_path), "--resume"], capsys)
    assert "'evolution' results (another design)" in err
    assert not (tmp_path / "csv").exists()


# ------------------------------------------------------------------ item 7: no longer silent
@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--replicates", "0"], "--replicates 0: allowed: an integer >= 1"),
        (["--runs", "0", "--design", "lhs"], "--runs 0: allowed: an integer >= 1"),
        (["--workers", "0"], "--workers 0: allowed: an integer >= 1"),
        (["--seed", "-1"], "--seed -1: allowed: an integer >= 0"),
        (["--scheduler", "tcp://127.0.0.1:8786"], "used only with --engine dask"),
        (["--design", "grid", "extra.csv"], "--design grid takes no file"),
    ],
)
def test_sweep_options_outside_their_range(extra, message, tmp_path, capsys, no_run):
    argv = ["sweep", "shadow-of-the-future", *extra, "--out", str(tmp_path / "s")]
    assert message in fails(argv, capsys)


def test_csv_with_a_duplicated_column(tmp_path, capsys, no_run):
    design = tmp_path / "d.csv"
    design.write_text("continuation,observation_error,continuation\n0.5,0.0,0.6\n")
    argv = ["sweep", "shadow-of-the-future", "--design", "csv", str(design)]
    err = fails([*argv, "--out", str(tmp_path / "s")], capsys)
    assert "'continuation' appear more than once" in err


# ------------------------------------------------------------------ item 8: name the field
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--seed", "-1"], "--seed -1: allowed: an integer >= 0"),
        (["run", "--set", "strategies={AllC=1e308,AllD=1e308}"], "strategies['AllC'] = 1e+308"),
        (["run", "--set", 'strategies={"Random(nan)"=1}'], "'Random(nan)': argument 'nan'"),
        (["tournament", "Random(nan)", "AllC"], "'Random(nan)': argument 'nan'"),
        (["tournament", "--repetitions", "0"], "--repetitions 0: allowed: an integer >= 1"),
        (["tournament", "--seed", "-2"], "--seed -2: allowed: an integer >= 0"),
    ],
)
def test_messages_name_the_field(argv, message, tmp_path, capsys, no_run):
    assert message in fails([*argv, "--out", str(tmp_path / "o")], capsys)


def test_huge_weights_name_the_field_in_python():
    with pytest.raises(ValueError, match=r"strategies\['AllC'\] = 1e\+308: allowed: a weight"):
        ModelConfig(strategies={"AllC": 1e308, "AllD": 1e308})


def test_non_utf8_toml_names_the_file(tmp_path, capsys, no_run):
    scenario = tmp_path / "s.toml"
    scenario.write_bytes(b"n_countries = 6\n# caf\xe9\n")
    err = fails(["run", "--config", str(scenario), "--out", str(tmp_path / "o")], capsys)
    assert f"config file {scenario} is not UTF-8 text (byte 0xe9" in err


def test_non_utf8_csv_names_the_file(tmp_path, capsys, no_run):
    design = tmp_path / "d.csv"
    design.write_bytes(b"continuation,observation_error\n0.5,0.0\n# caf\xe9\n")
    argv = ["sweep", "shadow-of-the-future", "--design", "csv", str(design)]
    err = fails([*argv, "--out", str(tmp_path / "s")], capsys)
    assert f"design file {design} is not UTF-8 text (byte 0xe9" in err


def test_csv_with_a_byte_order_mark_reads_its_first_column(tmp_path):
    """Spreadsheets write a byte-order mark; it is not part of the first field's name (old: an
    'unknown parameter \\ufeffcontinuation' that shows as 'continuation')."""
    from experiments import sweep as sw

    design = tmp_path / "d.csv"
    design.write_bytes("continuation,observation_error\n0.5,0.05\n".encode("utf-8-sig"))
    points = sw.from_csv({}, design)
    assert points == [{"continuation": 0.5, "observation_error": 0.05}]


def test_host_that_is_not_here_is_not_called_a_busy_port(capsys):
    """192.0.2.1 is TEST-NET-1 (RFC 5737): no machine has it."""
    err = fails(["app", "--host", "192.0.2.1", "--port", str(_closed_port())], capsys)
    assert "--host '192.0.2.1': cannot listen there" in err and "already in use" not in err
