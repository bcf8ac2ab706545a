"""Shared fixtures: the `horizon` command line (the peer every Python result is pinned to) and
sample data it generates."""

import os
import pathlib
import subprocess
import sys

import pytest

from servers import start, stop, wait_for, free_port


def _horizon_bin() -> str:
    if os.environ.get("HORIZON_BIN"):
        return os.environ["HORIZON_BIN"]
    target = os.environ.get("CARGO_TARGET_DIR") or str(pathlib.Path(__file__).resolve().parents[3] / "target")
    return str(pathlib.Path(target) / "debug" / "horizon")


@pytest.fixture(scope="session")
def horizon():
    """Run the `horizon` CLI; returns its completed process (stdout and stderr as text)."""
    exe = _horizon_bin()
    if not os.path.exists(exe):
        pytest.fail(f"the horizon binary is not at {exe}: build it (cargo build) or set HORIZON_BIN")

    def run(*args, check=True):
        done = subprocess.run([exe, *map(str, args)], capture_output=True, text=True, timeout=600)
        if check and done.returncode != 0:
            raise AssertionError(f"horizon {' '.join(map(str, args))} exited {done.returncode}:\n{done.stderr}")
        return done

    return run


@pytest.fixture(scope="session")
def retail_csv(tmp_path_factory, horizon):
    """Daily sales of 3 stores x 3 products over 400 days, with price/promotion/discount drivers."""
    path = tmp_path_factory.mktemp("data") / "retail.csv"
    horizon("sample", "retail", "--stores", 3, "--products", 3, "--days", 400, "--out", path)
    return path


@pytest.fixture(scope="session")
def books_csv(tmp_path_factory, horizon):
    """Weekly unit sales of 6 titles over 156 weeks."""
    path = tmp_path_factory.mktemp("data") / "books.csv"
    horizon("sample", "books", "--titles", 6, "--out", path)
    return path


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """A real MLflow server (the pinned one of the test venv), for the whole session."""
    import mlflow

    root = tmp_path_factory.mktemp("mlflow")
    port = free_port()
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    env.pop("MLFLOW_TRACKING_URI", None)
    proc, log = start(
        [sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(port),
         "--backend-store-uri", f"sqlite:///{root}/mlflow.db", "--artifacts-destination", str(root / "artifacts"),
         "--workers", "1"],
        str(root), "server.log", env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/health", proc, log)
        mlflow.set_tracking_uri(url)
        yield url
    finally:
        stop(proc)


