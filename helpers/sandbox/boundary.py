"""The kernel boundary, child side: before the job runs, enter fresh Linux namespaces (user, PID, mount,
network), make the filesystem read-only but for the run's folder and a private /tmp, cap the processes.
Called through libc with ctypes: Python 3.11 has no os.unshare and no version has mount(). Imports are
kept to builtin modules until a run needs ctypes, because a cold run pays for every one of them."""

import _signal  # signal's C half: `signal` itself imports enum, ~3 ms of a cold start
import os
import sys

CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWUSER = 0x00020000, 0x08000000, 0x10000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
SYS_MOUNT_SETATTR, AT_FDCWD, AT_RECURSIVE, MOUNT_ATTR_RDONLY = 442, -100, 0x8000, 1
SYS_CLONE = {"x86_64": 56, "aarch64": 220}
PR_SET_SECUREBITS, PR_SET_NO_NEW_PRIVS, SECURE_NOROOT_ALL = 28, 38, 0x3F  # noroot, no setuid fixup, keep-caps off: locked
MAX_PROCESSES = 300    # per run: the kernel's smallest pid_max is 301
PRIVATE_TMP_MB = 256   # each of the private /tmp and /dev/shm (tmpfs counts against memory, not disk)
LAYERS = ("pid", "mount", "network", "processes")
_ready = {}  # what prepare() made once: libc's functions, constant buffers, the interpreter's own folders


class Refused(OSError):
    """The kernel said no to one step; the message names the step."""


def _words(*values, size=8):
    return b"".join(v.to_bytes(size, sys.byteorder, signed=True) for v in values)


def prepare():
    """Load libc's functions and build the constant arguments once. The fork server calls this before
    forking, so that no run pays for it; a cold run calls it on its way in."""
    if _ready:
        return _ready
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    with_gil = ctypes.PyDLL(None, use_errno=True)  # clone(2) must hold the GIL, as fork() does
    _ready.update(
        ctypes=ctypes, mount=libc.mount, syscall=libc.syscall, prctl=libc.prctl, capset=libc.capset, unshare=libc.unshare,
        clone=with_gil.syscall, before_fork=ctypes.pythonapi.PyOS_BeforeFork,
        after_fork_child=ctypes.pythonapi.PyOS_AfterFork_Child, after_fork_parent=ctypes.pythonapi.PyOS_AfterFork_Parent,
        readonly=ctypes.c_char_p(_words(MOUNT_ATTR_RDONLY, 0, 0, 0)), writable=ctypes.c_char_p(_words(0, MOUNT_ATTR_RDONLY, 0, 0)),
        cap_header=ctypes.c_buffer(_words(0x20080522, 0, size=4), 8),  # _LINUX_CAPABILITY_VERSION_3, this process
        cap_none=ctypes.c_buffer(bytes(24), 24),                          # effective, permitted, inheritable: none
        environment=_environment_paths())
    return _ready


def _check(name, result):
    if result != 0:
        errno = _ready["ctypes"].get_errno()
        raise Refused(errno, f"{name}: {os.strerror(errno)}")


def _mount(source, target, fstype, flags, data=None):
    _check("mount", _ready["mount"](source and source.encode(), target.encode(), fstype and fstype.encode(), flags,
                                    data and data.encode()))


def _readonly(path, readonly=True, recursive=False):
    """mount_setattr(2): one call flips a whole tree (Linux 5.12+)."""
    _check("mount_setattr", _ready["syscall"](SYS_MOUNT_SETATTR, AT_FDCWD, path.encode(),
                                              AT_RECURSIVE if recursive else 0,
                                              _ready["readonly" if readonly else "writable"], 32))


def _write(path, text):
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _drop_privileges():
    """No capabilities, now or after an exec: nothing can remount, unmount or undo a layer."""
    _check("prctl", _ready["prctl"](PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
    _check("prctl", _ready["prctl"](PR_SET_SECUREBITS, SECURE_NOROOT_ALL, 0, 0, 0))
    _check("capset", _ready["capset"](_ready["cap_header"], _ready["cap_none"]))


def _clone(layers, jailed=False):
    """fork(), except that the child starts in new namespaces (clone(2) with CLONE_NEW* flags), so it
    is PID 1 of its own: no process stands between the caller and the run's init. A user namespace
    owns the others: the child is root inside it and has no power outside. In the jail, which is in a
    user and a network namespace of its own already, those are shared and the others are new."""
    number = SYS_CLONE.get(os.uname().machine)
    if number is None:
        raise Refused(38, f"clone: no system call number known for {os.uname().machine}")
    flags = CLONE_NEWIPC | CLONE_NEWPID | _signal.SIGCHLD | (CLONE_NEWNS if "mount" in layers else 0)
    flags |= 0 if jailed else CLONE_NEWUSER | (CLONE_NEWNET if "network" in layers else 0)
    _ready["before_fork"]()
    pid = _ready["clone"](number, flags, 0, 0, 0, 0)
    errno = _ready["ctypes"].get_errno()
    if pid == 0:
        _ready["after_fork_child"]()
        return 0
    _ready["after_fork_parent"]()
    if pid < 0:
        raise Refused(errno, f"clone: {os.strerror(errno)}")
    return pid


def _environment_paths():
    """Where this interpreter and its imports live (the prefixes, sys.path, this package): kept visible."""
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))   # the checkout
    paths = [sys.prefix, sys.exec_prefix, sys.base_prefix, here, *sys.path]
    found = [os.path.realpath(p) for p in paths if p and os.path.isdir(p)]
    return [p for p in found if p not in ("/", "/tmp")]   # never the whole of /tmp back


