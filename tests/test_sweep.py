"""The resumable, distributed sweep runner (experiments/sweep/)."""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import os
import pickle
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from experiments import sweep as sw
from experiments.sweep import executors, store
from model.config import ModelConfig
from model.engine import METRICS, SERIES, PairwiseEngine

ROOT = Path(__file__).resolve().parents[1]
BASE = {"n_countries": 4, "network": "complete", "rounds": 30}
AXES = {
    "continuation": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95],
    "noise": [0.0, 0.01, 0.02, 0.05, 0.1],
}  # 50 points × 4 replicates = 200 cheap runs
SMALL = {"continuation": [0.5, 0.9], "noise": [0.0, 0.05]}  # 4 points


def frame(folder: Path) -> pd.DataFrame:
    return sw.load_results(folder).drop(columns="seconds")


def raw_run_ids(folder: Path) -> list[str]:
    """run_ids of every part, duplicates kept (load_results would drop them)."""
    return [
        rid for f in store.result_files(folder) for rid in pq.read_table(f)["run_id"].to_pylist()
    ]


def flaky_run(params: dict, seed: int, replicate: int) -> dict[str, float]:
    """A custom run callable that fails for one point."""
    if params["noise"] == 0.05:
        raise RuntimeError("boom")
    return sw.run_one(params, seed, replicate)


# ------------------------------------------------------------------ one run
def test_run_one_means_after_burn_in_within_the_horizon():
    params = {**BASE, "noise": 0.1, "burn_in": 0.4}
    out = sw.run_one(params, 11, 2)
    rec = PairwiseEngine(ModelConfig(**BASE, noise=0.1), 11, replicate_ids=[2]).run().record()
    assert out["cooperation"] == float(rec.cooperation[12:30, 0].mean())
    assert out["trust"] == float(rec.trust[12:30, 0].mean())
    assert out["first_cooperation"] == rec.cooperation[0, 0]
    assert out["rounds_played"] == 30.0
    assert set(out) == {*METRICS, "first_cooperation", "rounds_played"}
    # a geometric horizon: each replicate averages over its own rounds only
    geo = {**BASE, "noise": 0.1, "horizon": "geometric", "continuation": 0.9, "rounds": 80}
    engine = PairwiseEngine(ModelConfig(**geo), 5, replicate_ids=list(range(6))).run()
    rec = engine.record()
    h = engine.horizon
    assert h.min() < h.max()
    for r, row in enumerate(sw.run_batch(geo, 5, list(range(6)))):
        start = int(0.5 * h[r])
        assert row["rounds_played"] == h[r]
        assert row["mean_payoff"] == pytest.approx(rec.mean_payoff[start : h[r], r].mean())


def test_run_one_collective_reports_the_series():
    out = sw.run_one({**BASE, "mode": "collective", "rounds": 12}, 3)
    assert set(SERIES) <= set(out)
    assert all(isinstance(v, float) and np.isfinite(v) for v in out.values())


def test_run_one_errors_propagate():
    with pytest.raises(ValueError, match="noise"):
        sw.run_one({**BASE, "noise": 0.9}, 0)
    with pytest.raises(ValueError, match="burn_in"):
        sw.run_one({**BASE, "burn_in": 1.0}, 0)
    with pytest.raises(ValueError, match="unknown field"):
        sw.run_one({**BASE, "colour": "red"}, 0)


def test_run_batch_equals_run_one_bit_for_bit():
    pairwise = {
        **BASE,
        "n_countries": 6,
        "network": "watts_strogatz",
        "degree": 2,
        "horizon": "geometric",
        "continuation": 0.95,
        "rounds": 60,
        "noise": 0.05,
        "stake_sigma": 0.5,
        "observation_error": 0.1,
        "observation_delay": 2,
        "evolution": "imitation",
        "evolution_interval": 3,
        "mutation": 0.1,
    }
    reps = [3, 0, 5, 1]
    assert sw.run_batch(pairwise, 99, reps) == [sw.run_one(pairwise, 99, r) for r in reps]
    # collective: a batch of engines would couple the replicates (transparency follows
    # replicate 0's membership): replicate 2 differs here if run_batch used one engine
    collective = {
        "mode": "collective",
        "regime": "plurilateral",
        "n_countries": 6,
        "network": "complete",
        "rounds": 60,
        "replan_interval": 5,
        "observation_error": 0.2,
        "election_rate": 0.2,
        "noise": 0.1,
    }
    assert sw.run_batch(collective, 5, [0, 1, 2]) == [
        sw.run_one(collective, 5, r) for r in (0, 1, 2)
    ]


