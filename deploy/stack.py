"""The delivery stack on loopback: three gunicorn origin nodes behind nginx (load balancer and
static files) behind Varnish (the CDN), started and stopped as one, its state in one folder.

    learner -> Varnish :8080 -> nginx :8081 -> gunicorn nodes :8091 :8092 :8093
                 (CDN: files,   (balancer,      (player.delivery: pointer and
                  pointer 1 s)   stored files)   X-Accel-Redirect answers)
                                     |
                                     +-> the storage folder, or the bucket (unsigned GETs)

``up`` is idempotent: a stack that runs is left alone, a part of it that died (a node killed,
Varnish stopped) is started again, everything else is kept. ``down`` stops the processes
recorded in the state folder, by pid and start time, and nothing else.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from courses.errors import Problem, field_path
from deploy import processes, varnish
from deploy.processes import Started
from player.delivery import DeliveryConfigError, NginxSettings, nginx_config, objects_source
from storage import LocalStorage, Storage, StorageError, open_storage

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
STATE_FILE = "stack.json"
NODE = "node-{}"


class DeploySettings(BaseModel):
    """One stack: its ports, the storage it serves, its state folder."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    storage_url: str = Field(description="The storage `courseforge publish` stored into: a folder or a bucket.")
    state: Path = Field(description="Folder of the stack's configuration, pids and logs (absolute).")
    entry_port: int = Field(8080, ge=1, le=65535, description="Varnish: what learners open.")
    balancer_port: int = Field(8081, ge=1, le=65535, description="nginx: balancer and stored files.")
    node_ports: tuple[int, ...] = Field((8091, 8092, 8093), min_length=1, max_length=16)
    node_workers: int = Field(2, ge=1, le=32, description="gunicorn workers per node.")
    cache_memory: str = Field("256m", pattern=r"^[0-9]+[kmg]$", description="Varnish's object store size.")
    idle_timeout: int = Field(5, ge=1, le=300, description="Seconds an idle learner connection is held.")
    launch_ttl: int = Field(5, ge=0, le=3600, description="Seconds Varnish keeps a launch page before revalidating.")
    pointer_ttl: int = Field(
        1,
        ge=0,
        le=60,
        description="Seconds Varnish keeps a course's pointer answer (a publish or rollback is seen within them); "
        "0 passes every pointer lookup to the origin.",
    )
    frame_ancestors: tuple[str, ...] = Field((), description="Origins (LMSs) allowed to frame the player.")

    @field_validator("state")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        if not value.is_absolute():
            raise PydanticCustomError("absolute", "'{value}' must be an absolute path", {"value": str(value)})
        return value

    @field_validator("node_ports")
    @classmethod
    def _ports(cls, values: tuple[int, ...]) -> tuple[int, ...]:
        for port in values:
            if not 1 <= port <= 65535:
                raise PydanticCustomError("port", "{port} is not a port (1-65535)", {"port": port})
        return values

    @model_validator(mode="after")
    def _distinct(self) -> DeploySettings:
        ports = [self.entry_port, self.balancer_port, *self.node_ports]
        if len(set(ports)) != len(ports):
            raise PydanticCustomError("ports", "the entry, balancer and node ports must all differ", {})
        return self

    @property
    def entry(self) -> str:
        return f"http://{HOST}:{self.entry_port}"

    @classmethod
    def parse(cls, where: str, values: dict[str, object]) -> DeploySettings:
        """Validate ``values``; every bad one is a ``Problem`` at ``where``, in one error."""
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            raise DeployError([Problem(where, None, field_path(d["loc"]), d["msg"]) for d in error.errors()]) from None


class DeployError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


class StackState(BaseModel):
    """What ``state/stack.json`` records: the settings the stack was brought up with and the
    processes it started."""

    model_config = ConfigDict(extra="forbid")

    settings: DeploySettings
    processes: dict[str, Started] = Field(default_factory=dict)


def served_storage(settings: DeploySettings) -> Storage:
    try:
        return open_storage(settings.storage_url)
    except StorageError as error:
        raise DeployError(error.problems) from None


