"""The README's first screen keeps its promise: exactly two one-line commands, and CI runs the second."""

import json
import os
import pwd
import re
import signal
import socket
import subprocess
import tempfile
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
TOKEN = "rehearsal-token-not-a-secret"


def first_screen_commands():
    head = README.split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)\n```", head, re.S)


def test_first_screen_has_exactly_two_one_line_commands():
    commands = first_screen_commands()
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    assert "requirements.txt" in commands[0] and "jupyter" in commands[0]
    assert "requirements-dev.txt" in commands[1] and "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text()
    lines = [line.strip() for line in ci.splitlines() if line.strip() and not line.startswith("#")]
    assert first_screen_commands()[1] in lines


def test_every_repo_slug_matches_pyproject():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    slug = meta["project"]["urls"]["Repository"].removeprefix("https://github.com/")
    texts = [README] + [p.read_text() for p in sorted(ROOT.glob("notebooks/*.ipynb"))]
    found = {m for t in texts for m in re.findall(r"github(?:\.com)?/([\w.-]+/[\w.-]+?)(?:/blob|\.git|\s|\"|\))", t)
             if not m.startswith(("camilochs", "openai/"))}
    assert found == {slug}, found
    for nb in ROOT.glob("notebooks/*.ipynb"):
        assert f"colab.research.google.com/github/{slug}/blob/main/notebooks/{nb.name}" in README


def test_readme_has_no_placeholder_left():
    assert "<!--" not in README, "fill the RESULTS / SAFETY / INSTRUCTORS sections"


def _env(home: str) -> dict[str, str]:
    """The first command's environment: a home of its own, so Jupyter's state stays out of the real one."""
    return {**os.environ, "HOME": home, "JUPYTER_RUNTIME_DIR": home, "JUPYTER_CONFIG_DIR": home,
            "JUPYTER_TOKEN": TOKEN, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def _serve(command: str, port: int, as_user: str | None = None):
    """Start `command` (ending in `jupyter lab ...`) on `port` without a browser; return the process."""
    home = tempfile.mkdtemp(prefix="jupyter-home-")
    env = _env(home)
    prefix = []
    if as_user:
        user = pwd.getpwnam(as_user)
        os.chown(home, user.pw_uid, user.pw_gid)
        prefix = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups", "--"]
    full = f"{command} --port={port} --no-browser --ServerApp.port_retries=0"
    return subprocess.Popen([*prefix, "bash", "-c", full], cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _listed_notebooks(server, port: int, limit: float = 300) -> list[str]:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server stopped: {server.stderr.read()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token={TOKEN}", timeout=5) as r:
                return sorted(item["name"] for item in json.load(r)["content"])
        except OSError:
            time.sleep(1)
    raise AssertionError("the server did not answer")


def _stop(server):
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def build_requirements(tmp_path_factory):
    """Skip unless pip can fetch what the first command's `pip install` fetches even when all else is installed.

    pip rebuilds the editable `-e .` on every install, in an isolated environment that fetches pyproject's
    build requirements (setuptools) from the package registry. The probe asks the same pip, in the same
    environment (proxies, index and config as the command sees them), and gives up within two minutes.
    """
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    home = tmp_path_factory.mktemp("probe-home")
    probe = ["pip", "download", "-q", "--no-deps", "--retries", "1", "--timeout", "15", "-d", str(home), *requires]
    try:
        fetched = subprocess.run(probe, cwd=ROOT, env=_env(str(home)), capture_output=True, timeout=120).returncode == 0
    except subprocess.TimeoutExpired:
        fetched = False
    if not fetched:
        pytest.skip(f"the package registry is unreachable: pip cannot fetch {' '.join(requires)}, which "
                    "`pip install -r requirements.txt` needs to rebuild `-e .` (offline: see the README)")


def test_the_first_command_starts_jupyterlab_with_the_four_notebooks(build_requirements):
    command = first_screen_commands()[0]
    port = _free_port()
    server = _serve(command, port)   # as whoever runs the tests: root in CI, a container, a classroom image
    try:
        assert _listed_notebooks(server, port) == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    finally:
        _stop(server)


@pytest.mark.skipif(os.geteuid() != 0, reason="run as an ordinary user already: the test above covers it")
def test_the_first_command_starts_jupyterlab_for_an_ordinary_user_too():
    jupyter_part = first_screen_commands()[0].split("&&")[-1].strip()   # pip needs root for this interpreter
    nobody = pwd.getpwnam("nobody")
    probe = subprocess.run(["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups", "--",
                            "bash", "-c", "jupyter lab --version"], capture_output=True, cwd="/")
    if probe.returncode:
        pytest.skip("this interpreter is not readable by an unprivileged user (it lives under /root)")
    port = _free_port()
    server = _serve(jupyter_part, port, as_user="nobody")
    try:
        assert len(_listed_notebooks(server, port)) == len(list((ROOT / "notebooks").glob("*.ipynb")))
    finally:
        _stop(server)