# ------------------------------------------------------------------ identity and seeds
def test_run_id_is_the_canonical_hash():
    point = {"noise": 0.1, "n_countries": 4, "strategies": {"Grim": 1.0}}
    text = json.dumps({"point": point, "replicate": 3}, sort_keys=True, separators=(",", ":"))
    assert sw.run_id(point, 3) == hashlib.sha256(text.encode()).hexdigest()[:16]
    assert sw.run_id(dict(reversed(point.items())), 3) == sw.run_id(point, 3)
    assert sw.run_id(point, 4) != sw.run_id(point, 3)
    assert sw.run_id({"rounds": 1}, 0) != sw.run_id({"rounds": 1.0}, 0)
    s = sw.Sweep("ids", [point], replicates=5)
    assert s._run_ids[0] == [sw.run_id(point, r) for r in range(5)]


def test_seeds_with_and_without_common_random_numbers(tmp_path):
    p, q = {**BASE, "noise": 0.1}, {**BASE, "noise": 0.2}
    assert sw.run_seed(7, p, crn=True) == sw.run_seed(7, q, crn=True)
    assert sw.run_seed(7, p) != sw.run_seed(7, q)
    assert sw.run_seed(7, p) == sw.run_seed(7, dict(p))
    assert sw.run_seed(7, p) != sw.run_seed(8, p)
    assert len(sw.point_words(p)) == 4 and all(0 <= w < 2**32 for w in sw.point_words(p))
    # results: two points that differ only in the burn-in see the same opening round with crn
    base = {**BASE, "n_countries": 10, "noise": 0.2}
    points = [{**base, "burn_in": 0.0}, {**base, "burn_in": 0.5}]
    for crn in (True, False):
        out = tmp_path / str(crn)
        sw.Sweep("crn", points, replicates=4, crn=crn).run(out, engine="serial", progress=False)
        df = frame(out).pivot(index="replicate", columns="point_index", values="first_cooperation")
        same = df[0] == df[1]
        assert df[0].nunique() > 1  # the replicates of a point differ
        assert same.all() if crn else not same.all()


def test_result_does_not_depend_on_the_order_of_points(tmp_path):
    design = sw.grid(BASE, SMALL)
    sw.Sweep("a", design, replicates=2).run(tmp_path / "a", engine="serial", progress=False)
    sw.Sweep("a", design[::-1], replicates=2).run(tmp_path / "b", engine="serial", progress=False)
    a, b = frame(tmp_path / "a"), frame(tmp_path / "b")
    assert not a["point_index"].equals(b["point_index"])
    pd.testing.assert_frame_equal(a.drop(columns="point_index"), b.drop(columns="point_index"))


def test_result_does_not_depend_on_chunking(tmp_path):
    s = sw.Sweep("chunks", sw.grid(BASE, SMALL), replicates=5)
    one = s.run(tmp_path / "one", engine="serial", progress=False, batch_seconds=0)
    big = s.run(tmp_path / "big", engine="serial", progress=False, batch_seconds=100)
    assert one.parts == 20 and big.parts < 5
    pd.testing.assert_frame_equal(frame(tmp_path / "one"), frame(tmp_path / "big"))


# ------------------------------------------------------------------ engines
def test_engines_give_identical_results(tmp_path):
    s = sw.Sweep("engines", sw.grid(BASE, AXES), replicates=2, root_seed=5)
    ref = None
    for engine, workers in [("serial", None), ("process", 1), ("process", 2), ("dask", 2)]:
        out = tmp_path / f"{engine}{workers}"
        summary = s.run(out, engine=engine, workers=workers, progress=False, batch_seconds=0.01)
        assert (summary.done, summary.failed, summary.skipped) == (100, 0, 0)
        df = frame(out)
        assert len(df) == 100 and df["error"].isna().all()
        if ref is None:
            ref = df
        else:
            pd.testing.assert_frame_equal(df, ref)


