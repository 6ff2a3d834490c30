"""Headers every response carries: a content security policy (inline scripts only by their hash),
no MIME sniffing, no referrer (links carry channel tokens), framing by this site only, and no
caching of pages that hold a form token or a signed-in person's data."""
from __future__ import annotations

import base64
import functools
import hashlib

from flask import Flask, Response, request

POLICY = ("default-src 'self'; script-src 'self'{hashes}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
          "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")
PRIVATE = ("admin", "staff", "auth")


def _script_hashes(response: Response) -> str:
    if response.mimetype != "text/html" or response.direct_passthrough:
        return ""
    body, hashes, at = response.get_data(), [], 0
    while (start := body.find(b"<script>", at)) >= 0 and (end := body.find(b"</script>", start)) >= 0:
        hashes.append(_hash_source(body[start + len(b"<script>"):end]))
        at = end
    return "".join(hashes)


@functools.lru_cache(maxsize=32)
def _hash_source(script: bytes) -> str:
    """The CSP source of one inline script (pages carry the same few scripts)."""
    return f" 'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"


FIXED = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"), ("X-Frame-Options", "SAMEORIGIN"))
# For answers given before the app runs (the upload deadline's 408): they carry no script.
WITHOUT_SCRIPTS = (("Content-Security-Policy", POLICY.format(hashes="")), *FIXED)


def add_headers(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = POLICY.format(hashes=_script_hashes(response))
    for name, value in FIXED:
        headers[name] = value
    if request.blueprint in PRIVATE or request.endpoint in ("respond.questionnaire", "respond.submit"):
        headers["Cache-Control"] = "no-store"     # a form token per visit, or a person's own data
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_headers)
