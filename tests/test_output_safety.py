"""Nothing lost, nothing hangs: --force replaces only our folders, writers lock their target,
sizes are estimated before work starts, output locations are checked before anything runs, OS
faults while writing are one line with nothing left behind, names stay inside results/, git is
read without locks, and Ctrl-C stops a sweep without worker tracebacks (issue 16)."""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim import output, resources
from sim.cli import main
from sim.errors import UserError
from sim.scenario.generate import generate_scenario
from sim.sweep import store as st
from sim.sweep.run import run_sweep
from tests.sweep_helpers import ROOT, assert_same_store, write_sweep

LIB = ROOT / "scenarios"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    """A small scenario file (4 states, 2 years): quick to run."""
    f = tmp_path_factory.mktemp("tiny") / "tiny.yaml"
    f.write_text(yaml.safe_dump(generate_scenario(4, seed=1, years=2)), encoding="utf-8")
    return f


@pytest.fixture
def no_simulation(monkeypatch):
    """Fail the test if a replicate is run (the command should refuse before any work)."""

    def refuse(*a, **k):
        raise AssertionError("the simulation ran before the output was checked")

    monkeypatch.setattr("sim.runner.run_model", refuse)


def _leftovers(folder: Path) -> list[str]:
    """Hidden temporary folders, stray lock files."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def run_cli(*args: str | Path) -> int:
    return main([str(a) for a in args])


# ----------------------------------------------------------------------------- 2. --force
def test_run_force_never_deletes_a_folder_that_is_not_a_bundle(tiny, tmp_path, capsys):
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "precious.txt").write_text("keep me")
    assert run_cli("run", tiny, "--out", precious, "--force", "--no-plots", "--quiet") == 2
    err = capsys.readouterr().err
    assert "is not a results bundle; refusing to replace it" in err and "Traceback" not in err
    assert (precious / "precious.txt").read_text() == "keep me"
    assert _leftovers(tmp_path) == []


def test_run_force_replaces_a_bundle_but_not_files_added_to_it(tiny, tmp_path, capsys):
    out = tmp_path / "b"
    assert run_cli("run", tiny, "--out", out, "--no-plots", "--quiet") == 0
    first = json.loads((out / "manifest.json").read_text())["created"]
    assert json.loads((out / "manifest.json").read_text())["kind"] == output.RUN
    assert (
        run_cli("run", tiny, "--out", out, "--force", "--no-plots", "--quiet", "--seed", "5") == 0
    )
    assert json.loads((out / "manifest.json").read_text())["master_seed"] == 5
    (out / "notes.txt").write_text("my notes")
    capsys.readouterr()
    assert run_cli("run", tiny, "--out", out, "--force", "--no-plots", "--quiet") == 2
    assert "notes.txt" in capsys.readouterr().err
    assert (out / "notes.txt").read_text() == "my notes"
    assert first  # the first bundle was a real one
    assert _leftovers(tmp_path) == []


def test_compare_force_never_deletes_foreign_folders(tiny, tmp_path, capsys, no_simulation):
    precious = tmp_path / "report"
    precious.mkdir()
    (precious / "precious.txt").write_text("keep me")
    base = LIB / "baseline.yaml"
    whatif = LIB / "border_war.yaml"
    rc = run_cli("compare", base, whatif, "--out", precious, "--force", "--quiet")
    assert rc == 2 and "is not a compare report" in capsys.readouterr().err
    assert (precious / "precious.txt").read_text() == "keep me"
    # a results bundle is ours, but not a compare report: left alone too
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "manifest.json").write_text(json.dumps({"kind": output.RUN}))
    rc = run_cli("compare", base, whatif, "--out", bundle, "--force", "--quiet")
    assert rc == 2 and "is a results bundle, not a compare report" in capsys.readouterr().err
    assert (bundle / "manifest.json").exists()


def test_compare_force_replaces_its_own_report(tmp_path, capsys):
    out = tmp_path / "c"
    args = ("compare", LIB / "baseline.yaml", LIB / "border_war.yaml", "--out", out)
    assert run_cli(*args, "--replicates", "1", "--quiet") == 0
    assert json.loads((out / "manifest.json").read_text())["kind"] == output.COMPARE
    assert run_cli(*args, "--replicates", "1", "--quiet", "--force") == 0
    assert (out / "report.html").exists() and _leftovers(tmp_path) == []


def test_bundles_written_before_manifests_had_a_kind_are_recognised(tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    man = {"scenario": "x", "scenario_sha256": "0" * 64, "master_seed": 1}
    man.update(replicate_seeds=[1], timings_s={})
    (old / "manifest.json").write_text(json.dumps(man))
    (old / "timeseries.csv").write_text("")
    assert output.read_kind(old) == output.RUN
    assert output.replaceable(old, output.RUN) is None
    rep = tmp_path / "rep"
    rep.mkdir()
    man = {"baseline": "a", "whatifs": ["b"], "scenario_sha256": {}, "master_seed": 1}
    (rep / "manifest.json").write_text(json.dumps(man))
    assert output.read_kind(rep) == output.COMPARE
    assert output.replaceable(rep, output.RUN) == "is a compare report, not a results bundle"


# ----------------------------------------------------------------------------- 3. locks
_HOLD = """
import sys, time
from pathlib import Path
from sim import output
target = Path(sys.argv[1])
with output.lock(target, output.RUN):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_a_second_writer_is_refused_naming_the_lock_and_its_owner(tiny, tmp_path, capsys):
    out = tmp_path / "b"
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(out)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert run_cli("run", tiny, "--out", out, "--no-plots", "--quiet") == 2
        err = capsys.readouterr().err
        assert "another process is writing this results bundle" in err
        assert f"pid {holder.pid} on {socket.gethostname()}" in err
        assert str(output.lock_path(out)) in err and not out.exists()
    finally:
        holder.communicate("", timeout=30)
    assert not output.lock_path(out).exists()  # released on exit
    assert run_cli("run", tiny, "--out", out, "--no-plots", "--quiet") == 0


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_a_stale_lock_of_a_dead_process_is_taken_over(tiny, tmp_path):
    out = tmp_path / "b"
    lock = output.lock_path(out)
    owner = {"pid": _dead_pid(), "host": socket.gethostname(), "started": "", "command": "run"}
    lock.write_text(json.dumps(owner))
    assert run_cli("run", tiny, "--out", out, "--no-plots", "--quiet") == 0
    assert (out / "manifest.json").exists() and not lock.exists()


