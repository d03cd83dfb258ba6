"""The deploy recipe with S3 storage, for real on loopback: ``courseforge publish`` stores a
course in a bucket on moto's server and prints its launch URL, ``deploy/up`` brings up Varnish
-> nginx -> three gunicorn nodes serving that bucket (nginx reading its public ``assets/``
prefix unsigned, the nodes the private pointers and manifests with the credentials in their
environment), a republish reaches learners through the whole stack, and ``deploy/down`` stops
it all."""

from __future__ import annotations

import json
import subprocess

import boto3
import pytest
from conftest import PACKAGE_COURSE, write_course_folder
from delivery_servers import REPO
from s3_server import REGION, aws_env, moto_endpoint, s3_bucket  # noqa: F401 (fixtures)
from test_deploy import DOWN, UP, assert_taken_down, distinct_ports, get, run, stack_processes

COURSE = "deployed-s3"
PREFIX = "delivery"


def publish(course_dir, storage_url: str, delivery_url: str) -> str:
    done = subprocess.run(
        [str(REPO / ".venv" / "bin" / "courseforge"), "publish", str(course_dir), "--storage", storage_url]
        + ["--delivery-url", delivery_url],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


@pytest.mark.services
@pytest.mark.slow
def test_up_serves_a_course_published_to_a_bucket_and_down_stops_it(s3_bucket, moto_endpoint, tmp_path):  # noqa: F811
    client = boto3.client("s3", endpoint_url=moto_endpoint, region_name=REGION)
    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{s3_bucket}/{PREFIX}/assets/*",
    }
    client.put_bucket_policy(Bucket=s3_bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    storage_url = f"s3://{s3_bucket}/{PREFIX}?endpoint_url={moto_endpoint}&region={REGION}"
    course = write_course_folder(tmp_path / "course", {**PACKAGE_COURSE, "id": COURSE})
    state = tmp_path / "state"
    entry, balancer, *nodes = distinct_ports(5)
    delivery = f"http://127.0.0.1:{entry}"

    printed = publish(course, storage_url, delivery)
    version = printed.split("published version ")[1].split()[0]
    assert f"launch: {delivery}/c/{COURSE}/  (this version: {delivery}/c/{COURSE}/v/{version}/index.html)" in printed

    args = ["--storage", storage_url, "--state", str(state), "--port", str(entry)]
    args += ["--balancer-port", str(balancer), "--node-ports", ",".join(map(str, nodes))]
    try:
        started = run(UP, *args)
        assert "started: node-1, node-2, node-3, nginx, varnish" in started
        assert f"{COURSE}: {delivery}/c/{COURSE}/" in started
        assert f"--storage '{storage_url}' --delivery-url {delivery}" in started
        config = (state / "nginx" / "nginx.conf").read_text()
        assert f"proxy_pass http://object_store/{s3_bucket}/{PREFIX}/$key;" in config
        assert "testing" not in config  # nginx holds no credentials

        status, headers, _ = get(entry, f"/c/{COURSE}/?lms=1")
        assert (status, headers["location"]) == (302, f"/c/{COURSE}/v/{version}/index.html?lms=1")
        app = f"/c/{COURSE}/v/{version}/js/app.js"
        get(entry, app, {"Accept-Encoding": "gzip, deflate, br"})
        status, headers, body = get(entry, app, {"Accept-Encoding": "gzip, deflate, br"})
        assert (status, headers["content-encoding"], headers["x-cache"]) == (200, "br", "hit")
        assert headers["content-type"] == "text/javascript; charset=utf-8"
        assert not [name for name in headers if name.startswith("x-amz")]
        status, headers, body = get(entry, app, {"Accept-Encoding": "gzip"})
        assert (status, headers["content-encoding"]) == (200, "gzip")
        status, headers, body = get(entry, f"/c/{COURSE}/v/{version}/index.html", {"Range": "bytes=0-14"})
        assert (status, body) == (206, b"<!doctype html>")

        yaml = (course / "course.yaml").read_text(encoding="utf-8")
        (course / "course.yaml").write_text(yaml.replace("Fish & chips", "Fresh fish", 1), encoding="utf-8")
        republished = publish(course, storage_url, delivery)
        assert f"(was {version})" in republished
        newer = republished.split("published version ")[1].split()[0]
        status, headers, _ = get(entry, f"/c/{COURSE}/")
        assert (status, headers["location"]) == (302, f"/c/{COURSE}/v/{newer}/index.html")
        status, _, body = get(entry, f"/c/{COURSE}/v/{newer}/index.html")
        assert status == 200 and b"Fresh fish" in body
        family = stack_processes(state)
    finally:
        stopped = run(DOWN, "--state", str(state))
    assert_taken_down(stopped, family, (entry, balancer, *nodes))
