"""The throughput case: gunicorn serving the list page to concurrent clients on 127.0.0.1.

serve() starts gunicorn (2 workers, the default sync worker) on a free port, against the
database and settings of the calling process (it inherits DATABASE_URL, SECRET_KEY and the
rest from os.environ), and stops it on leaving. load() is a bounded load generator: a
fixed number of client threads, each with its own HTTP/1.1 connection (http.client, kept
alive when the server allows it), sending GETs in a loop until a deadline.

running() is what both serve() and bench/load.py's task workers start their processes
with: each in a process group of its own, told to stop when this process dies, stopped
with SIGTERM (then SIGKILL) on leaving the block, however it is left.
"""

import ctypes
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(command, env=None, log=None):
    """Run command for the duration of the block, with env added; yield its Popen."""
    # Fixed arguments and this interpreter: nothing comes from outside.
    process = subprocess.Popen(  # noqa: S603
        command,
        env={**os.environ, **(env or {})},
        stdout=log,
        stderr=log,
        # A group of its own: gunicorn's workers are stopped with it, and Ctrl-C in a
        # terminal reaches this process only, which stops the others in order.
        start_new_session=True,
        preexec_fn=_stop_with_parent,  # set before any client thread starts
    )
    try:
        yield process
    finally:
        stop(process)


def stop(process, timeout=30):
    """Stop process gracefully (SIGTERM), then for good; wait for its whole group."""
    if process.poll() is None:
        # SIGTERM: gunicorn's graceful stop (the workers finish their request), db_worker's too.
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    try:
        # Whatever it left in its group (a worker that did not stop with its master).
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _stop_with_parent():
    """In the child: receive SIGTERM when the process that started it dies (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@contextmanager
def serve(workers=2, log=None, env=None, started=None):
    """Run gunicorn for the duration of the block, with env added; yield its port.

    started, a list, receives the gunicorn master's Popen.
    """
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(ROOT),
        # bench_wsgi is crm.wsgi with the static files override the test client also gets.
        "--pythonpath",
        f"{ROOT},{BENCH}",
        "--log-level",
        "warning",
        "bench_wsgi:application",
    ]
    with running(command, env=env, log=log) as server:
        if started is not None:
            started.append(server)
        _wait_listening(port, server)
        yield port


def _wait_listening(port, server, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"gunicorn did not listen on port {port} within {timeout} s")


def load(port, path, cookie, clients=10, seconds=30.0):
    """Return (requests answered 200, errors, latencies in ms) of clients threads for seconds."""
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    latencies, errors = [], [0]
    headers = {"Cookie": cookie, "Host": "127.0.0.1", "Connection": "keep-alive"}

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, failed = [], 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
            if ok:
                mine.append((time.perf_counter() - started) * 1000)
            else:
                failed += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), errors[0], latencies


def p95(values):
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]