def test_a_lock_of_another_host_is_not_taken_over(tiny, tmp_path, capsys):
    out = tmp_path / "b"
    lock = output.lock_path(out)
    lock.write_text(json.dumps({"pid": 4242, "host": "elsewhere.example", "command": "run"}))
    assert run_cli("run", tiny, "--out", out, "--no-plots", "--quiet") == 2
    err = capsys.readouterr().err
    assert "pid 4242 on elsewhere.example" in err and "delete the lock file" in err
    assert lock.exists() and not out.exists()


_RACE = """
import sys, time
from pathlib import Path
from sim.cli import main
go = Path(sys.argv[1])
while not go.exists():
    time.sleep(0.002)
sys.exit(main(sys.argv[2:]))
"""


def _race(tmp_path: Path, *commands: list[str]) -> list[tuple[int, str]]:
    """Start each command as a process; release them at once; their exit codes and stderr."""
    go = tmp_path / "go"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _RACE, str(go), *c],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for c in commands
    ]
    time.sleep(2.0)  # let both import everything
    go.touch()
    return [(p.wait(timeout=300), p.communicate()[1]) for p in procs]


def test_two_runs_racing_into_one_folder_one_wins(tmp_path):
    out = tmp_path / "b"
    cmd = ["run", str(LIB / "baseline.yaml"), "--out", str(out), "--no-plots", "--quiet"]
    results = _race(tmp_path, cmd, cmd)
    codes = sorted(rc for rc, _ in results)
    assert codes == [0, 2], results
    loser = next(err for rc, err in results if rc == 2)
    assert "another process is writing" in loser or "already exists" in loser
    assert "Traceback" not in loser
    assert (out / "manifest.json").exists()
    assert _leftovers(tmp_path) == []


