"""The kernel boundary, child side: before the job runs, enter fresh Linux namespaces (user, PID, mount,
network), make the filesystem read-only but for the run's folder and a private /tmp, cap the processes.
Called through libc with ctypes: Python 3.11 has no os.unshare and no version has mount()."""

import json
import os
import signal
import struct
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
_libc = None


class Refused(OSError):
    """The kernel said no to one step; the message names the step."""


def libc():
    global _libc
    if _libc is None:
        import ctypes
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def _call(name, *args):
    if getattr(libc(), name)(*args) != 0:
        import ctypes
        errno = ctypes.get_errno()
        raise Refused(errno, f"{name}: {os.strerror(errno)}")


def _mount(source, target, fstype, flags, data=None):
    _call("mount", source and source.encode(), target.encode(), fstype and fstype.encode(), flags,
          data and data.encode())


def _readonly(path, readonly=True, recursive=False):
    """mount_setattr(2): one call flips a whole tree (Linux 5.12+)."""
    import ctypes
    attr = struct.pack("QQQQ", MOUNT_ATTR_RDONLY if readonly else 0, 0 if readonly else MOUNT_ATTR_RDONLY, 0, 0)
    _call("syscall", SYS_MOUNT_SETATTR, AT_FDCWD, path.encode(), AT_RECURSIVE if recursive else 0,
          ctypes.c_char_p(attr), len(attr))


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def _drop_privileges():
    """No capabilities, now or after an exec: nothing can remount, unmount or undo a layer."""
    import ctypes
    _call("prctl", PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    _call("prctl", PR_SET_SECUREBITS, SECURE_NOROOT_ALL, 0, 0, 0)
    header = ctypes.c_buffer(struct.pack("Ii", 0x20080522, 0), 8)   # _LINUX_CAPABILITY_VERSION_3, this process
    _call("capset", header, ctypes.c_buffer(bytes(24), 24))         # effective, permitted, inheritable: none


def _clone(layers):
    """fork(), except that the child starts in new namespaces (clone(2) with CLONE_NEW* flags), so it
    is PID 1 of its own: no process stands between the caller and the run's init. A user namespace
    owns the others: the child is root inside it and has no power outside."""
    import ctypes
    number = SYS_CLONE.get(os.uname().machine)
    if number is None:
        raise Refused(38, f"clone: no system call number known for {os.uname().machine}")
    flags = CLONE_NEWUSER | CLONE_NEWIPC | CLONE_NEWPID | signal.SIGCHLD
    flags |= (CLONE_NEWNS if "mount" in layers else 0) | (CLONE_NEWNET if "network" in layers else 0)
    ctypes.pythonapi.PyOS_BeforeFork()
    pid = ctypes.PyDLL(None, use_errno=True).syscall(number, flags, 0, 0, 0, 0)  # holds the GIL, as fork() does
    errno = ctypes.get_errno()
    if pid == 0:
        ctypes.pythonapi.PyOS_AfterFork_Child()
        return 0
    ctypes.pythonapi.PyOS_AfterFork_Parent()
    if pid < 0:
        raise Refused(errno, f"clone: {os.strerror(errno)}")
    return pid


def _environment_paths():
    """Where this interpreter and its imports live (the prefixes, sys.path, this package): kept visible."""
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))   # the checkout
    paths = [sys.prefix, sys.exec_prefix, sys.base_prefix, here, *sys.path]
    found = [os.path.realpath(p) for p in paths if p and os.path.isdir(p)]
    return [p for p in found if p not in ("/", "/tmp")]   # never the whole of /tmp back


