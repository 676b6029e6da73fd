"""The portal served as in production: gunicorn and a Celery worker, each
in its own process group, all stopped on every exit path; and a bare HTTP
client for loopback."""

import contextlib
import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from common import BASE_DIR, BIN, VAR, log


class Processes:
    """Children started by this run, each in its own process group, all
    stopped by `stop_all` (called on every exit path)."""

    def __init__(self):
        self.children: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, command: list[str], env: dict, logfile: Path):
        handle = logfile.open("ab")
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.children.append((name, process))
        return process

    def stop_all(self) -> None:
        for name, process in reversed(self.children):
            if process.poll() is not None:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
            log(f"stopped {name} (pid {process.pid})")
        self.children.clear()


class Client:
    """A bare HTTP client for loopback: no redirects followed, cookies by hand."""

    def __init__(self, port: int):
        self.port = port

    def request(self, method, path, headers=None, body=None, timeout=30):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    @staticmethod
    def cookies(headers) -> dict:
        jar = {}
        for name, value in headers:
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                jar[key.strip()] = val.strip()
        return jar

    @staticmethod
    def header(headers, wanted: str) -> str:
        for name, value in headers:
            if name.lower() == wanted.lower():
                return value
        return ""


def wait_until_up(client: Client, process: subprocess.Popen, seconds=60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("gunicorn exited at start-up: see var/bench/gunicorn.log")
        with contextlib.suppress(OSError):
            status, _, _ = client.request("GET", "/healthz/web", timeout=5)
            if status == 200:
                return
        time.sleep(0.3)
    sys.exit("gunicorn did not answer /healthz/web within a minute.")


def start_servers(processes: Processes, *, env: dict, port: int, args, workers: int):
    """The Celery worker and gunicorn: (gunicorn's process once it
    answers, the worker's process)."""
    for name in ("gunicorn.log", "celery.log"):
        (VAR / name).write_text("")
    worker = processes.start(
        "celery",
        [
            str(BIN / "celery"),
            "-A",
            "shatil_portal",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        env,
        VAR / "celery.log",
    )
    gunicorn_command = [
        str(BIN / "gunicorn"),
        "shatil_portal.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        args.worker_class,
        "--error-logfile",
        "-",
    ]
    if args.worker_class == "gthread":
        gunicorn_command += ["--threads", str(args.worker_threads)]
    server = processes.start("gunicorn", gunicorn_command, env, VAR / "gunicorn.log")
    wait_until_up(Client(port), server)
    log(f"gunicorn up on 127.0.0.1:{port}: {' '.join(gunicorn_command[2:])}")
    return server, worker