def test_tasks_in_flight_are_bounded(tmp_path, monkeypatch):
    peak = []

    class FakePool:  # completes the oldest task only when asked
        def __init__(self, workers):
            self.workers, self.live = workers, []

        def submit(self, task):
            future = cf.Future()
            self.live.append((future, task))
            peak.append(len(self.live))
            return future

        def wait(self, futures):
            future, task = self.live.pop(0)
            future.set_result(executors.run_task(task))
            return {future}

        def close(self):
            pass

    monkeypatch.setattr(executors, "ProcessPool", FakePool)
    s = sw.Sweep("window", sw.grid(BASE, AXES), replicates=4)
    summary = s.run(tmp_path, workers=3, progress=False, batch_seconds=0)
    assert summary.done == 200 and summary.parts == 200
    assert max(peak) == 6  # 2 × workers
    assert peak[:3] == [1, 2, 3]  # first one single run per worker, to measure


# ------------------------------------------------------------------ kill -9 and resume
def test_kill_9_then_resume_equals_an_uninterrupted_run(tmp_path):
    ref_dir, out = tmp_path / "ref", tmp_path / "killed"
    design = sw.grid(BASE, AXES)
    sweep = sw.Sweep("kill", design, replicates=4, root_seed=3)
    sweep.run(ref_dir, engine="process", workers=2, progress=False)
    code = (
        "from experiments import sweep as sw\n"
        f"design = sw.grid({BASE!r}, {AXES!r})\n"
        "sw.Sweep('kill', design, replicates=4, root_seed=3).run(\n"
        f"    {str(out)!r}, engine='process', workers=2, progress=False, batch_seconds=0\n"
        ")\n"
    )
    kill_after = random.randint(1, 60)
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if len(list((out / "parts").glob("part-*.parquet"))) >= kill_after:
                break
            time.sleep(0.002)
        assert proc.poll() is None, f"the sweep ended before the kill: {proc.stderr.read()!r}"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # its workers, if any are left
        except (ProcessLookupError, PermissionError):
            pass
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    done = len(raw_run_ids(out))
    assert 0 < done < 200, f"killed after {kill_after} parts: {done} runs done"
    summary = sweep.run(out, engine="process", workers=2, progress=False, resume=True)
    assert (summary.skipped, summary.done, summary.failed) == (done, 200 - done, 0)
    ids = raw_run_ids(out)
    assert len(ids) == len(set(ids)) == 200  # no duplicate, no missing run
    assert not list((out / "parts").glob(".*"))  # no temporary file left
    pd.testing.assert_frame_equal(frame(out), frame(ref_dir))


def test_resume_runs_only_the_missing_runs_and_reads_only_run_ids(tmp_path, monkeypatch):
    s = sw.Sweep("resume", sw.grid(BASE, SMALL), replicates=3)
    s.run(tmp_path / "ref", engine="serial", progress=False)
    s.run(tmp_path / "r", engine="serial", progress=False, batch_seconds=0)
    parts = sorted((tmp_path / "r" / "parts").glob("part-*.parquet"))
    for part in parts[::3]:
        part.unlink()
    (tmp_path / "r" / "parts" / ".part-x.parquet.tmp.parquet").write_bytes(b"half a file")
    reads = []
    real = pq.read_table

    def spy(path, *args, **kwargs):
        reads.append(kwargs.get("columns"))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pq, "read_table", spy)
    summary = s.run(tmp_path / "r", engine="serial", progress=False, resume=True)
    assert reads and all(c == ["run_id"] for c in reads)
    monkeypatch.undo()
    assert (summary.done, summary.skipped) == (len(parts[::3]), 12 - len(parts[::3]))
    pd.testing.assert_frame_equal(frame(tmp_path / "r"), frame(tmp_path / "ref"))
    assert not list((tmp_path / "r" / "parts").glob(".*"))


def test_progress_bar_starts_at_the_runs_already_done(tmp_path, capsys):
    s = sw.Sweep("bar", sw.grid(BASE, SMALL), replicates=3)
    s.run(tmp_path, engine="serial", progress=False, batch_seconds=0)
    for part in sorted((tmp_path / "parts").glob("part-*.parquet"))[:5]:
        part.unlink()
    capsys.readouterr()
    s.run(tmp_path, engine="serial", progress=True, resume=True)
    err = capsys.readouterr().err
    assert " 7/12 " in err and "12/12" in err


