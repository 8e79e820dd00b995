"""What setup-server.sh writes, run for real without root: the wrapper staff type (with stub
``sudo`` and ``id`` on PATH), the launcher (with a stub python), and the /etc/fstab edit that
hides other people's processes (``--print fstab``, a filter).
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SETUP = ROOT / "deploy" / "setup-server.sh"
ID = "140431198503150021"
DOCUMENT = b"PK\x03\x04 the document \x00\xff bytes\n"


def script(*args: str | Path, stdin: str | None = None) -> str:
    done = subprocess.run(["bash", SETUP, *map(str, args)], input=stdin, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def wrapper(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The wrapper, and an environment whose ``sudo`` records its arguments (NUL-separated) and
    writes a document, or part of one and fails (STUB_FAIL), and whose ``id`` is a staff member."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "sudo").write_text(
        "#!/bin/sh\n"
        'printf "%s\\0" "$@" >"$STUB_ARGS"\n'
        'if [ -n "${STUB_FAIL-}" ]; then printf partial; echo "文书不存在" >&2; exit 3; fi\n'
        'cat "$STUB_DOCUMENT"\n',
        "utf-8",
    )
    (bin_dir / "id").write_text(
        '#!/bin/sh\ncase $1 in -u) echo 1000 ;; -nG) echo "clerk cunwu-staff" ;; -un) echo clerk ;; esac\n', "utf-8"
    )
    for stub in bin_dir.iterdir():
        stub.chmod(0o755)
    (tmp_path / "document").write_bytes(DOCUMENT)
    path = tmp_path / "cunwu"
    path.write_text(script("--print", "wrapper"), "utf-8")
    path.chmod(0o755)
    env = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "STUB_ARGS": str(tmp_path / "args"),
        "STUB_DOCUMENT": str(tmp_path / "document"),
        "LANG": "C.UTF-8",
    }
    return path, env


def call(
    wrapper: tuple[Path, dict[str, str]], *args: str, cwd: Path, **extra: str
) -> subprocess.CompletedProcess[bytes]:
    path, env = wrapper
    # sh: the wrapper is #!/bin/sh (dash on Debian), not bash.
    return subprocess.run(["sh", path, *args], capture_output=True, cwd=cwd, env={**env, **extra})


def sudo_args(tmp_path: Path) -> list[str] | None:
    recorded = tmp_path / "args"
    return recorded.read_bytes().decode().split("\0")[:-1] if recorded.exists() else None


SUDO = ["-n", "-u", "cunwu", "-H", "/opt/cunwu/bin/cunwu-shared"]


def test_export_get_to_a_file_makes_a_private_file_with_the_document(
    wrapper: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    work = tmp_path / "home"
    work.mkdir()
    done = call(wrapper, "export", "get", "20261127_归档卷宗_城关村-2026-0001.docx", "--to", "卷宗.docx", cwd=work)
    assert done.returncode == 0, done.stderr.decode()
    saved = work / "卷宗.docx"
    assert saved.read_bytes() == DOCUMENT
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert "已保存：卷宗.docx" in done.stdout.decode()
    # sudo ran without --to FILE: ``export get NAME`` writes the document to standard output.
    assert sudo_args(tmp_path) == [*SUDO, "export", "get", "20261127_归档卷宗_城关村-2026-0001.docx"]
    done = call(wrapper, "export", "get", "--to=其他.docx", "a.docx", cwd=work)
    assert done.returncode == 0 and (work / "其他.docx").read_bytes() == DOCUMENT
    assert sudo_args(tmp_path) == [*SUDO, "export", "get", "a.docx"]


def test_export_get_never_overwrites_and_leaves_nothing_behind_on_failure(
    wrapper: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    work = tmp_path / "home"
    work.mkdir()
    existing = work / "卷宗.docx"
    existing.write_bytes(b"mine")
    done = call(wrapper, "export", "get", "a.docx", "--to", "卷宗.docx", cwd=work)
    assert done.returncode == 1 and "已存在，未覆盖" in done.stderr.decode()
    assert existing.read_bytes() == b"mine" and sudo_args(tmp_path) is None
    (work / "link.docx").symlink_to(work / "nowhere.docx")  # a dangling link is not followed
    done = call(wrapper, "export", "get", "a.docx", "--to", "link.docx", cwd=work)
    assert done.returncode == 1 and not (work / "nowhere.docx").exists()

    done = call(wrapper, "export", "get", "a.docx", "--to", "新.docx", cwd=work, STUB_FAIL="1")
    assert done.returncode == 3 and "文书不存在" in done.stderr.decode()
    assert not (work / "新.docx").exists()
    for args in (["--to"], ["--to", "x", "--to", "y"], ["--to="]):
        done = call(wrapper, "export", "get", "a.docx", *args, cwd=work)
        assert done.returncode == 2 and "--to" in done.stderr.decode()
    assert sorted(p.name for p in work.iterdir()) == ["link.docx", "卷宗.docx"]


def test_everything_else_passes_through_unchanged(wrapper: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    args = [
        "notice",
        "post",
        "城关村-2026-0001",
        "--content",
        "两个  空格 *",
        "--entry",
        "",
        "--note",
        "第一行\n第二行",
    ]
    done = call(wrapper, *args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    assert sudo_args(tmp_path) == [*SUDO, *args]
    # ``export get NAME > FILE`` (no --to) is passed on as well, standard output and all.
    done = call(wrapper, "export", "get", "a.docx", cwd=tmp_path)
    assert done.stdout == DOCUMENT and sudo_args(tmp_path) == [*SUDO, "export", "get", "a.docx"]


def test_an_id_number_never_reaches_sudo(wrapper: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    for entry in (f"李某某,{ID},2", "李某某,1404 3119 8503 1500 2x,2"):
        done = call(wrapper, "notice", "post", "城关村-2026-0001", "--entry", entry, cwd=tmp_path)
        assert done.returncode == 2 and "命令行参数中有身份证号" in done.stderr.decode()
        assert sudo_args(tmp_path) is None
    done = call(
        wrapper, "notice", "post", "城关村-2026-0001", "--entry", "14043119", "--note", "8503150021", cwd=tmp_path
    )
    assert done.returncode == 0, "two arguments are not one number"


def test_the_launcher_drops_the_callers_time_zone(tmp_path: Path) -> None:
    prefix = tmp_path / "opt"
    (prefix / "bin").mkdir(parents=True)
    python = prefix / "bin" / "python"
    python.write_text('#!/bin/sh\necho "TZ=${TZ-unset} CUNWU_DATA=${CUNWU_DATA-unset}"\nprintf "%s|" "$@"\n', "utf-8")
    python.chmod(0o755)
    launcher = tmp_path / "cunwu-shared"
    launcher.write_text(script("--prefix", prefix, "--data", "/srv/cunwu", "--print", "launcher"), "utf-8")
    launcher.chmod(0o755)
    env = {"PATH": os.environ["PATH"], "TZ": "America/New_York", "CUNWU_DATA": "/tmp/elsewhere"}
    done = subprocess.run([launcher, "case", "list"], capture_output=True, text=True, env=env, check=True)
    first, args = done.stdout.split("\n", 1)
    assert first == "TZ=unset CUNWU_DATA=unset"
    assert args == f"-I|{prefix}/bin/cunwu|--data|/srv/cunwu|case|list|"


FSTABS = {
    "none": "# /etc/fstab: static file system information.\nUUID=1234 / ext4 errors=remount-ro 0 1\n",
    "empty": "",
    "defaults": "UUID=1234 / ext4 defaults 0 1\nproc\t/proc\tproc\tdefaults\t0\t0\n#proc /proc proc defaults 0 0\n",
    "hidepid=1": "proc /proc proc nosuid,hidepid=1,nodev 0 0\n",
    "no newline": "UUID=1234 / ext4 defaults 0 1",
}


@pytest.mark.parametrize("name", list(FSTABS))
def test_the_fstab_edit_sets_hidepid_once_and_is_idempotent(name: str) -> None:
    before = FSTABS[name]
    after = script("--print", "fstab", stdin=before)
    active = [line.split() for line in after.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    procs = [fields for fields in active if fields[1] == "/proc"]
    assert len(procs) == 1 and procs[0][2] == "proc"
    options = procs[0][3].split(",")
    assert options.count("hidepid=2") == 1 and not [o for o in options if o.startswith("hidepid=") and o != "hidepid=2"]
    # Every other line is kept as it was, comments included.
    kept = [line for line in before.splitlines() if "/proc" not in line or line.startswith("#")]
    assert [line for line in after.splitlines() if line in kept] == kept
    if name == "hidepid=1":
        assert options == ["nosuid", "nodev", "hidepid=2"]
    # Running the set-up again changes nothing.
    assert script("--print", "fstab", stdin=after) == after


def test_an_fstab_already_hiding_processes_is_left_byte_for_byte() -> None:
    for line in ("proc  /proc  proc  defaults,hidepid=2  0  0\n", "proc /proc proc hidepid=invisible,gid=4 0 0\n"):
        fstab = "UUID=1234 / ext4 defaults 0 1\n" + line
        assert script("--print", "fstab", stdin=fstab) == fstab


def test_the_server_script_remounts_proc_and_warns_where_it_cannot() -> None:
    text = SETUP.read_text("utf-8")
    assert "mount -o remount,hidepid=2 /proc" in text
    # A failed mount (a container) warns and carries on: it is not under `|| die`.
    line = next(line for line in text.splitlines() if "mount -o remount,hidepid=2 /proc" in line)
    assert "die" not in line and line.lstrip().startswith("if ! mount")
