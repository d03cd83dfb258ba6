"""The delivery stack on loopback, as production runs it: ``deploy/up`` and ``deploy/down``
(``python -m deploy up|down|status``).

How each part maps to production:

- **Varnish** (the learner-facing entry, :8080) stands in for the CDN. Its VCL is the CDN's
  cache policy: ``/c/<course>/v/<version>/...`` cached for a year regardless of the query string
  (the origin's ``immutable`` header says the same to any CDN), the launch page revalidated with
  a conditional request every few seconds, the pointer ``/c/<course>/`` never cached, one copy
  per normalised ``Accept-Encoding`` (br, gzip, none), origin health probes on ``/healthz``, and
  stale objects served in grace while the origin is down. On CloudFront/Fastly/Cloudflare these
  are a cache behaviour (or VCL) for ``/c/*/v/*`` honouring origin headers, a no-cache behaviour
  for ``/c/*``, Accept-Encoding in the cache key, and an origin health check.
- **nginx** (:8081) is the origin's load balancer and file server: it balances over the nodes
  with passive failure handling (a refused or dropped request goes to the next node), and
  serves the stored objects the nodes name by ``X-Accel-Redirect``: from the storage folder, or
  with ``--storage s3://BUCKET/PREFIX?endpoint_url=...`` proxied from the bucket (unsigned GETs
  of ``PREFIX/assets/``, which the bucket's policy lets the origin read; the nodes read the
  pointers and manifests with the AWS credentials in their environment). In production the
  same nginx proxies the bucket, or the CDN reads ``assets/`` from it directly (same keys).
- **gunicorn nodes** (:8091-8093) run ``player.delivery:create_app()``: stateless, any node
  answers any request, so nodes are added or lost without moving anything.

Everything the stack writes (configuration, pids, logs, Varnish's working folder) is in its
state folder (``.deploy/`` in the repository by default), and ``down`` stops only the
processes recorded there.
"""
