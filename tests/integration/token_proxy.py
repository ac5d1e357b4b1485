"""A registry front that speaks Docker Hub's token protocol, for the bearer-auth tests.

Requests to /v2/... without `Authorization: Bearer <token>` get a 401 with
`WWW-Authenticate: Bearer realm=".../token",service="berth-test",scope="..."`. GET /token
answers {"token": ...} when the basic credentials are alice:s3cret (or, with anonymous
pull allowed, without credentials for a pull scope). Authorised requests are forwarded to
the real registry behind it. It records the scopes it was asked for.
"""

import base64
import http.server
import json
import threading
import urllib.error
import urllib.parse
import urllib.request

USER, PASSWORD = "alice", "s3cret"


class Front:
    def __init__(self, backend, anonymous_pull=True):
        self.backend = backend
        self.anonymous_pull = anonymous_pull
        self.scopes = []
        self.tokens = {}
        front = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                front.handle(self, "GET")

            def do_HEAD(self):
                front.handle(self, "HEAD")

            def do_PUT(self):
                front.handle(self, "PUT")

            def do_POST(self):
                front.handle(self, "POST")

            def do_PATCH(self):
                front.handle(self, "PATCH")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = "127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def ref(self, name):
        return "%s/%s" % (self.host, name)

    def reply(self, h, code, body=b"", headers=()):
        h.send_response(code)
        for k, v in headers:
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(body)

    def token(self, h):
        q = urllib.parse.parse_qs(urllib.parse.urlparse(h.path).query)
        scope = q.get("scope", [""])[0]
        self.scopes.append(scope)
        auth = h.headers.get("Authorization", "")
        ok = auth == "Basic " + base64.b64encode(("%s:%s" % (USER, PASSWORD)).encode()).decode()
        if not ok and not (self.anonymous_pull and scope.endswith(":pull") and not auth):
            # docker login asks for a token without a scope: only good credentials get one
            return self.reply(h, 401, b'{"details":"incorrect username or password"}')
        tok = "tok-%d" % len(self.tokens)
        self.tokens[tok] = scope
        self.reply(h, 200, json.dumps({"token": tok, "expires_in": 300}).encode(),
                   [("Content-Type", "application/json")])

    def handle(self, h, method):
        if h.path.startswith("/token"):
            return self.token(h)
        auth = h.headers.get("Authorization", "")
        tok = auth[7:] if auth.startswith("Bearer ") else None
        repo = h.path.split("/")[2] + "/" + h.path.split("/")[3] if h.path.count("/") > 3 else ""
        need = "push" if method in ("PUT", "POST", "PATCH") else "pull"
        granted = self.tokens.get(tok, "")
        if h.path == "/v2/" and tok not in self.tokens:
            chal = 'Bearer realm="http://%s/token",service="berth-test"' % self.host
            return self.reply(h, 401, b'{"errors":[{"code":"UNAUTHORIZED"}]}',
                              [("WWW-Authenticate", chal)])
        if h.path != "/v2/" and (not granted or need not in granted.split(":")[-1]
                                 or repo not in granted):
            chal = ('Bearer realm="http://%s/token",service="berth-test",'
                    'scope="repository:%s:%s"' % (self.host, repo, need))
            return self.reply(h, 401, b'{"errors":[{"code":"UNAUTHORIZED"}]}',
                              [("WWW-Authenticate", chal)])
        self.forward(h, method)

    def forward(self, h, method):
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else None
        req = urllib.request.Request("http://%s%s" % (self.backend, h.path), data=body,
                                     method=method)
        for k in ("Accept", "Content-Type", "Range"):
            if h.headers.get(k):
                req.add_header(k, h.headers[k])
        try:
            resp = urllib.request.urlopen(req, timeout=30)
        except urllib.error.HTTPError as e:
            resp = e
        data = resp.read()
        headers = [(k, v) for k, v in resp.headers.items()
                   if k.lower() not in ("content-length", "connection", "transfer-encoding")]
        fixed = []
        for k, v in headers:
            if k.lower() == "location":
                v = v.replace("http://%s" % self.backend, "http://%s" % self.host)
            fixed.append((k, v))
        self.reply(h, resp.status if hasattr(resp, "status") else resp.code, data, fixed)
