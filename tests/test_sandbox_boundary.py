"""helpers.sandbox's kernel boundary: per layer, escapes that must fail where the layer is on (cold and
warm, as whatever user runs the tests: root in CI, like Colab), and the fallback when it is forced off."""

import glob
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers.sandbox import ForkServer, run_code, sandbox_layers  # noqa: E402
from helpers.sandbox import layers as layers_module  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
STATE = sandbox_layers(show=False)


def needs(layer):
    return pytest.mark.skipif(STATE[layer] != "on", reason=f"no {layer} layer here: {STATE[layer]}")


@pytest.fixture(scope="module")
def template():
    with ForkServer() as warm:
        yield warm


@pytest.fixture(params=["cold", "warm"])
def run(request, template):
    return run_code if request.param == "cold" else template.run_code


@pytest.fixture
def sleeper():
    """A process of ours, outside any run: the target of the signal escape."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc
    proc.kill()
    proc.wait()


# Straight through libc, around the audit hook: what a determined program does.
CTYPES_CONNECT = """
import ctypes, socket, struct
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
addr = struct.pack("!HH4s8x", socket.AF_INET, {port}, socket.inet_aton("127.0.0.1"))
addr = struct.pack("=H", socket.AF_INET) + addr[2:]
print("connected" if libc.connect(fd, addr, len(addr)) == 0 else "refused", ctypes.get_errno())
"""
KILL = "import os, signal\nos.kill({pid}, signal.SIGKILL)\nprint('sent')"


@needs("pid")
def test_cannot_signal_a_process_outside_the_run(run, sleeper):
    result = run(KILL.format(pid=sleeper.pid), timeout=10)
    assert result.error_type == "ProcessLookupError" or result.stdout == "sent\n", result.feedback()
    assert sleeper.poll() is None, "the run killed a process outside it"


@needs("pid")
def test_sees_only_its_own_processes(run, sleeper):
    result = run("import os\nprint(sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))", timeout=10)
    assert result.ok, result.feedback()
    pids = eval(result.stdout)
    assert str(sleeper.pid) not in result.stdout.split(", ") and len(pids) <= 3 and 1 in pids


@needs("mount")
@pytest.mark.parametrize("where", ["home", "repository", "host /tmp"])
def test_cannot_write_outside_the_working_folder(run, where, tmp_path):
    folder = {"home": Path.home(), "repository": REPO, "host /tmp": tmp_path}[where]
    target = folder / f"sandbox-escape-{os.urandom(4).hex()}"
    result = run(f"open({str(target)!r}, 'w').write('escaped')\nprint('wrote')", timeout=10)
    assert not target.exists(), f"the run wrote into the {where}"
    target.unlink(missing_ok=True)
    assert result.status == "error" and result.error_type in ("OSError", "PermissionError", "FileNotFoundError")


HOLDER = "import os, time\nopen('secret.txt', 'w').write('mine')\nprint(os.getcwd(), flush=True)\ntime.sleep({hold})"
LOOKER = """import os
try:
    print(open({secret!r}).read())
except OSError as exc:
    print(type(exc).__name__)
print(sorted(os.listdir({folder!r})))
print(sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))
"""


@pytest.fixture(params=["default", "elsewhere"])
def run_folders(request, monkeypatch):
    """Where run folders are made: the usual temporary folder, or one outside /tmp (TMPDIR elsewhere)."""
    if request.param == "default":
        yield tempfile.gettempdir()
        return
    parent = next((p for p in ("/var/tmp", str(REPO)) if os.access(p, os.W_OK)), None)
    if parent is None:
        pytest.skip("no writable folder outside /tmp")
    folder = tempfile.mkdtemp(prefix="sandbox-test-runs-", dir=parent)
    monkeypatch.setattr(tempfile, "tempdir", folder)
    yield folder
    subprocess.run(["rm", "-rf", folder], check=False)


@needs("pid")
@needs("mount")
def test_concurrent_runs_see_neither_each_others_folders_nor_processes(run, run_folders):
    """While one run holds a file in its folder, another, told exactly where it is, cannot read it,
    sees no other run's folder where run folders are made, and sees only its own processes."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        holder = pool.submit(run, HOLDER.format(hold=3), timeout=20)
        secrets = []
        for _ in range(200):  # found on the host, so the holder is surely running
            secrets = glob.glob(os.path.join(run_folders, "sandbox-*", "work", "secret.txt"))
            if secrets or holder.done():
                break
            time.sleep(0.05)
        assert secrets, holder.result().feedback()
        looker = run(LOOKER.format(secret=secrets[0], folder=run_folders), timeout=10)
        held = holder.result()
    assert held.ok and looker.ok, (held.feedback(), looker.feedback())
    assert held.stdout.strip() == os.path.dirname(secrets[0])
    seen, folders, pids = looker.stdout.splitlines()
    assert seen in ("FileNotFoundError", "PermissionError"), "a run read another run's file"
    assert os.path.basename(os.path.dirname(os.path.dirname(secrets[0]))) not in folders
    assert len(eval(pids)) <= 3