def test_refusals_name_the_problem(tmp_path):
    points = sw.grid(BASE, SMALL)
    s = sw.Sweep("spec", points, replicates=2)
    s.run(tmp_path, engine="serial", progress=False)
    with pytest.raises(ValueError, match="resume"):
        s.run(tmp_path, engine="serial", progress=False)
    changed = {
        "replicates": sw.Sweep("spec", points, replicates=3),
        "points": sw.Sweep("spec", points[:3], replicates=2),
        "root_seed": sw.Sweep("spec", points, replicates=2, root_seed=1),
        "crn": sw.Sweep("spec", points, replicates=2, crn=True),
        "extra_spec": sw.Sweep("spec", points, replicates=2, extra_spec={"a": 1}),
    }
    for what, other in changed.items():
        with pytest.raises(ValueError, match=f"differs in {what}"):
            other.run(tmp_path, engine="serial", progress=False, resume=True)
    again = s.run(tmp_path, engine="serial", progress=False, resume=True)
    assert (again.done, again.skipped) == (0, 8)
    with pytest.raises(ValueError, match="engine"):
        s.run(tmp_path / "x", engine="threads")


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path):
    points = [*sw.grid(BASE, SMALL), {**BASE, "noise": 0.9}]  # the last point is invalid
    summary = sw.Sweep("fail", points, replicates=2).run(tmp_path / "a", workers=2, progress=False)
    assert (summary.done, summary.failed) == (10, 2)
    df = frame(tmp_path / "a")
    bad = df[df["point_index"] == 4]
    assert bad["error"].str.startswith("ValueError: noise = 0.9").all()
    assert bad["cooperation"].isna().all()
    good = df[df["point_index"] != 4]
    assert good["error"].isna().all() and good["cooperation"].notna().all()
    # a custom run callable that raises for one point
    summary = sw.Sweep("flaky", sw.grid(BASE, SMALL), replicates=2, run=flaky_run).run(
        tmp_path / "b", engine="serial", progress=False
    )
    assert (summary.done, summary.failed) == (8, 4)  # 2 points × 2 replicates
    df = frame(tmp_path / "b")
    assert (df.loc[df["noise"] == 0.05, "error"] == "RuntimeError: boom").all()
    assert df.loc[df["noise"] != 0.05, "error"].isna().all()


def test_compact_merges_parts_and_load_reads_both_forms(tmp_path):
    s = sw.Sweep("compact", sw.grid(BASE, SMALL), replicates=3)
    s.run(tmp_path, engine="serial", progress=False, batch_seconds=0)
    before = sw.load_results(tmp_path)
    part = sorted((tmp_path / "parts").glob("part-*.parquet"))[0]
    kept = part.read_bytes()
    sw.compact(tmp_path)
    assert (tmp_path / "results.parquet").exists()
    assert not list((tmp_path / "parts").glob("part-*.parquet"))
    pd.testing.assert_frame_equal(sw.load_results(tmp_path), before)
    part.write_bytes(kept)  # as if a compaction was killed before removing its parts
    pd.testing.assert_frame_equal(sw.load_results(tmp_path), before)
    summary = s.run(tmp_path, engine="serial", progress=False, resume=True)
    assert (summary.done, summary.skipped) == (0, 12)
    sw.compact(tmp_path)
    assert not list((tmp_path / "parts").glob("part-*.parquet"))
    pd.testing.assert_frame_equal(sw.load_results(tmp_path), before)


def test_results_table_columns(tmp_path):
    points = sw.grid({**BASE, "strategies": {"Grim": 1, "AllD": 1}}, {"noise": [0.0, 0.1]})
    sw.Sweep("cols", points, replicates=2).run(tmp_path, engine="serial", progress=False)
    df = sw.load_results(tmp_path)
    assert list(df.columns[:3]) == ["run_id", "point_index", "replicate"]
    assert list(df.columns[-2:]) == ["error", "seconds"]
    assert df["run_id"].is_monotonic_increasing and df["run_id"].is_unique
    assert json.loads(df["strategies"].iloc[0]) == {"AllD": 1, "Grim": 1}
    assert df["n_countries"].dtype == np.int64 and df["noise"].dtype == np.float64
    assert (df["seconds"] > 0).all()
    assert json.loads((tmp_path / "spec.json").read_text())["points"] == points