def _private_tmp(root, work):
    """A fresh tmpfs on /tmp and /dev/shm; the run's folder, and the files= symlinks' targets there,
    bound back in at their own paths (through descriptors opened before /tmp was covered)."""
    keep = [root] + [os.path.realpath(os.path.join(work, name)) for name in os.listdir(work)
                     if os.path.islink(os.path.join(work, name))]
    keep += _environment_paths()   # a venv or a checkout under /tmp must stay importable (read-only)
    keep = [p for p in keep if p == root or not p.startswith(root + os.sep)]
    keep = [p for p in dict.fromkeys(keep) if not any(p.startswith(q + os.sep) for q in keep if q != p)]
    fds = [(path, os.open(path, os.O_PATH)) for path in keep if path.startswith("/tmp/") and os.path.exists(path)]
    _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={PRIVATE_TMP_MB}m,mode=1777")
    if os.path.isdir("/dev/shm"):
        _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, f"size={PRIVATE_TMP_MB}m,mode=1777")
    if not root.startswith("/tmp/"):
        _mount(root, root, None, MS_BIND | MS_REC)  # its own mount, so that it alone can stay writable
    for path, fd in fds:
        if os.path.isdir(f"/proc/self/fd/{fd}"):
            os.makedirs(path, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "a").close()
        _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        os.close(fd)


def _lock_filesystem(root):
    _readonly("/", recursive=True)   # /proc included: pid_max is set by now
    for path in ("/tmp", "/dev/shm", root):
        if os.path.ismount(path):
            _readonly(path, False)


def contain(layers, root, work, close=(), new_group=False):
    """Start the run's init inside fresh namespaces; the caller gets (its pid, a pipe that will hold
    the job's wait status). In the job, forked by that init, this returns None and the job runs.
    The init closes `close` (the caller's own descriptors), leads a new process group with
    `new_group` (else it stays in the caller's, which is killed as one), sets up the namespaces, mounts /proc
    and caps the processes, forks the job and reaps orphans until the job ends. When the init exits,
    the kernel kills whatever is left in the namespace: that is the leftover sweep."""
    uid, gid = os.geteuid(), os.getegid()
    status_r, status_w = os.pipe()
    init = _clone(layers)
    if init:
        os.close(status_w)
        return init, status_r
    try:
        for fd in (status_r, *close):
            os.close(fd)
        signal.set_wakeup_fd(-1)  # the fork server's, whose descriptor is closed now
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        if new_group:
            os.setsid()
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"0 {uid} 1")
        _write("/proc/self/gid_map", f"0 {gid} 1")
        if "mount" in layers:
            _mount(None, "/", None, MS_REC | MS_PRIVATE)   # nothing we mount propagates back out
            _private_tmp(root, work)
            _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
            if "processes" in layers:
                _write("/proc/sys/kernel/pid_max", str(MAX_PROCESSES + 1))
            _lock_filesystem(root)
            os.chdir(work)  # the old working directory still points into a mount now read-only
        job = os.fork()
        if job == 0:
            os.close(status_w)
            _drop_privileges()
            return None
    except BaseException as exc:  # the job must not run half-contained
        print(f"sandbox boundary: {exc}", file=sys.stderr)
        os._exit(1)
    while True:
        pid, status = os.waitpid(-1, 0)
        if pid == job:
            os.write(status_w, struct.pack("i", status))
            os._exit(0)


def job_status(init_status, status_r):
    """The job's wait status, from the pipe its init filled; the init's own if it died first."""
    try:
        data = os.read(status_r, 4)
    except BlockingIOError:
        data = b""
    os.close(status_r)
    return struct.unpack("i", data)[0] if len(data) == 4 else init_status


def relay(init, status_r):
    """Cold path: in the process outside the namespaces, wait for the init, then end as the job did."""
    _, init_status = os.waitpid(init, 0)
    status = job_status(init_status, status_r)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
        os.kill(os.getpid(), signal.SIGKILL)
    os._exit(os.waitstatus_to_exitcode(status))


def _try(layers):
    """Enter `layers` in a throwaway child; None if they hold, else why not."""
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
    report = {layer: _try(layers) for layer, layers in needs.items()}
    together = [layer for layer, why in report.items() if why is None]
    if together and (why := _try(together)) is not None:
        report = {layer: why for layer in report}
    print(json.dumps(report))
