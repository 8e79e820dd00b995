"""What setup-server.sh writes, run for real without root: the wrapper staff type (with stub
``sudo`` and ``id`` on PATH, and this Python with this checkout's ``procedures`` as the
install's, for its ID-number check), the launcher (with a stub python), the sudoers rule, and
the /etc/fstab edit that hides other people's processes (``--print fstab``, a filter).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SETUP = ROOT / "deploy" / "setup-server.sh"
ID = "140431198503150021"
DOCUMENT = b"PK\x03\x04 the document \x00\xff bytes\n"


def script(*args: str | Path, stdin: str | None = None) -> str:
    done = subprocess.run(["bash", SETUP, *map(str, args)], input=stdin, capture_output=True, text=True, check=True)
    return done.stdout


def install(prefix: Path) -> None:
    """PREFIX as the wrapper needs it: bin/python (this Python) and site-packages/procedures."""
    (prefix / "bin").mkdir(parents=True)
    (prefix / "bin" / "python").symlink_to(sys.executable)
    site = prefix / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    site.mkdir(parents=True)
    (site / "procedures").symlink_to(ROOT / "procedures")


@pytest.fixture
def wrapper(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The wrapper (its PREFIX: tmp_path/opt), and an environment whose ``sudo`` records its
    arguments (NUL-separated) and writes a document, or part of one and fails (STUB_FAIL), and
    meanwhile may make STUB_PLANT (STUB_PLANT_KIND: a fifo, a directory, or a link to STUB_LINK);
    and whose ``id`` is a staff member."""
    install(tmp_path / "opt")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "sudo").write_text(
        "#!/bin/sh\n"
        'printf "%s\\0" "$@" >"$STUB_ARGS"\n'
        'if [ -n "${STUB_FAIL-}" ]; then printf partial; echo "文书不存在" >&2; exit 3; fi\n'
        'case ${STUB_PLANT_KIND-} in fifo) mkfifo "$STUB_PLANT" ;; link) ln -s "$STUB_LINK" "$STUB_PLANT" ;;\n'
        'directory) mkdir "$STUB_PLANT" ;; esac\n'
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
    path.write_text(script("--prefix", tmp_path / "opt", "--print", "wrapper"), "utf-8")
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
    # sh: the wrapper is #!/bin/sh (dash on Debian), not bash. A timeout: a FIFO opened for
    # writing would wait for a reader for ever.
    return subprocess.run(["sh", path, *args], capture_output=True, cwd=cwd, env={**env, **extra}, timeout=30)


def sudo_args(tmp_path: Path) -> list[str] | None:
    """What the stub sudo was given after ``-n -u cunwu -H LAUNCHER`` (None: it never ran)."""
    recorded = tmp_path / "args"
    if not recorded.exists():
        return None
    args = recorded.read_bytes().decode().split("\0")[:-1]
    assert args[:5] == ["-n", "-u", "cunwu", "-H", f"{tmp_path}/opt/bin/cunwu-shared"]
    return args[5:]


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
    assert sudo_args(tmp_path) == ["export", "get", "20261127_归档卷宗_城关村-2026-0001.docx"]
    done = call(wrapper, "export", "get", "--to=其他.docx", "a.docx", cwd=work)
    assert done.returncode == 0 and (work / "其他.docx").read_bytes() == DOCUMENT
    assert sudo_args(tmp_path) == ["export", "get", "a.docx"]


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
    os.mkfifo(work / "fifo.docx")  # never opened: a writer would wait here for a reader
    done = call(wrapper, "export", "get", "a.docx", "--to", "fifo.docx", cwd=work)
    assert done.returncode == 1 and "已存在，未覆盖" in done.stderr.decode()
    # Nothing else is left behind: no temporary file beside FILE.
    assert sorted(p.name for p in work.iterdir()) == ["fifo.docx", "link.docx", "卷宗.docx"]


@pytest.mark.parametrize("kind", ["fifo", "link", "directory"])
def test_export_get_never_opens_or_follows_what_appears_at_file_meanwhile(
    wrapper: tuple[Path, dict[str, str]], tmp_path: Path, kind: str
) -> None:
    """The race: FILE did not exist when checked, and something appears there while the
    document is fetched (another account planting a FIFO or a link in /tmp)."""
    work = tmp_path / "home"
    work.mkdir()
    target, elsewhere = work / "卷宗.docx", tmp_path / "elsewhere.docx"
    plant = {"STUB_PLANT": str(target), "STUB_PLANT_KIND": kind, "STUB_LINK": str(elsewhere)}
    started = time.monotonic()
    done = call(wrapper, "export", "get", "a.docx", "--to", "卷宗.docx", cwd=work, **plant)
    assert done.returncode == 1 and "已存在，未覆盖" in done.stderr.decode()
    assert time.monotonic() - started < 20, "a FIFO was opened"
    assert sudo_args(tmp_path) == ["export", "get", "a.docx"]
    # What was planted is as it was: the link not followed (nothing written through it), the
    # document not put into the directory; and the temporary file is gone.
    assert not elsewhere.exists()
    mode = target.lstat().st_mode
    assert {"fifo": stat.S_ISFIFO, "link": stat.S_ISLNK, "directory": stat.S_ISDIR}[kind](mode)
    if kind == "directory":
        assert list(target.iterdir()) == []
    assert [p.name for p in work.iterdir()] == ["卷宗.docx"]


def test_export_get_leaves_no_temporary_file_and_a_private_one(
    wrapper: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    work = tmp_path / "home"
    work.mkdir()
    (work / "sub").mkdir()
    path, env = wrapper
    # Under a umask that lets everyone read (0): still 0600.
    command = ["sh", "-c", 'umask 0; exec sh "$0" "$@"', str(path), "export", "get", "a.docx", "--to", "sub/卷宗.docx"]
    done = subprocess.run(command, capture_output=True, cwd=work, env=env, timeout=30)
    assert done.returncode == 0, done.stderr.decode()
    saved = work / "sub" / "卷宗.docx"
    assert saved.read_bytes() == DOCUMENT and saved.stat().st_nlink == 1
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert [p.name for p in (work / "sub").iterdir()] == ["卷宗.docx"]
    # A folder that is not there: nothing is fetched, nothing is left.
    (tmp_path / "args").unlink()
    done = call(wrapper, "export", "get", "a.docx", "--to", "missing/卷宗.docx", cwd=work)
    assert done.returncode == 1 and "不能创建 missing/卷宗.docx" in done.stderr.decode()
    assert sudo_args(tmp_path) is None and sorted(p.name for p in work.iterdir()) == ["sub"]


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
    assert sudo_args(tmp_path) == [*args]
    # ``export get NAME > FILE`` (no --to) is passed on as well, standard output and all.
    done = call(wrapper, "export", "get", "a.docx", cwd=tmp_path)
    assert done.stdout == DOCUMENT and sudo_args(tmp_path) == ["export", "get", "a.docx"]


ATTACKS = {
    "ascii": ["notice", "post", "城关村-2026-0001", "--entry", f"李某某,{ID},2"],
    "spaces": ["notice", "post", "城关村-2026-0001", "--entry", "李某某,1404 3119 8503 1500 21,2"],
    "full-width": ["case", "step", "城关村-2026-0001", "--note", "身份证１４０４３１１９８５０３１５００２１"],
    "ideographic-spaces": ["case", "step", "城关村-2026-0001", "--note", "140431\u300019850315\u30000021"],
    "full-width-and-space": ["case", "step", "城关村-2026-0001", "--note", "１４０４３１１９８５ ０３１５００２１"],
    "hyphens": ["case", "step", "城关村-2026-0001", "--note", "140431-19850315-0021"],
    "full-width-hyphens": ["case", "step", "城关村-2026-0001", "--note", "140431－19850315－0021"],
    "after-a-letter": ["case", "step", "城关村-2026-0001", "--note", "ID140431198503150021"],
    "unquoted": ["case", "step", "城关村-2026-0001", "--note", "申请人", "140431", "19850315", "0021"],
    "option=value": ["case", "new", "dibao", "--village", "城关村", f"--subject=王某某{ID}"],
}


@pytest.mark.parametrize("args", list(ATTACKS.values()), ids=list(ATTACKS))
def test_an_id_number_never_reaches_sudo(wrapper: tuple[Path, dict[str, str]], tmp_path: Path, args: list[str]) -> None:
    done = call(wrapper, *args, cwd=tmp_path)
    err = done.stderr.decode()
    assert done.returncode == 2 and sudo_args(tmp_path) is None, err
    # cunwu's own message: the number masked, and what to do instead.
    assert "命令行参数中有身份证号（140431********0021）" in err and "--entries-file -" in err
    assert "未做任何改动" in err and "19850315" not in err


def test_an_id_number_typed_in_a_gbk_terminal_never_reaches_sudo(
    wrapper: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    path, env = wrapper
    note = "身份证１４０４３１１９８５０３１５００２１".encode("gbk")
    done = subprocess.run([b"sh", bytes(path), b"case", b"step", b"X", b"--note", note], capture_output=True, env=env)
    assert done.returncode == 2 and sudo_args(tmp_path) is None, done.stderr.decode()


def test_what_is_no_id_number_reaches_sudo_unchanged(wrapper: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    for args in (
        ["notice", "post", "城关村-2026-0001", "--entry", "14043119", "--note", "8503150021"],  # two options
        ["case", "step", "城关村-2026-0001", "--meeting", "城关村-2026-HY0001", "--seal", "城关村-2026-YY0001"],
        ["meeting", "new", "--start", "2026-11-27 09:00", "--expected", "39", "--present", "27", "--vote", "1:20:4:3"],
        ["init", "--phone", "0355-1234567", "--note", "电话13912345678 0355-1234567 7654321"],
        ["case", "step", "城关村-2026-0001", "--note", "银行卡6222021234567890123"],
    ):
        done = call(wrapper, *args, cwd=tmp_path)
        assert done.returncode == 0, (args, done.stderr.decode())
        assert sudo_args(tmp_path) == args


def test_without_the_check_nothing_runs(wrapper: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    # An install without cunwu's module (a broken upgrade): the wrapper refuses, it does not skip the check.
    for site in (tmp_path / "opt" / "lib").glob("python3*/site-packages"):
        (site / "procedures").unlink()
    done = call(wrapper, "case", "list", cwd=tmp_path)
    assert done.returncode == 3 and sudo_args(tmp_path) is None
    assert "未能检查命令行参数" in done.stderr.decode() and "Traceback" not in done.stderr.decode()


def test_the_wrappers_check_loads_only_a_few_modules() -> None:
    """It runs before every command: no typing, re or datetime (several ms each)."""
    probe = "import sys; sys.path.append(sys.argv[1]); import procedures.idnumber; print(sorted(sys.modules))"
    done = subprocess.run(
        [sys.executable, "-X", "utf8", "-I", "-S", "-c", probe, str(ROOT)], capture_output=True, text=True, check=True
    )
    loaded = set(eval(done.stdout))  # a printed list of names
    assert "procedures.idnumber" in loaded and not loaded & {"typing", "re", "datetime", "enum"}


def test_the_launcher_drops_the_callers_time_zone_and_locale(tmp_path: Path) -> None:
    prefix = tmp_path / "opt"
    (prefix / "bin").mkdir(parents=True)
    python = prefix / "bin" / "python"
    python.write_text(
        "#!/bin/sh\n"
        'echo "TZ=${TZ-unset} CUNWU_DATA=${CUNWU_DATA-unset} LC_ALL=${LC_ALL-unset} LANG=${LANG-unset}'
        ' LC_CTYPE=${LC_CTYPE-unset}"\n'
        'printf "%s|" "$@"\n',
        "utf-8",
    )
    python.chmod(0o755)
    launcher = tmp_path / "cunwu-shared"
    launcher.write_text(script("--prefix", prefix, "--data", "/srv/cunwu", "--print", "launcher"), "utf-8")
    launcher.chmod(0o755)
    # sudo keeps the caller's TZ, LANG and LC_*: a GBK locale would name 城关村's folder in GBK.
    env = {
        "PATH": os.environ["PATH"],
        "TZ": "America/New_York",
        "CUNWU_DATA": "/tmp/elsewhere",
        "LC_ALL": "zh_CN.GBK",
        "LANG": "zh_CN.GBK",
        "LC_CTYPE": "zh_CN.GB18030",
    }
    done = subprocess.run([launcher, "case", "list"], capture_output=True, text=True, env=env, check=True)
    first, args = done.stdout.split("\n", 1)
    # LC_ALL overrides LC_CTYPE and every other LC_*; -X utf8 holds where C.UTF-8 is missing.
    assert first == "TZ=unset CUNWU_DATA=unset LC_ALL=C.UTF-8 LANG=unset LC_CTYPE=zh_CN.GB18030"
    assert args == f"-X|utf8|-I|{prefix}/bin/cunwu|--data|/srv/cunwu|case|list|"


def test_sudo_does_not_log_the_launchers_allowed_runs_but_still_denied_ones() -> None:
    sudoers = script("--prefix", "/opt/cunwu", "--print", "sudoers")
    rules = [line for line in sudoers.splitlines() if line and not line.startswith("#")]
    # Only for the launcher (a plain ``Defaults !log_allowed`` would silence every sudo on the
    # server), and never !log_denied: a refused attempt still reaches the system log.
    assert "Defaults!/opt/cunwu/bin/cunwu-shared !log_allowed" in rules
    assert not [line for line in rules if "log_denied" in line or line.startswith(("Defaults ", "Defaults\t"))]
    assert "以 cunwu 自己的日志为准" in (ROOT / "deploy" / "README.txt").read_text("utf-8")


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


def login(
    tmp_path: Path, groups: str, cunwu: str, interactive: bool = True
) -> tuple[subprocess.CompletedProcess[str], float]:
    """/etc/profile.d/cunwu-digest.sh sourced by a login shell (sh, as /etc/profile does), with
    ``id`` saying the person is in ``groups`` and a stub wrapper (``cunwu``: its body) where the
    real one is installed; the shell carries on afterwards (prints 登录继续)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "id").write_text(f'#!/bin/sh\ncase $1 in -nG) echo "{groups}" ;; -u) echo 1000 ;; esac\n', "utf-8")
    wrapper = tmp_path / "wrapper"
    wrapper.write_text(f"#!/bin/sh\n{cunwu}\n", "utf-8")
    for stub in (bin_dir / "id", wrapper):
        stub.chmod(0o755)
    hook = tmp_path / "cunwu-digest.sh"
    text = script("--print", "digest")
    assert text.count("/usr/local/bin/cunwu") == 2  # the wrapper setup-server.sh installs
    hook.write_text(text.replace("/usr/local/bin/cunwu", str(wrapper)), "utf-8")
    flags = ["-i"] if interactive else []
    started = time.monotonic()
    done = subprocess.run(
        ["sh", *flags, "-c", f'. "{hook}"; echo 登录继续'],
        capture_output=True,
        text=True,
        env={"PATH": f"{bin_dir}:{os.environ['PATH']}", "LANG": "C.UTF-8", "HOME": str(tmp_path)},
        stdin=subprocess.DEVNULL,
        timeout=30,
    )
    return done, time.monotonic() - started


def test_the_login_digest_runs_due_brief_for_staff_at_an_interactive_login(tmp_path: Path) -> None:
    done, _ = login(tmp_path, "clerk cunwu-staff", 'echo "cunwu $*"; echo 城关村：逾期 1')
    assert done.stdout.splitlines() == ["cunwu due --brief", "城关村：逾期 1", "登录继续"]
    # Not for anyone outside the staff group (a name that only contains it, either), nor for a
    # non-interactive login (scp, ssh host command).
    for groups in ("clerk", "clerk cunwu-staff-old"):
        done, _ = login(tmp_path, groups, 'echo "cunwu $*"')
        assert done.stdout.splitlines() == ["登录继续"]
    done, _ = login(tmp_path, "clerk cunwu-staff", 'echo "cunwu $*"', interactive=False)
    assert done.stdout.splitlines() == ["登录继续"]


def test_the_login_digest_never_ends_or_holds_up_the_login(tmp_path: Path) -> None:
    # A failure: its own line on stderr, and the shell carries on (no exit in a sourced file).
    done, _ = login(tmp_path, "cunwu-staff", "echo 出错了 >&2; exit 3")
    assert done.stdout.splitlines() == ["登录继续"] and "出错了" in done.stderr
    # A hang (a held lock, a slow disk): cut off after 5 seconds. (The wrapper execs sudo, which
    # passes the TERM on to cunwu: the stub execs too.)
    done, took = login(tmp_path, "cunwu-staff", "echo 开始; exec sleep 60")
    assert done.stdout.splitlines() == ["开始", "登录继续"] and took < 9


def test_setup_installs_the_login_digest_readable_by_everyone() -> None:
    text = SETUP.read_text("utf-8")
    assert 'digest >"$tmp"\ninstall -o root -g root -m 0644 "$tmp" /etc/profile.d/cunwu-digest.sh' in text
    # What it leaves in every login shell: no exit, no variable set.
    hook = script("--print", "digest")
    body = [line for line in hook.splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in body if "exit" in line or "=" in line.split("#")[0].replace("==", "")]
