"""A prefix-stripping forwarder for .ci/prism: Prism ignores the path of a
spec's server URL (Telnyx's /v2, seven's /api, Brevo's /v3), so a request that
`balance` sends to /VENDOR/v2/balance reaches the vendor's Prism as /balance.

    python3 prism_forward.py PORT VENDOR=PREFIX=PRISM_PORT ...

Everything else (method, headers, query, body, and the answer) passes unchanged.
"""
import http.client
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port = int(sys.argv[1])
routes = {}
for arg in sys.argv[2:]:
    vendor, prefix, target = arg.split("=")
    routes["/" + vendor + prefix] = int(target)


class Forward(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def forward(self):
        for head, target in sorted(routes.items(), key=lambda r: -len(r[0])):
            if self.path == head or self.path.startswith(head + "/") or self.path.startswith(head + "?"):
                path = self.path[len(head):] or "/"
                break
        else:
            self.send_error(404, "no route")
            return
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        conn = http.client.HTTPConnection("127.0.0.1", target, timeout=30)
        conn.request(self.command, path, body=body, headers=headers)
        answer = conn.getresponse()
        data = answer.read()
        self.send_response(answer.status, answer.reason)
        for k, v in answer.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        conn.close()

    do_GET = do_POST = forward

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", port), Forward)
print(f"forwarder listening on http://127.0.0.1:{port}", flush=True)
server.serve_forever()
