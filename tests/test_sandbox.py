"""helpers.sandbox: the hostile battery (run as root, like Colab) and the ordinary paths."""

import multiprocessing
import os
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers.sandbox import ForkServer, call_function, outcome, run_code, run_many, run_tests  # noqa: E402

TIMEOUT = 2
SLACK = 2  # the bound: every hostile case returns within timeout + 2 s


def run_bounded(code, **kwargs):
    kwargs.setdefault("timeout", TIMEOUT)
    start = time.monotonic()
    result = run_code(code, **kwargs)
    assert time.monotonic() - start < kwargs["timeout"] + SLACK, result
    return result


def alive(pid):
    """True if pid is a live (not zombie) process: a zombie is dead, merely unreaped by pid 1."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


def processes_with(marker):
    """Live pids whose command line contains marker (our own test process excluded)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if marker.encode() in f.read() and alive(int(entry)):
                        found.append(int(entry))
            except OSError:
                pass
    return found


@pytest.fixture(autouse=True, params=["boundary", "guardrails"])
def path(request, monkeypatch):
    """Every test runs twice: behind the kernel boundary where this machine has it, and forced off."""
    if request.param == "guardrails":
        monkeypatch.setenv("HELPERS_SANDBOX_BOUNDARY", "off")
    return request.param


@pytest.fixture(scope="module")
def warm():
    with ForkServer(preload=("json",)) as server:
        yield server


# --------------------------------------------------------------------------- hostile battery

@pytest.mark.parametrize("code", ["while True: pass", "import time\ntime.sleep(1000)"])
def test_hang_times_out(code):
    result = run_bounded(code)
    assert result.status == "timeout"
    assert not result.ok and "timed out" in result.feedback()


def test_memory_bomb():
    result = run_bounded("x = bytearray(10 * 2**30)", memory_mb=512)
    assert result.status == "memory"
    assert result.error_type == "MemoryError"


def test_memory_bomb_growing_list():
    result = run_bounded("xs = []\nwhile True:\n    xs.append(' ' * 10**6)", memory_mb=512)
    assert result.status == "memory"


def test_fork_bomb_leaves_nothing_behind():
    # Bounded (2**7 processes) so a test run cannot take down a shared machine; as root nothing
    # but the group kill and the sweep stops it. Half of them also leave the process group.
    # Every process has the run's private control dir on its command line: that is the marker.
    code = """
import os, sys, time
print(sys.argv[-1], flush=True)
for i in range(7):
    if os.fork() == 0 and i % 2:
        os.setsid()
time.sleep(1000)
"""
    result = run_bounded(code)
    assert result.status in ("timeout", "killed")
    marker = result.stdout.split()[0]
    assert "sandbox-" in marker
    time.sleep(0.2)
    assert processes_with(marker) == []


# The grandchild leaves the group with setsid(), then becomes a sleeper whose command line carries a
# marker unique to the test (its own pid means nothing out here once the run has a PID namespace).
SETSID_GRANDCHILD = """
import os, sys, time
if os.fork() == 0:
    os.setsid()
    os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(1000)", {marker!r}])
time.sleep(0.5)
"""


def test_setsid_grandchild_does_not_outlive_the_run():
    marker = f"grandchild-{os.urandom(4).hex()}"
    result = run_bounded(SETSID_GRANDCHILD.format(marker=marker))
    assert result.status == "ok", result.feedback()
    time.sleep(0.2)
    assert processes_with(marker) == []


def test_output_flood_is_capped():
    result = run_bounded("import sys\nfor _ in range(200):\n    sys.stdout.write('x' * 100_000)",
                         output_limit=10_000)
    assert result.status == "ok"
    assert result.stdout.startswith("x" * 10_000)
    assert "[... output cut at 10000 bytes" in result.stdout
    assert len(result.stdout) < 11_000


def test_endless_output_times_out_capped():
    result = run_bounded("while True: print('spam' * 100)", output_limit=1000)
    assert result.status == "timeout"
    assert len(result.stdout) < 1200 and "output cut" in result.stdout


def test_deep_recursion():
    result = run_bounded("def f(n): return f(n + 1)\nf(0)")
    assert result.status == "error"
    assert result.error_type == "RecursionError"


def test_ignores_sigterm():
    code = "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True: time.sleep(0.01)"
    assert run_bounded(code).status == "timeout"


