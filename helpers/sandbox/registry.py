"""The one owner of shared warm templates: `warm_server(preload)` hands out a live one per preload set,
starts it on first use (or again after it died), and closes them all at exit."""

import atexit
import threading

from .forkserver import TemplateClient

_lock = threading.Lock()
_servers = {}  # (preload, deep) -> TemplateClient, or None where starting one failed


def warm_server(preload=(), *, deep=True):
    """A shared warm template with `preload` imported, or None where none can start (no fork on
    Windows, a preload that fails to start the template): callers then run cold."""
    key = (tuple(preload), deep)
    with _lock:
        server = _servers.get(key)
        if key not in _servers or (server is not None and server.closed):
            try:
                server = TemplateClient(preload=key[0], deep=deep)
            except Exception:  # cold runs still work
                server = None
            _servers[key] = server
        return server


@atexit.register
def close_all():
    with _lock:
        for server in _servers.values():
            if server is not None:
                server.close()
        _servers.clear()
