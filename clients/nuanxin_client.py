"""A small client for Nuanxin's partner API, standard library only.

A partner app runs only the operations the city registered for it: this client sends each
operation by the SHA-256 of its .graphql file alone (the file's bytes are what was
registered), gets and renews its token with OAuth 2.0 client credentials, waits out rate
limits (429 with Retry-After) and short outages (503), and raises ApiError for anything else.
"""

import base64
import hashlib
import json
import os
import time
import urllib.error
import urllib.request


class ApiError(Exception):
    """An error the API answered with: its code (extensions.code) and message."""

    def __init__(self, code, message, status=None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


class Operation:
    """A registered operation: the .graphql file and its SHA-256."""

    def __init__(self, path):
        with open(path, "rb") as f:
            self.document = f.read()
        self.sha256 = hashlib.sha256(self.document).hexdigest()
        self.path = path


class Client:
    def __init__(self, base_url, client_id, client_secret, timeout=30, retries=6):
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.timeout = timeout
        self.retries = retries
        self._token = None
        self._token_expires = 0.0

    @classmethod
    def from_env(cls):
        missing = [n for n in ("NUANXIN_URL", "NUANXIN_CLIENT_ID", "NUANXIN_CLIENT_SECRET")
                   if not os.environ.get(n)]
        if missing:
            raise SystemExit("set " + ", ".join(missing))
        return cls(os.environ["NUANXIN_URL"], os.environ["NUANXIN_CLIENT_ID"],
                   os.environ["NUANXIN_CLIENT_SECRET"])

    def _send(self, request):
        """Sends with retries on 429/503 and network errors; returns (status, body)."""
        delay = 1.0
        for attempt in range(self.retries + 1):
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as resp:
                    return resp.status, json.loads(resp.read() or b"{}")
            except urllib.error.HTTPError as e:
                body = e.read()
                try:
                    parsed = json.loads(body or b"{}")
                except ValueError:
                    parsed = {}
                if e.code in (429, 503) and attempt < self.retries:
                    wait = float(e.headers.get("Retry-After") or delay)
                    time.sleep(min(wait, 60))
                    delay = min(delay * 2, 30)
                    continue
                return e.code, parsed
            except (urllib.error.URLError, TimeoutError, ConnectionError):
                if attempt == self.retries:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 30)
        raise ApiError("UNAVAILABLE", "no answer after retries")

    def token(self):
        if self._token and time.time() < self._token_expires - 30:
            return self._token
        basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        req = urllib.request.Request(
            self.base_url + "/auth/token",
            data=b"grant_type=client_credentials",
            headers={"Authorization": "Basic " + basic,
                     "Content-Type": "application/x-www-form-urlencoded"},
            method="POST")
        status, body = self._send(req)
        if status != 200:
            raise ApiError(body.get("error", "token_refused"),
                           body.get("error_description", str(body)), status)
        self._token = body["access_token"]
        self._token_expires = time.time() + float(body.get("expires_in", 300))
        return self._token

    def run(self, operation, variables=None, idempotency_key=None):
        """Runs a registered operation by its hash; returns `data` or raises ApiError."""
        payload = {"variables": variables or {},
                   "extensions": {"persistedQuery": {"version": 1,
                                                     "sha256Hash": operation.sha256}}}
        for renewed in (False, True):
            headers = {"Content-Type": "application/json",
                       "Authorization": "Bearer " + self.token()}
            if idempotency_key:
                headers["Idempotency-Key"] = idempotency_key
            req = urllib.request.Request(self.base_url + "/graphql",
                                         data=json.dumps(payload).encode(),
                                         headers=headers, method="POST")
            status, body = self._send(req)
            errors = body.get("errors") or []
            code = errors[0].get("extensions", {}).get("code") if errors else None
            if code == "UNAUTHENTICATED" and not renewed:
                self._token = None  # expired or revoked: get a new one once
                continue
            if errors:
                raise ApiError(code or "ERROR", errors[0].get("message", ""), status)
            return body.get("data")
        raise ApiError("UNAUTHENTICATED", "the token was refused twice")