def test_environment_is_scrubbed(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-parent-secret")
    result = run_bounded("import os\nprint(os.environ.get('OPENAI_API_KEY'))\nprint(dict(os.environ))")
    assert result.ok
    assert "sk-test-parent-secret" not in result.stdout
    assert result.stdout.startswith("None")


def test_stdin_is_closed():
    result = run_bounded("import sys\nprint(repr(sys.stdin.read()))")
    assert result.ok and result.stdout.strip() == "''"
    assert run_bounded("input()").error_type == "EOFError"


def test_huge_file_is_refused():
    result = run_bounded("with open('big', 'wb') as f:\n    f.write(b'x' * (200 << 20))")
    assert result.status == "error"
    assert result.error_type == "OSError" and "File too large" in result.traceback


def test_sys_exit_and_os_exit():
    result = run_bounded("import sys\nprint('bye')\nsys.exit(3)")
    assert (result.status, result.returncode, result.stdout) == ("error", 3, "bye\n")
    result = run_bounded("import os\nos._exit(0)")
    assert (result.status, result.returncode) == ("ok", 0)


def test_network_refused_by_default(listener):
    port, accepted = listener
    result = run_bounded(f"import socket\nsocket.create_connection(('127.0.0.1', {port}))\nprint('connected')")
    assert result.status == "error" and result.error_type == "PermissionError"
    assert "allow_network" in result.traceback
    assert accepted == []


def test_network_allowed_on_request(listener):
    port, _ = listener
    code = f"import socket\nsocket.create_connection(('127.0.0.1', {port})).close()\nprint('connected')"
    result = run_bounded(code, allow_network=True)
    assert result.ok, result.feedback()
    assert result.stdout == "connected\n"


def test_parent_survives_everything():
    assert run_bounded("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)").status == "killed"
    assert run_bounded("import os, signal\nos.killpg(0, signal.SIGKILL)").status == "killed"
    assert os.getpid() > 0 and threading.main_thread().is_alive()


# --------------------------------------------------------------------------- ordinary paths

def test_ok_and_temp_dir_removed():
    result = run_code("import os\nprint(os.getcwd())\nprint(os.environ['HOME'])")
    assert result.ok and result.returncode == 0 and result.error_type is None
    cwd, home = result.stdout.split()
    assert cwd == home and not os.path.exists(cwd)


def test_traceback_lines_point_into_the_code():
    code = "def mean(xs):\n    return sum(xs) / len(xs)\n\n\nprint(mean([]))\n"
    result = run_code(code)
    assert result.status == "error" and result.error_type == "ZeroDivisionError"
    assert 'File "<candidate>", line 2, in mean' in result.traceback
    assert 'File "<candidate>", line 5' in result.traceback
    assert "return sum(xs) / len(xs)" in result.traceback
    assert "child.py" not in result.traceback and "forkserver" not in result.traceback  # our frames are hidden
    assert "ZeroDivisionError" in result.feedback()


def test_tracebacks_read_the_same_on_every_python_version():
    """Prompts are built from this text: no ^~ markers (3.11+), no "...<2 lines>..." (3.13), no import hints
    (3.12+), so a recording made on 3.11 replays on Colab's 3.13."""
    code = ("import json\n"
            "def f(n):\n    return f(n + 1) if n < 50 else json.loads(\n        '{'\n    )\n"
            "try:\n    {}['k']\nexcept KeyError as e:\n    raise ValueError(itertools) from e\n")
    tb = run_code(code).traceback
    assert "^" not in tb and "~" not in tb and "<2 lines>" not in tb and "Did you" not in tb
    assert tb.index("KeyError: 'k'") < tb.index("During handling") < tb.index("NameError: name 'itertools' is not defined")
    tb = run_code(code.split("try:")[0] + "f(0)\n").traceback
    assert tb.count('line 3, in f') == 3 and "[Previous line repeated 48 more times]" in tb  # as Python counts
    assert tb.rstrip().endswith("json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: "
                                "line 1 column 2 (char 1)")


def test_set_order_and_so_error_texts_are_the_same_on_every_run(tmp_path):
    """A fixed hash seed: scikit-learn's "must be a str among {...}" prints a set, and prompts quote it."""
    code = "print(list({'hinge', 'squared_hinge', 'log_loss', 'modified_huber', 'perceptron', 'huber'}))"
    cold = {run_code(code).stdout for _ in range(4)}
    with ForkServer() as warm:
        forked = {warm.run_code(code).stdout for _ in range(4)}
    assert len(cold) == 1 and forked == cold


def test_native_libraries_get_one_thread_so_cpu_seconds_measure_the_work():
    """A spinning BLAS thread counts as CPU time: notebook 02's caps are in CPU seconds (sandbox/plumbing.py)."""
    code = "import os; print([os.environ.get(v) for v in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS')])"
    with ForkServer() as warm:
        assert run_code(code).stdout == warm.run_code(code).stdout == "['1', '1', '1']\n"


def test_syntax_error():
    result = run_code("x = 1\ny = (\n")
    assert result.status == "error" and result.error_type == "SyntaxError"
    assert "line 2" in result.traceback


def test_call_function_returns_values():
    code = "import numpy as np\ndef f(a, b=2):\n    return {'sum': a + b, 'arr': np.arange(3), 'x': np.float64(0.5)}"
    result = call_function(code, "f", 1, b=5)
    assert result.ok and result.value == {"sum": 6, "arr": [0, 1, 2], "x": 0.5}


def test_call_function_failures():
    result = call_function("def f():\n    return {1, 2}", "f")
    assert result.status == "error" and result.error_type == "TypeError"
    assert "not JSON-serializable" in result.traceback
    result = call_function("def g(): pass", "f")
    assert result.status == "error" and result.error_type == "NameError"
    result = call_function("def f(x):\n    return 1 / x", "f", 0)
    assert result.error_type == "ZeroDivisionError" and 'line 2, in f' in result.traceback
    result = call_function("def f():\n    while True: pass", "f", timeout=1)
    assert result.status == "timeout" and result.value is None


def test_files_inputs(tmp_path):
    big = tmp_path / "data.bin"
    big.write_bytes(os.urandom(1 << 20))
    files = {"a.txt": "hello", "sub/b.bin": b"\x00\x01", "data.bin": big, "helper.py": "def twice(x): return 2 * x"}
    code = ("import helper\nprint(open('a.txt').read(), open('sub/b.bin','rb').read(), "
            "len(open('data.bin','rb').read()), helper.twice(21))")
    result = run_code(code, files=files)
    assert result.ok, result.feedback()
    assert result.stdout.split() == ["hello", "b'\\x00\\x01'", str(1 << 20), "42"]
    with pytest.raises(ValueError):
        run_code("pass", files={"../escape": "x"})


TESTS = """
def test_ok():
    assert mean([1, 2, 3]) == 2

def test_wrong():
    assert mean([1, 2]) == 2

def test_raises():
    assert mean([]) == 0

def test_message():
    assert mean([4]) > 10, "too small"
"""


def test_run_tests_reports_each_test():
    report = run_tests("def mean(xs):\n    return sum(xs) / len(xs)\n", TESTS)
    assert (report.passed, report.failed, report.total) == (1, 3, 4)
    assert report.summary() == "1/4 tests passed" and not report.all_passed
    by_name = {r.name: r for r in report.results}
    assert by_name["test_ok"].passed
    assert by_name["test_wrong"].message == "assert mean([1, 2]) == 2  -> left: 1.5, right: 2"
    assert by_name["test_raises"].message.startswith("ZeroDivisionError: division by zero")
    assert "<candidate> line 2" in by_name["test_raises"].message
    assert "too small" in by_name["test_message"].message and "left: 4.0" in by_name["test_message"].message
    assert "FAILED test_wrong" in report.feedback()


def test_run_tests_all_pass_and_lists():
    report = run_tests("def add(a, b):\n    return a + b", ["def test_a():\n    assert add(1, 2) == 3",
                                                            "assert add(2, 2) == 4\nassert add(0, 0) == 0"])
    assert report.all_passed and report.total == 2, report.feedback()
    assert [r.name for r in report.results] == ["test_a", "tests[1]"]


def test_run_tests_hang_fails_everything():
    tests = "def test_fast():\n    assert f() == 1\n\ndef test_hang():\n    while True: pass\n\ndef test_after():\n    pass"
    report = run_tests("def f():\n    return 1", tests, timeout=1)
    assert report.run.status == "timeout" and report.passed == 0 and report.total == 3
    assert all("timed out" in r.message for r in report.results)
    assert "was running" in report.results[1].message
    assert "timed out" in report.feedback()
    # the message names the limit, never the measured time, so a prompt built from it replays
    assert report.results[1].message == "the run timed out after 1 s and was killed (this test was running)"


def test_an_outcome_has_one_wording_that_names_the_limit_it_hit_and_no_other():
    assert outcome("timeout", timeout=40, memory_mb=512) == "timed out after 40 s and was killed"
    assert outcome("timeout", timeout=2.5) == "timed out after 2.5 s and was killed"
    assert outcome("timeout") == "timed out and was killed"
    assert outcome("memory", timeout=40, memory_mb=512) == "ran out of memory (limit 512 MB) and was stopped"
    assert outcome("error", timeout=40, memory_mb=512) == "failed"
    assert outcome("killed", timeout=40) == "was killed by a signal"
    assert outcome("ok") == "ran successfully"
    with pytest.raises(ValueError, match="status must be one of"):
        outcome("crashed")


def test_run_tests_broken_code():
    report = run_tests("def f(:\n    pass", "def test_a():\n    assert f() is None")
    assert report.failed == 1 and "SyntaxError" in report.results[0].message
    assert report.run.error_type == "SyntaxError"


def spawned_processes(max_workers):
    # "spawn", not Linux's default "fork": pytest's process has threads by now, and forking a threaded
    # process can deadlock the child (Python 3.12+ warns about it; 3.14 stops defaulting to fork).
    return ProcessPoolExecutor(max_workers=max_workers, mp_context=multiprocessing.get_context("spawn"))


@pytest.mark.parametrize("pool", [ThreadPoolExecutor, spawned_processes])
def test_run_many_keeps_order(pool):
    jobs = [f"import time\ntime.sleep({0.3 - 0.1 * i})\nprint({i})" for i in range(3)]
    jobs.append({"code": "def f(x):\n    return x * 2", "name": "f", "args": [21]})
    with pool(max_workers=2) as executor:
        results = run_many(jobs, executor=executor, timeout=5)
    assert [r.stdout for r in results[:3]] == ["0\n", "1\n", "2\n"]
    assert results[3].value == 42


def test_run_many_default_pool():
    assert [r.status for r in run_many(["pass", "1/0", "import sys; sys.exit(2)"])] == ["ok", "error", "error"]


def test_run_many_dask():
    distributed = pytest.importorskip("distributed")
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None) as client:
        results = run_many(["print(1)", "print(2)"], executor=client.get_executor())
    assert [r.stdout for r in results] == ["1\n", "2\n"]