@needs("mount")
def test_working_folder_and_private_tmp_are_writable(run):
    name = f"sandbox-private-{os.urandom(4).hex()}"
    result = run(f"open('out.txt', 'w').write('x')\nopen('/tmp/{name}', 'w').write('x')\nprint('ok')", timeout=10)
    assert result.ok and result.stdout == "ok\n", result.feedback()
    assert not Path("/tmp", name).exists()  # the run's /tmp was its own


@needs("mount")
def test_cannot_undo_the_read_only_filesystem(run):
    code = "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n" \
           "print(libc.mount(None, b'/', None, 32 | 4096, None), ctypes.get_errno())"  # MS_REMOUNT | MS_BIND
    result = run(code, timeout=10)
    assert result.ok, result.feedback()
    assert result.stdout.split()[0] == "-1"  # no capabilities left: EPERM


@needs("network")
def test_socket_to_loopback_fails_even_around_the_audit_hook(run, listener):
    port, accepted = listener
    result = run(CTYPES_CONNECT.format(port=port), timeout=10)
    assert result.ok, result.feedback()
    assert result.stdout.startswith("refused")
    assert accepted == []


@needs("network")
def test_allow_network_leaves_the_network_namespace_out(run, listener):
    port, accepted = listener
    result = run(CTYPES_CONNECT.format(port=port), timeout=10, allow_network=True)
    assert result.stdout.startswith("connected"), result.feedback()


@needs("processes")
def test_cannot_fork_past_the_process_cap(run):
    code = """
import os, time
started = 0
try:
    for _ in range(400):
        if os.fork() == 0:
            time.sleep(3)
            os._exit(0)
        started += 1
except OSError as exc:
    print(started, type(exc).__name__)
else:
    print(started, "none")
"""
    result = run(code, timeout=20)
    assert result.ok, result.feedback()
    started, error = result.stdout.split()
    assert int(started) < 300 and error == "BlockingIOError"


# --------------------------------------------------------------------------- the fallback

def test_forced_off_runs_behind_the_guardrails_only(monkeypatch, sleeper, listener, capsys):
    monkeypatch.setenv("HELPERS_SANDBOX_BOUNDARY", "off")
    report = sandbox_layers()
    assert all(report[layer].startswith("switched off") for layer in ("pid", "mount", "network", "processes"))
    assert report["network audit hook"] == "on"
    assert "OFF  PID namespace" in capsys.readouterr().out
    port, accepted = listener
    result = run_code(CTYPES_CONNECT.format(port=port), timeout=10)
    assert result.stdout.startswith("connected")  # this is what the network namespace stops
    result = run_code("import socket\nsocket.create_connection(('127.0.0.1', 9))", timeout=10)
    assert result.error_type == "PermissionError"  # the hook still refuses ordinary code
    assert run_code(KILL.format(pid=sleeper.pid), timeout=10).ok
    sleeper.wait(timeout=5)  # and this is what the PID namespace stops


def test_missing_layers_are_said_once_in_one_line(monkeypatch, capsys):
    monkeypatch.setattr(layers_module, "_probed", {"pid": None, "mount": "unshare: Operation not permitted",
                                                   "network": "unshare: Operation not permitted", "processes": "unshare: Operation not permitted"})
    monkeypatch.setattr(layers_module, "_said", False)
    assert layers_module.kernel_layers() == ["pid"]
    assert layers_module.kernel_layers() == ["pid"]
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and "no mount, network, processes isolation" in lines[0] and "Operation not permitted" in lines[0]


@needs("pid")
def test_a_template_with_threads_still_contains_its_runs():
    # numpy's OpenBLAS starts threads at import: the template then forks before entering the namespaces
    with ForkServer(preload=("numpy",), deep=False) as warm:
        result = warm.run_code("import numpy, os\nprint(numpy.ones((200, 200)).dot(numpy.ones(200)).sum(), os.getpid())",
                               timeout=20)
    assert result.ok, result.feedback()
    total, pid = result.stdout.split()
    assert float(total) == 200 * 200 and int(pid) <= 3


def test_an_interpreter_and_a_checkout_under_tmp_stay_importable(tmp_path):
    """A venv or a clone in /tmp (CI, a quick try-out) is bound back into the private /tmp, read-only."""
    from helpers.sandbox import boundary
    kept = boundary._environment_paths()
    assert os.path.realpath(sys.prefix) in kept and "/tmp" not in kept and "/" not in kept
    here = os.path.realpath(Path(boundary.__file__).parents[2])
    assert here in kept, "the checkout that holds the sandbox's own child runner"


@needs("mount")
def test_without_its_jail_the_template_still_contains_runs():
    """Contained warm runs start in the template's jail; should it die, the template contains them itself."""
    with ForkServer() as warm:
        pid = warm._proc.pid
        jails = open(f"/proc/{pid}/task/{pid}/children").read().split()
        assert len(jails) == 1, "the template starts one jail"
        os.kill(int(jails[0]), 9)
        time.sleep(0.2)
        target = REPO / f"sandbox-escape-{os.urandom(4).hex()}"
        result = warm.run_code(f"import os\nprint(os.getpid(), flush=True)\nopen({str(target)!r}, 'w')", timeout=10)
    assert not target.exists(), "the run wrote into the repository"
    assert result.stdout.split() == ["2"], result.feedback()  # the job of its own PID namespace's init
    assert result.error_type in ("OSError", "PermissionError"), result.feedback()