def stored_objects(settings: DeploySettings) -> dict[str, object]:
    """Where nginx reads the stored files (``NginxSettings.objects_root`` or ``objects_url``):
    the folder, created when missing, or the bucket, read unsigned (its ``assets/`` prefix must
    be readable without credentials, see ``player.delivery.NginxSettings``)."""
    storage = served_storage(settings)
    if isinstance(storage, LocalStorage):
        storage.root.mkdir(parents=True, exist_ok=True)
    try:
        return objects_source(storage)
    except DeliveryConfigError as error:
        raise DeployError(error.problems) from None


def published_courses(settings: DeploySettings) -> list[str]:
    """The courses published to the storage the stack serves (those with a pointer)."""
    try:
        keys = list(served_storage(settings).list("courses/"))
    except StorageError as error:
        raise DeployError(error.problems) from None
    return sorted(parts[1] for parts in (key.split("/") for key in keys) if parts[2:] == ["current.json"])


def read_state(state: Path) -> StackState | None:
    path = state / STATE_FILE
    try:
        return StackState.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValidationError as error:
        detail = error.errors()[0]
        raise DeployError([Problem(str(path), None, field_path(detail["loc"]), detail["msg"])]) from None


def write_state(stack: StackState) -> None:
    path = stack.settings.state / STATE_FILE
    temporary = path.with_suffix(".tmp")
    temporary.write_text(stack.model_dump_json(indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)


def running(stack: StackState) -> dict[str, bool]:
    return {name: processes.alive(process) for name, process in stack.processes.items()}


def up(settings: DeploySettings, say: Callable[[str], None] = print) -> StackState:
    """Bring the stack up, or what is missing of it; a stack recorded with other settings must
    be taken down first."""
    stack = read_state(settings.state)
    if stack is not None and stack.settings != settings and any(running(stack).values()):
        raise DeployError(
            [
                Problem(
                    str(settings.state / STATE_FILE),
                    None,
                    "settings",
                    "a stack with other settings is running from this state folder: run deploy/down first",
                )
            ]
        )
    stack = StackState(settings=settings, processes=stack.processes if stack else {})
    objects = stored_objects(settings)
    for folder in ("logs", "nginx", "varnish"):
        (settings.state / folder).mkdir(parents=True, exist_ok=True)
    started: list[str] = []
    for index in range(1, len(settings.node_ports) + 1):
        name = NODE.format(index)
        if not _keep(stack, name):
            stack.processes[name] = start_node(settings, index)
            started.append(name)
            write_state(stack)
    for index, port in enumerate(settings.node_ports, start=1):
        _wait_healthy(port, f"{NODE.format(index)} (see {settings.state / 'logs'})")
    if not _keep(stack, "nginx"):
        stack.processes["nginx"] = _start_nginx(settings, objects)
        started.append("nginx")
        write_state(stack)
    _wait_healthy(settings.balancer_port, f"nginx (see {settings.state / 'nginx' / 'error.log'})")
    if not _keep(stack, "varnish"):
        stack.processes["varnish"] = start_varnish(settings)
        started.append("varnish")
        write_state(stack)
    _wait_healthy(settings.entry_port, f"varnish (see {settings.state / 'logs' / 'varnish.log'})")
    say(f"started: {', '.join(started)}" if started else "already up: nothing started")
    return stack


def down(state: Path, say: Callable[[str], None] = print) -> bool:
    """Stop what ``up`` started from ``state``; False when nothing was running."""
    stack = read_state(state)
    if stack is None or not any(running(stack).values()):
        say(f"nothing runs from {state}")
        if stack is not None:
            (state / STATE_FILE).unlink()
        return False
    # From the entry inwards, so learners are refused at the door rather than mid-request.
    order = ["varnish", "nginx", *sorted(name for name in stack.processes if name.startswith("node-"))]
    for name in order:
        process = stack.processes.get(name)
        if process is not None and processes.stop(process, _STOP_SIGNALS.get(name, signal.SIGINT)):
            say(f"stopped {name} (pid {process.pid})")
    (state / STATE_FILE).unlink()
    return True


_STOP_SIGNALS = {"varnish": signal.SIGTERM, "nginx": signal.SIGTERM}
"""nginx and varnishd stop at once on SIGTERM; gunicorn's quick shutdown is SIGINT."""


def start_node(settings: DeploySettings, index: int) -> Started:
    """Origin node ``index`` (from 1): gunicorn workers running ``player.delivery:create_app()``
    on the storage the stack serves. Its keep-alive outlasts nginx's idle upstream connections
    (60 s), so nginx never reuses a connection the node is closing."""
    port = settings.node_ports[index - 1]
    name = NODE.format(index)
    logs = settings.state / "logs"
    argv = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--chdir",
        str(REPO),
        "--name",
        f"courseforge-{name}",
        "--workers",
        str(settings.node_workers),
        "--worker-class",
        "gthread",
        "--threads",
        "4",
        "--keep-alive",
        "75",
        "--bind",
        f"{HOST}:{port}",
        "--log-file",
        str(logs / f"{name}.log"),
        "player.delivery:create_app()",
    ]
    env = {**os.environ, "COURSEFORGE_STORAGE_URL": settings.storage_url}
    return processes.start(name, argv, logs / f"{name}.out", env)