# --------------------------------------------------------------------------- fork server

def test_warm_results_and_isolation(warm):
    first = warm.run_code("import json\nSEEN = 'x'\nprint(json.dumps([1]))")
    assert first.ok and first.stdout == "[1]\n"
    second = warm.run_code("print('SEEN' in globals())\nimport sys\nprint(sys.modules['__main__'].__dict__.get('SEEN'))")
    assert second.stdout.split() == ["False", "None"]
    result = warm.call_function("def f(a):\n    return a + 1", "f", 41)
    assert result.value == 42
    result = run_code("1/0", warm=warm)
    assert result.error_type == "ZeroDivisionError" and 'File "<candidate>", line 1' in result.traceback
    assert warm.run_tests("def f(): return 1", "def test_f():\n    assert f() == 2").failed == 1


def test_warm_timeout_memory_and_env(warm, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-parent-secret")
    start = time.monotonic()
    assert warm.run_code("while True: pass", timeout=1).status == "timeout"
    assert time.monotonic() - start < 1 + SLACK
    assert warm.run_code("x = bytearray(10 * 2**30)", memory_mb=512).status == "memory"
    result = warm.run_code("import os\nprint(dict(os.environ))\nprint(open('/proc/self/environ').read())")
    assert result.ok and "sk-test-parent-secret" not in result.stdout
    assert warm.run_code("import socket\nsocket.create_connection(('127.0.0.1', 9))").error_type == "PermissionError"


def test_warm_setsid_grandchild_is_killed(warm):
    marker = f"grandchild-{os.urandom(4).hex()}"
    result = warm.run_code(SETSID_GRANDCHILD.format(marker=marker))
    assert result.ok, result.feedback()
    time.sleep(0.2)
    assert processes_with(marker) == []


def test_warm_from_many_threads(warm):
    results = run_many([f"print({i} * {i})" for i in range(8)], warm=warm, max_workers=4)
    assert [r.stdout for r in results] == [f"{i * i}\n" for i in range(8)]


def test_forkserver_close():
    server = ForkServer()
    pid = server._proc.pid
    assert server.run_code("print(1)").stdout == "1\n"
    server.close()
    assert not alive(pid)
    with pytest.raises(RuntimeError):
        server.run_code("print(1)")


# --------------------------------------------------------------------------- layering

def test_sandbox_package_has_no_import_cycle_and_no_private_imports():
    import ast
    folder = Path(__file__).resolve().parents[1] / "helpers" / "sandbox"
    modules = {p.stem: ast.parse(p.read_text()) for p in folder.glob("*.py") if p.stem != "__init__"}
    graph = {name: set() for name in modules}
    for name, tree in modules.items():
        for node in ast.walk(tree):  # `from .x import` in the package; `import x` in the child programs
            found = [node.module] if isinstance(node, ast.ImportFrom) and node.module else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            for target in found:
                if target in modules:
                    graph[name].add(target)
                    private = [a.name for a in node.names if a.name.startswith("_")]
                    assert not private, f"{name} imports private {private} from {target}"

    def reaches(start, goal, seen=()):
        return any(n == goal or (n not in seen and reaches(n, goal, (*seen, n))) for n in graph[start])
    assert [name for name in graph if reaches(name, name)] == []
