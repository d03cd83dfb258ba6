"""The two brokers media jobs can go through, Redis and RabbitMQ, and what differs between them.

The runner and the worker are the same code for both; a ``Broker`` holds only what has to
differ: where results live, the Celery settings that make a dead worker's job come back, how a
task counts its deliveries, which errors mean "the broker is gone" and which server to start.
Why each setting is what it is: see ``media.runners.celery_app``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

import amqp
import redis
from celery import Task
from kombu import Exchange, Queue
from kombu.exceptions import OperationalError

from media.runners import RunnerUnavailable

if TYPE_CHECKING:
    from media.runners.celery_app import TimeLimits

BROKER_SETTING = "COURSEFORGE_BROKER_URL"
QUEUE = "courseforge.media"


class Broker(ABC):
    """One broker kind; ``url`` is COURSEFORGE_BROKER_URL as given."""

    name: ClassVar[str]
    server: ClassVar[str]
    """The program to start when the broker does not answer."""
    connection_errors: ClassVar[tuple[type[BaseException], ...]]
    """What polling for results raises when the broker (or the result store) went away."""
    refusals: ClassVar[tuple[type[BaseException], ...]]
    """What connecting raises when the broker answers but says no to what the URL asks for."""
    namespace: ClassVar[str]
    """What the URL's path names on this broker."""

    def __init__(self, url: str):
        self.url = url

    @property
    @abstractmethod
    def backend_url(self) -> str:
        """Where Celery keeps results for this broker."""

    @abstractmethod
    def celery_config(self, limits: TimeLimits) -> dict[str, Any]:
        """Celery settings for this broker, for jobs held to ``limits``."""

    @abstractmethod
    def count_delivery(self, task: Task) -> int:
        """How many times this message has been delivered, this delivery included."""


class RedisBroker(Broker):
    name = "Redis"
    server = "redis-server"
    connection_errors = (OSError, redis.ConnectionError, redis.TimeoutError)
    refusals = (redis.AuthenticationError, redis.ResponseError)  # a wrong password, no such database
    namespace = "database number"

    @property
    def backend_url(self) -> str:
        return self.url  # results and delivery counts in the same Redis database

    def celery_config(self, limits: TimeLimits) -> dict[str, Any]:
        visibility = limits.visibility
        return {
            "task_default_queue": QUEUE,
            "broker_transport_options": {
                "visibility_timeout": visibility,
                "unacked_restore_interval": max(1.0, min(10.0, visibility / 4)),
                "unacked_restore_throttle": 1,
            },
            "result_expires": 24 * 3600,
        }

    def count_delivery(self, task: Task) -> int:
        """Kept in the result backend's Redis for a day, by task id: a Redis message has no count."""
        client = task.backend.client
        key = f"courseforge:media:deliveries:{task.request.id}"
        count = int(client.incr(key))
        client.expire(key, 24 * 3600)
        # A Celery retry is a new message with the same id: count it as a fresh start.
        return count - (task.request.retries or 0)


class RabbitMQBroker(Broker):
    name = "RabbitMQ"
    server = "rabbitmq-server"
    connection_errors = (OSError, OperationalError, *amqp.Connection.connection_errors)
    refusals = (amqp.exceptions.AccessRefused, amqp.exceptions.NotAllowed)  # the login, the vhost
    namespace = "vhost"

    @property
    def backend_url(self) -> str:
        return "rpc://"  # results are messages back to the builder's own reply queue

    def celery_config(self, limits: TimeLimits) -> dict[str, Any]:
        # A topic exchange, so that Celery's native delayed delivery can route a retry's countdown
        # through its delay queues back to this queue.
        exchange = Exchange(QUEUE, type="topic", durable=True)
        queue = Queue(QUEUE, exchange, routing_key=QUEUE, durable=True, queue_arguments={"x-queue-type": "quorum"})
        return {
            "task_queues": [queue],
            "task_default_queue": QUEUE,
            "task_default_exchange": QUEUE,
            "task_default_exchange_type": "topic",
            "task_default_routing_key": QUEUE,
            "broker_transport_options": {"confirm_publish": True},
            "broker_heartbeat": 60,
            "worker_cancel_long_running_tasks_on_connection_loss": True,
        }

    def count_delivery(self, task: Task) -> int:
        """A quorum queue counts each return of a message (rejected, or its channel closed)."""
        return int(task.request.get("x-delivery-count") or 0) + 1


BROKERS: dict[str, type[Broker]] = {
    "redis": RedisBroker,
    "rediss": RedisBroker,
    "amqp": RabbitMQBroker,
    "amqps": RabbitMQBroker,
    "pyamqp": RabbitMQBroker,
}


def broker_for(url: str | None) -> Broker:
    """The broker a COURSEFORGE_BROKER_URL names, or ``RunnerUnavailable`` saying what would do."""
    if not url:
        raise RunnerUnavailable.of(
            BROKER_SETTING,
            "is not set: media workers need the broker URL the builder uses, "
            "e.g. redis://127.0.0.1:6379/0 or amqp://guest:guest@127.0.0.1:5672//",
        )
    scheme = urlsplit(url).scheme.lower()
    if scheme not in BROKERS:
        raise RunnerUnavailable.of(
            BROKER_SETTING,
            f"'{scheme or url}' is not a broker media jobs can use: give a redis:// (Redis) "
            "or amqp:// (RabbitMQ) URL, e.g. redis://127.0.0.1:6379/0 or amqp://guest:guest@127.0.0.1:5672//",
        )
    return BROKERS[scheme](url)