def _partial_store(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A sweep file, its complete reference store, and a copy with most runs removed."""
    f = write_sweep(tmp_path / "big.yaml", design={"method": "lhs", "n": 40}, batch=2)
    ref = run_sweep(f, workers=1, out=tmp_path / "ref", progress=False)
    part = run_sweep(f, workers=1, out=tmp_path / "part", progress=False)
    for p in sorted((part / "scalars").glob("part-*.parquet"))[2:]:
        p.unlink()
        (part / "series" / p.name).unlink()
    man = st.read_manifest(part)
    man["complete"] = False
    st.write_manifest(part, man)
    return f, ref, part


def test_concurrent_resumes_do_not_duplicate_runs(tmp_path):
    f, ref, part = _partial_store(tmp_path)
    cmd = ["sweep", str(f), "--out", str(part), "--resume", "--workers", "1", "--quiet"]
    force = ["sweep", str(f), "--out", str(part), "--force", "--workers", "1", "--quiet"]
    results = _race(tmp_path, cmd, cmd, force)
    codes = sorted(rc for rc, _ in results)
    assert codes.count(0) >= 1 and set(codes) <= {0, 2}, results
    assert codes.count(2) >= 1, results  # at least one was refused by the lock
    for rc, err in results:
        assert "Traceback" not in err
        if rc == 2:
            assert "another process is writing this sweep store" in err
    scal = pd.read_parquet(part / "scalars")
    assert not scal["run"].duplicated().any()
    assert sorted(scal["run"]) == list(range(120))
    assert st.read_manifest(part)["complete"]
    assert_same_store(ref, part)
    assert not output.lock_path(part).exists()


def test_the_final_rename_never_replaces_a_folder_created_meanwhile(tmp_path):
    target = tmp_path / "b"
    with (
        pytest.raises(UserError, match="another process created it"),
        output.atomic_dir(target, kind=output.RUN) as tmp,
    ):
        (tmp / "manifest.json").write_text("{}")
        target.mkdir()  # another writer (not using the lock) got there first
        (target / "theirs.txt").write_text("theirs")
    assert (target / "theirs.txt").read_text() == "theirs"
    assert _leftovers(tmp_path) == []
    empty = tmp_path / "empty"
    empty.mkdir()
    src = tmp_path / "src"
    src.mkdir()
    with pytest.raises(FileExistsError):  # os.rename would replace an empty folder silently
        output.rename_noreplace(src, empty)
    assert src.exists()


def test_forked_workers_do_not_keep_the_lock(tmp_path):
    target = tmp_path / "x"
    with output.lock(target):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            os._exit(0 if not output._HELD else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert output.lock_path(target).exists()
    assert not output.lock_path(target).exists()


# ----------------------------------------------------------------------------- 4. estimates
def test_the_estimates_are_conservative_but_allow_the_default_at_1000(baseline):
    need = resources.run_need(baseline, 1000)
    # measured with the baseline's 10 states (the EU and the USA apart): 4.9 GB peak resident,
    # 0.96 GB of files (timeseries.csv + .parquet); with 9 states it was 2.8 and 0.82
    assert 4.9 * resources.GB < need.memory < 8 * resources.GB
    assert 0.96 * resources.GB < need.disk < 2 * resources.GB


def test_a_run_that_cannot_fit_in_memory_is_refused_before_it_starts(
    tiny, tmp_path, capsys, monkeypatch, no_simulation
):
    monkeypatch.setattr(resources, "available_memory", lambda: 310 * resources.MB)
    out = tmp_path / "b"
    assert run_cli("run", tiny, "--out", out, "--replicates", "1000", "--quiet") == 2
    err = capsys.readouterr().err
    assert "of memory (estimate), but 310 MB are available" in err
    assert "would fit" in err and "Traceback" not in err
    assert not out.exists() and _leftovers(tmp_path) == []


def test_a_run_that_cannot_fit_on_the_disk_is_refused_before_it_starts(
    tiny, tmp_path, capsys, monkeypatch, no_simulation
):
    monkeypatch.setattr(resources, "free_disk", lambda p: (1024**2, Path(p)))
    out = tmp_path / "sub" / "b"
    assert run_cli("run", tiny, "--out", out, "--quiet") == 2
    err = capsys.readouterr().err
    assert "(estimate), but" in err and "1 MB free" in err
    assert not (tmp_path / "sub").exists()  # the parent it would have created is gone again


def test_a_sweep_that_cannot_fit_on_the_disk_is_refused_before_it_starts(
    tmp_path, capsys, monkeypatch
):
    f = write_sweep(tmp_path / "s.yaml")
    monkeypatch.setattr(resources, "free_disk", lambda p: (1000, Path(p)))
    out = tmp_path / "store"
    assert run_cli("sweep", f, "--out", out, "--workers", "1", "--quiet") == 2
    err = capsys.readouterr().err
    assert "a sweep of 30 runs would write about" in err and "Traceback" not in err
    assert not out.exists() and _leftovers(tmp_path) == []


# ----------------------------------------------------------------------------- 5. output faults
def _enospc(monkeypatch, name: str) -> None:
    """Make writing a file called ``name`` fail with a full disk."""
    orig = pd.DataFrame.to_csv

    def to_csv(self, path=None, *a, **k):
        if path is not None and str(path).endswith(name):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return orig(self, path, *a, **k)

    monkeypatch.setattr(pd.DataFrame, "to_csv", to_csv)


@pytest.mark.parametrize(
    "where, expect",
    [
        ("file/x", "is a file, not a folder"),
        ("/proc/mv-test", "/proc is a virtual file system"),
        ("/sys/mv-test", "/sys is a virtual file system"),
        ("a" * 300, "is 300 bytes long; this file system allows at most"),
        ("loop/x", "symbolic-link loop"),
    ],
)
def test_a_bad_output_location_is_refused_before_the_run(
    tiny, tmp_path, capsys, no_simulation, where, expect
):
    (tmp_path / "file").write_text("a file")
    (tmp_path / "loop").symlink_to("loop")
    out = where if where.startswith("/") else str(tmp_path / where)
    assert run_cli("run", tiny, "--out", out, "--quiet") == 2
    err = capsys.readouterr().err
    assert expect in err and "Traceback" not in err and len(err.splitlines()) == 1
    assert len(err) < 400


def test_a_read_only_file_system_is_refused_before_the_run(
    tiny, tmp_path, capsys, monkeypatch, no_simulation
):
    real = os.statvfs

    class ReadOnly:
        def __init__(self, st):
            self._st = st

        def __getattr__(self, name):
            return getattr(self._st, name)

        f_flag = os.ST_RDONLY

    monkeypatch.setattr(os, "statvfs", lambda p: ReadOnly(real(p)))
    assert run_cli("run", tiny, "--out", tmp_path / "b", "--quiet") == 2
    assert "read-only file system" in capsys.readouterr().err


def test_a_full_disk_while_writing_is_one_line_and_leaves_nothing(
    tiny, tmp_path, capsys, monkeypatch
):
    _enospc(monkeypatch, "timeseries.csv")
    out = tmp_path / "new" / "b"
    assert run_cli("run", tiny, "--out", out, "--no-plots", "--quiet") == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        f"error: {out}: cannot write the results bundle: No space left on device "
        "(timeseries.csv); nothing was written"
    ]
    assert not (tmp_path / "new").exists() and _leftovers(tmp_path) == []


def test_an_io_error_is_a_fault_of_the_machine():
    with pytest.raises(output.OutputError) as e, output.write_errors("write it", "x"):
        raise OSError(errno.EIO, os.strerror(errno.EIO))
    assert e.value.exit_code == 1
    with pytest.raises(output.OutputError) as e, output.write_errors("write it", "x"):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))
    assert e.value.exit_code == 2 and "Read-only file system" in str(e.value)


def test_compare_full_disk_leaves_nothing(tmp_path, capsys, monkeypatch):
    _enospc(monkeypatch, "differences.csv")
    out = tmp_path / "c"
    args = ("compare", LIB / "baseline.yaml", LIB / "border_war.yaml", "--out", out)
    assert run_cli(*args, "--replicates", "1", "--quiet") == 2
    err = capsys.readouterr().err
    assert "cannot write the compare report: No space left on device" in err
    assert "Traceback" not in err and not out.exists() and _leftovers(tmp_path) == []


def test_compare_bad_location_is_refused_before_running(tmp_path, capsys, no_simulation):
    (tmp_path / "file").write_text("")
    args = ("compare", LIB / "baseline.yaml", LIB / "border_war.yaml")
    assert run_cli(*args, "--out", tmp_path / "file" / "c", "--quiet") == 2
    assert "is a file, not a folder" in capsys.readouterr().err


def test_sweep_full_disk_keeps_the_runs_stored_so_far(tmp_path, capsys, monkeypatch):
    f = write_sweep(tmp_path / "s.yaml")
    out = tmp_path / "store"
    real = st._atomic_parquet
    calls = {"n": 0}

    def atomic_parquet(table, path):
        calls["n"] += 1
        if calls["n"] > 4:  # two batches stored, then the disk is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(table, path)

    monkeypatch.setattr(st, "_atomic_parquet", atomic_parquet)
    assert run_cli("sweep", f, "--out", out, "--workers", "1", "--quiet") == 2
    err = capsys.readouterr().err
    assert "cannot write to the sweep store: No space left on device" in err
    assert "finish with --resume" in err and "Traceback" not in err
    assert len(st.committed_runs(out)) == 8
    assert not list(out.rglob(".*.tmp")) and not output.lock_path(out).exists()
    monkeypatch.setattr(st, "_atomic_parquet", real)
    assert run_cli("sweep", f, "--out", out, "--resume", "--workers", "1", "--quiet") == 0
    assert len(st.committed_runs(out)) == 30


def test_sweep_bad_location_is_refused_before_anything(tmp_path, capsys):
    f = write_sweep(tmp_path / "s.yaml")
    (tmp_path / "file").write_text("")
    assert run_cli("sweep", f, "--out", tmp_path / "file" / "s", "--workers", "1") == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert run_cli("sweep", f, "--out", "/proc/mv-store", "--workers", "1") == 2
    assert "/proc is a virtual file system" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["sweep", "tournament"])
def test_resume_and_force_together_are_refused_before_anything(command, tmp_path, capsys):
    from sim.tournament.engine import run_tournament

    f = (
        write_sweep(tmp_path / "s.yaml")
        if command == "sweep"
        else ROOT / "tournaments" / "kaz_balancing.yaml"
    )
    out = tmp_path / "out"
    assert run_cli(command, f, "--out", out, "--resume", "--force", "--workers", "1") == 2
    assert "--force: not allowed with argument --resume" in capsys.readouterr().err
    run = run_sweep if command == "sweep" else run_tournament
    with pytest.raises(UserError, match="--resume and --force contradict each other"):
        run(f, out=out, resume=True, force=True, workers=1)
    assert not out.exists()


def test_analyze_full_disk_writes_nothing(tmp_path, capsys, monkeypatch):
    f = write_sweep(tmp_path / "s.yaml")
    store = run_sweep(f, workers=1, out=tmp_path / "store", progress=False)
    _enospc(monkeypatch, ".csv")
    rc = run_cli("analyze", store, "--threshold", "kaz_rus_end < 0.5", "--quiet")
    err = capsys.readouterr().err
    assert rc == 2 and "cannot write the analysis: No space left on device" in err
    assert "Traceback" not in err and not (store / "analysis").exists()


# ----------------------------------------------------------------------------- 6. names
def test_a_scenario_named_dotdot_stays_inside_results(tmp_path, monkeypatch, capsys):
    data = generate_scenario(4, seed=1, years=2)
    data["metadata"]["name"] = ".."
    f = tmp_path / "up.yaml"
    f.write_text(yaml.safe_dump(data))
    work = tmp_path / "project"
    work.mkdir()
    monkeypatch.chdir(work)
    assert run_cli("run", f, "--no-plots", "--quiet") == 2
    assert "'..'" in capsys.readouterr().err
    assert list(work.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == [
        "project",
        "up.yaml",
    ]


@pytest.mark.parametrize("name", ["..", ".", ".hidden", "a/b", "", "x" * 256])
def test_unsafe_folder_names_are_refused(name):
    from sim.bundle import run_dir

    with pytest.raises(UserError, match="cannot name a folder"):
        run_dir(name, 1)


def test_a_sweep_named_dotdot_does_not_touch_results(tmp_path, monkeypatch, capsys):
    f = write_sweep(tmp_path / "s.yaml", name="..")
    stem = write_sweep(tmp_path / "...yaml")  # the default name is the file's stem: ".."
    spec = yaml.safe_load(stem.read_text())
    del spec["name"]
    stem.write_text(yaml.safe_dump(spec))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "keep.txt").write_text("keep")
    for sweep in (f, stem):
        assert run_cli("sweep", sweep, "--workers", "1", "--force", "--quiet") == 2
        err = capsys.readouterr().err  # refused by the schema's name pattern, or (the file's
        assert "cannot name a folder" in err or "name: value '..'" in err  # stem) the folder check
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["keep.txt"]


# ----------------------------------------------------------------------------- 9. git, Ctrl-C
def test_git_is_read_without_optional_locks(monkeypatch):
    import sim.bundle

    calls = []
    real = subprocess.run

    def spy(cmd, *a, **k):
        calls.append((list(cmd), dict(k.get("env") or {})))
        return real(cmd, *a, **k)

    monkeypatch.setattr(subprocess, "run", spy)
    sim.bundle.git_commit()
    assert calls and all(c[:2] == ["git", "--no-optional-locks"] for c, _ in calls)
    assert all(env.get("GIT_OPTIONAL_LOCKS") == "0" for _, env in calls)


def test_a_rejected_run_does_not_call_git(tiny, tmp_path, monkeypatch):
    out = tmp_path / "b"
    out.mkdir()
    (out / "x").write_text("")

    def no_git(*a, **k):
        raise AssertionError("git was called")

    monkeypatch.setattr("sim.bundle.git_commit", no_git)
    assert run_cli("run", tiny, "--out", out, "--quiet") == 2
    assert run_cli("run", tiny, "--out", out, "--force", "--quiet") == 2


_CTRL_C = textwrap.dedent(
    """
    import sys
    from sim.cli import main
    if __name__ == "__main__":
        sys.exit(main(sys.argv[1:]))
    """
)


def test_ctrl_c_stops_a_sweep_without_worker_tracebacks(tmp_path):
    big = write_sweep(tmp_path / "big.yaml", design={"method": "lhs", "n": 60}, batch=3)
    ref = run_sweep(big, workers=1, out=tmp_path / "ref", progress=False)
    script = tmp_path / "child.py"
    script.write_text(_CTRL_C)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for k in range(3):
        out = tmp_path / f"s{k}"
        proc = subprocess.Popen(
            [sys.executable, str(script), "sweep", str(big), "--out", str(out), "--workers", "2"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.time() + 120
        while time.time() < deadline and not list((out / "scalars").glob("part-*.parquet")):
            time.sleep(0.01)
        time.sleep(0.05 * k)
        os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C in a terminal: the whole group
        _, err = proc.communicate(timeout=60)
        if proc.returncode == 0:  # pragma: no cover - finished before the signal
            continue
        assert proc.returncode == 130, err
        assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
        assert "interrupted" in err
        assert not output.lock_path(out).exists()
        assert not st.read_manifest(out)["complete"]
        run_sweep(big, workers=1, out=out, resume=True, progress=False)
        assert_same_store(ref, out)
