"""A tiny JSON-over-HTTP client (urllib)."""

import json
import urllib.error
import urllib.request


class Response:
    def __init__(self, status, body, headers):
        self.status = status
        self.body = body
        self.headers = headers

    def json(self):
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def field(self, *path, default=None):
        value = self.json()
        for key in path:
            if isinstance(value, dict) and key in value:
                value = value[key]
            elif isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value):
                value = value[key]
            else:
                return default
        return value

    def __repr__(self):
        return f"{self.status} {self.body[:200]!r}"


class Client:
    """Requests against one base URL, optionally as one signed-in user."""

    def __init__(self, base, token=None, timeout=30.0):
        self.base = base.rstrip("/")
        self.token = token
        self.timeout = timeout

    def as_user(self, token):
        return Client(self.base, token, self.timeout)

    def request(self, method, path, body=None, headers=None, raw=None):
        data = raw
        all_headers = {"accept": "application/json"}
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None:
            all_headers["content-type"] = "application/json"
        if self.token:
            all_headers["authorization"] = f"Bearer {self.token}"
        all_headers.update(headers or {})
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return Response(resp.status, resp.read(), resp.headers)
        except urllib.error.HTTPError as e:
            return Response(e.code, e.read(), e.headers)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


def get_text(url, timeout=5.0):
    """(status, text) of a GET, or (None, error) when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")
    except (OSError, urllib.error.URLError) as e:
        return None, str(e)