def _under(path, folders):
    return any(path.startswith(folder + os.sep) for folder in folders)


def _private_tmp(root, work):
    """A fresh tmpfs on /tmp and /dev/shm, and on the folder that holds the run folders if that is
    elsewhere (TMPDIR), so that a run sees no other run's folder. Its own folder, the files= symlinks'
    targets and the interpreter's folders under them are bound back at their own paths (through
    descriptors opened before they were covered). Returns the mounts that stay writable."""
    covered = ["/tmp", "/dev/shm"] if os.path.isdir("/dev/shm") else ["/tmp"]
    if os.path.dirname(root) != "/" and not _under(root, covered):
        covered.append(os.path.dirname(root))
    keep = [root] + [os.path.realpath(os.path.join(work, name)) for name in os.listdir(work)
                     if os.path.islink(os.path.join(work, name))]
    keep += _ready["environment"]   # a venv or a checkout under /tmp must stay importable (read-only)
    keep = [p for p in keep if p == root or not p.startswith(root + os.sep)]
    keep = [p for p in dict.fromkeys(keep) if not any(p.startswith(q + os.sep) for q in keep if q != p)]
    fds = [(path, os.open(path, os.O_PATH)) for path in keep if _under(path, covered) and os.path.exists(path)]
    for path in covered:
        _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={PRIVATE_TMP_MB}m,mode=1777")
    if not _under(root, covered):
        _mount(root, root, None, MS_BIND | MS_REC)  # its own mount, so that it alone can stay writable
    for path, fd in fds:
        if os.path.isdir(f"/proc/self/fd/{fd}"):
            os.makedirs(path, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "a").close()
        _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        os.close(fd)
    return [*covered, root]  # root is a mount of its own by now


def _lock_filesystem(writable, whole=True):
    if whole:  # (in the jail, the rest is read-only already)
        _readonly("/", recursive=True)   # /proc included: pid_max is set by now
    for path in writable:
        _readonly(path, False)


def _map_root(uid, gid):
    """In a new user namespace: be root inside it, as the caller's user outside, with no other groups."""
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"0 {uid} 1")
    _write("/proc/self/gid_map", f"0 {gid} 1")


def enter_jail():
    """Move this process (single-threaded: a fresh fork of the fork server) into what every run without
    the network can share, made once: a user namespace of its own (root inside, nothing outside), a
    network namespace with only a down loopback, and a mount namespace in which the whole filesystem
    is read-only. What is each run's own, `contain(jailed=True)` adds: PID, mount (its folder, a
    private /tmp) and IPC namespaces. A run cannot undo any of it: it has no capabilities
    (_drop_privileges), so it can neither bring the loopback up nor mount nor leave a namespace.
    Sharing the network namespace saves making and tearing down one per run (~0.5 ms to make, ~2 ms a
    run in a loop, measured here on a busy machine); what runs at the same time can share through it
    is an abstract Unix socket, if both mean to."""
    prepare()
    uid, gid = os.geteuid(), os.getegid()
    _check("unshare", _ready["unshare"](CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET))
    _map_root(uid, gid)
    _mount(None, "/", None, MS_REC | MS_PRIVATE)   # nothing mounted here or in a run propagates back out
    _readonly("/", recursive=True)