def kill_node(stack: StackState, index: int) -> list[Started]:
    """SIGKILL origin node ``index``'s master and workers at once (the fault drill)."""
    return processes.kill_whole(stack.processes[NODE.format(index)])


def start_varnish(settings: DeploySettings) -> Started:
    vcl = settings.state / "varnish" / "default.vcl"
    vcl.write_text(
        varnish.vcl(HOST, settings.balancer_port, settings.launch_ttl, settings.pointer_ttl),
        encoding="utf-8",
    )
    argv = varnish.command(
        settings.state / "varnish" / "work", settings.entry_port, vcl, settings.cache_memory, settings.idle_timeout
    )
    return processes.start("varnish", argv, settings.state / "logs" / "varnish.log")


def restart_varnish(stack: StackState) -> None:
    """Stop Varnish and start it again (its cache starts empty), keeping the rest running."""
    processes.stop(stack.processes["varnish"], signal.SIGTERM)
    stack.processes["varnish"] = start_varnish(stack.settings)
    write_state(stack)
    _wait_healthy(stack.settings.entry_port, "varnish")


def _start_nginx(settings: DeploySettings, objects: dict[str, object]) -> Started:
    prefix = settings.state / "nginx"
    config = NginxSettings.model_validate(
        {
            "listen": f"{HOST}:{settings.balancer_port}",
            "upstreams": [f"{HOST}:{port}" for port in settings.node_ports],
            **objects,
            "prefix": prefix,
            "frame_ancestors": list(settings.frame_ancestors),
            "user": "root" if os.geteuid() == 0 else None,
            "workers": 2,
            "worker_connections": 8192,
            "idle_timeout": settings.idle_timeout,
        }
    )
    (prefix / "nginx.conf").write_text(nginx_config(config), encoding="utf-8")
    argv = ["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf")]
    return processes.start("nginx", argv, settings.state / "logs" / "nginx.out")


def _keep(stack: StackState, name: str) -> bool:
    process = stack.processes.get(name)
    return process is not None and processes.alive(process)


def _wait_healthy(port: int, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/healthz")
            answer = connection.getresponse()
            body = answer.read()
            connection.close()
            if answer.status == 200:
                return
            last = f"{answer.status} {body[:200].decode(errors='replace').strip()}"
        except OSError as error:
            last = str(error)
        time.sleep(0.1)
    raise DeployError([Problem(what, None, "healthz", f"not healthy after {timeout:.0f} s on port {port}: {last}")])


def launch_url(settings: DeploySettings, course_id: str) -> str:
    return f"{settings.entry}/c/{course_id}/"


def describe(stack: StackState) -> dict[str, object]:
    """What ``deploy status`` prints."""
    return {
        "entry": stack.settings.entry,
        "storage": stack.settings.storage_url,
        "processes": {
            name: {"pid": process.pid, "running": processes.alive(process)} for name, process in stack.processes.items()
        },
    }


def dumps(value: object) -> str:
    return json.dumps(value, indent=2)