# ------------------------------------------------------------------ designs
def test_grid_size_and_order():
    d = sw.grid(BASE, {"noise": [0.0, 0.1], "continuation": [0.5, 0.7, 0.9]})
    assert len(d) == 6 and d.method == "grid"
    assert [(p["noise"], p["continuation"]) for p in d] == [
        (0.0, 0.5),
        (0.0, 0.7),
        (0.0, 0.9),
        (0.1, 0.5),
        (0.1, 0.7),
        (0.1, 0.9),
    ]
    assert all(p["n_countries"] == 4 for p in d)
    with pytest.raises(ValueError, match="colour"):
        sw.grid(BASE, {"colour": [1, 2]})


def test_latin_hypercube_in_ranges_and_stratified():
    ranges = {"continuation": (0.3, 0.98), "observation_error": (0.0, 0.1), "rounds": (10, 50)}
    n = 20
    d = sw.latin_hypercube(BASE, ranges, n, seed=4)
    assert len(d) == n and d.problem is None
    for name, (low, high) in ranges.items():
        x = np.array([p[name] for p in d])
        assert ((x >= low) & (x <= high)).all()
        if name != "rounds":
            bins = np.floor((x - low) / (high - low) * n).astype(int)
            assert sorted(bins) == list(range(n))  # each bin hit once
    assert all(type(p["rounds"]) is int for p in d)
    assert sw.latin_hypercube(BASE, ranges, n, seed=4) == d
    assert sw.latin_hypercube(BASE, ranges, n, seed=5) != d
    ModelConfig.from_mapping(d[0])
    with pytest.raises(ValueError, match="low < high"):
        sw.latin_hypercube(BASE, {"noise": (0.2, 0.1)}, 4)


def test_sobol_and_morris_sizes_follow_salib():
    ranges = {"continuation": (0.3, 0.98), "observation_error": (0.0, 0.1), "noise": (0, 0.1)}
    n, D = 8, 3
    s = sw.sobol(BASE, ranges, n, seed=1)
    assert len(s) == n * (2 * D + 2) and s.method == "sobol"
    assert s.problem == {
        "num_vars": 3,
        "names": ["continuation", "observation_error", "noise"],
        "bounds": [[0.3, 0.98], [0.0, 0.1], [0.0, 0.1]],
    }
    m = sw.morris(BASE, ranges, 5, seed=1)
    assert len(m) == (D + 1) * 5 and m.problem["names"] == s.problem["names"]
    copy = pickle.loads(pickle.dumps(m))
    assert copy == m and copy.problem == m.problem and copy.method == "morris"
    for p in [*s, *m]:
        assert 0.3 <= p["continuation"] <= 0.98 and p["n_countries"] == 4


def test_from_csv(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text(
        'noise,n_countries,strategies,burn_in\n0.1,6,"{""Grim"": 1}",0.2\n0,,,0\n',
        encoding="utf-8",
    )
    d = sw.from_csv(BASE, path)
    assert d.method == "csv" and len(d) == 2
    assert d[0] == {
        **BASE,
        "noise": 0.1,
        "n_countries": 6,
        "strategies": {"Grim": 1},
        "burn_in": 0.2,
    }
    assert d[1] == {**BASE, "noise": 0.0, "burn_in": 0.0}
    assert type(d[1]["noise"]) is float and type(d[0]["n_countries"]) is int
    path.write_text("noise,colour\n0.1,red\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"unknown parameter.*colour"):
        sw.from_csv(BASE, path)


def test_a_repeated_point_runs_once_and_loads_under_every_position(tmp_path):
    # Saltelli's design with two fields repeats points (BA_1 == AB_2): SALib needs them all
    design = sw.sobol(BASE, {"continuation": (0.3, 0.98), "noise": (0.0, 0.1)}, 4, seed=2)
    unique = {json.dumps(p, sort_keys=True) for p in design}
    assert len(unique) < len(design) == 24
    s = sw.Sweep("sobol", design, replicates=2, extra_spec={"salib": {"problem": design.problem}})
    summary = s.run(tmp_path, engine="serial", progress=False)
    assert summary.total == summary.done == 2 * len(unique)
    ids = raw_run_ids(tmp_path)
    assert len(ids) == len(set(ids)) == 2 * len(unique)
    df = sw.load_results(tmp_path)
    assert len(df) == 2 * len(design)
    assert sorted(set(df["point_index"])) == list(range(len(design)))
    means = df.groupby("point_index")["cooperation"].mean()
    for k, point in enumerate(design):
        first = design.index(point)
        assert means[k] == means[first]
        assert df.loc[df["point_index"] == k, "noise"].eq(point["noise"]).all()