def contain(layers, root, work, close=(), new_group=False, jailed=False, hand_over=()):
    """Start the run's init inside fresh namespaces; the caller gets (its pid, a pipe that will hold
    the job's wait status and maxrss: read_status). In the job, forked by that init, this returns None
    and the job runs. The init closes `close` (the caller's own descriptors), leads a new process group
    with `new_group` (else it stays in the caller's, which is killed as one), sets up the namespaces,
    mounts /proc and caps the processes, forks the job, closes `hand_over` (the job's, such as its
    output pipes) and reaps orphans until the job ends. Then it kills whatever is left in the
    namespace (the leftover sweep; were the init killed, the kernel would do it) and says how the job
    ended, before its own exit tears the namespaces down. `jailed`: called in the jail (enter_jail),
    whose user and network namespaces the run shares and whose read-only mount tree it copies."""
    prepare()
    uid, gid = os.geteuid(), os.getegid()
    status_r, status_w = os.pipe()
    init = _clone(layers, jailed)
    if init:
        os.close(status_w)
        return init, status_r
    try:
        for fd in (status_r, *close):
            os.close(fd)
        _signal.set_wakeup_fd(-1)  # the fork server's, whose descriptor is closed now
        _signal.signal(_signal.SIGCHLD, _signal.SIG_DFL)
        if new_group:
            os.setsid()
        if not jailed:
            _map_root(uid, gid)
        if "mount" in layers:
            if not jailed:
                _mount(None, "/", None, MS_REC | MS_PRIVATE)   # nothing we mount propagates back out
            writable = _private_tmp(root, work)
            _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
            if "processes" in layers:
                _write("/proc/sys/kernel/pid_max", str(MAX_PROCESSES + 1))
            _lock_filesystem(writable, whole=not jailed)
            os.chdir(work)  # the old working directory still points into a mount now read-only
        job = os.fork()
        if job == 0:
            os.close(status_w)
            _drop_privileges()
            return None
        for fd in hand_over:
            os.close(fd)
    except BaseException as exc:  # the job must not run half-contained
        print(f"sandbox boundary: {exc}", file=sys.stderr)
        os._exit(1)
    while (ended := os.wait4(-1, 0))[0] != job:
        pass
    while True:  # PID 1 signals everyone else in its namespace; the orphans come back to it
        try:
            os.kill(-1, _signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.wait4(-1, 0)
        except ChildProcessError:
            break
    os.write(status_w, ended[1].to_bytes(4, sys.byteorder, signed=True) + ended[2].ru_maxrss.to_bytes(8, sys.byteorder))
    os._exit(0)


def read_status(status_r):
    """(wait status, maxrss in KiB) of the job, once its init said them; None if it died first."""
    data = os.read(status_r, 12)
    if len(data) < 12:
        return None
    return int.from_bytes(data[:4], sys.byteorder, signed=True), int.from_bytes(data[4:], sys.byteorder)


def job_status(init_status, status_r):
    """The job's wait status, from the pipe its init filled; the init's own if it died first."""
    said = read_status(status_r)
    os.close(status_r)
    return init_status if said is None else said[0]


def relay(init, status_r):
    """Cold path: in the process outside the namespaces, wait for the init, then end as the job did."""
    _, init_status = os.waitpid(init, 0)
    status = job_status(init_status, status_r)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        _signal.signal(sig, _signal.SIG_DFL)
        os.kill(os.getpid(), sig)
        os.kill(os.getpid(), _signal.SIGKILL)
    os._exit(os.waitstatus_to_exitcode(status))


def _try(layers):
    """Enter `layers` in a throwaway child; None if they hold, else why not."""
    import json
    import tempfile
    root = tempfile.mkdtemp(prefix="sandbox-probe-")
    work = os.path.join(root, "work")
    os.mkdir(work)
    r, w = os.pipe()
    try:
        spawned = contain(layers, root, work, close=(r,))
    except OSError as exc:
        spawned, verdict = False, str(exc)
    if spawned is None:  # the job: look around
        verdict = None
        if "mount" in layers and (os.access("/etc", os.W_OK) or not os.access(work, os.W_OK)):
            verdict = "the filesystem is not read-only outside the run's folder"
        os.write(w, json.dumps(verdict).encode())
        os._exit(0)
    if spawned:
        os.close(w)
        pid, status_r = spawned
        os.waitpid(pid, 0)
        os.close(status_r)
        data = os.read(r, 4096)
        verdict = json.loads(data) if data else "the probe died"
    else:
        os.close(w)
    os.close(r)
    os.rmdir(work)
    os.rmdir(root)
    return verdict


def probe():
    """Print a JSON map: layer -> None where it holds on this machine, else the kernel's refusal."""
    needs = {"pid": ["pid"], "mount": ["mount"], "network": ["network"], "processes": ["pid", "mount", "processes"]}
    import json
    report = {layer: _try(layers) for layer, layers in needs.items()}
    together = [layer for layer, why in report.items() if why is None]
    if together and (why := _try(together)) is not None:
        report = {layer: why for layer in report}
    print(json.dumps(report))
