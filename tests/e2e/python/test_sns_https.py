#!/usr/bin/env python3
"""SNS deliveries to an https:// endpoint.

    FERRY_BIN=build/src/app/ferry python3 tests/e2e/python/test_sns_https.py

A standalone script (it starts its own servers with the flags it needs);
ctest runs it as `e2e_sns_https`. Exit status 0 pass, 1 fail, 77 skip.

The endpoint is a threaded https server in this process whose certificate
(for localhost and 127.0.0.1) is made by the openssl command line for the run.
1. A server started with --sns-https-ca-file trusting that certificate
   delivers the SubscriptionConfirmation over TLS; GETting its SubscribeURL
   confirms the subscription; a Publish arrives as a Notification with SNS's
   headers and a signature that verifies against SigningCertURL.
2. A server that does not trust the certificate never gets an HTTP request
   through: the handshake is refused, the subscription stays pending.
"""

import json
import os
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

SKIP = 77


def log(msg):
    print(msg, flush=True)


class Endpoint:
    """An https server on a free loopback port recording every POST."""

    def __init__(self, cert, key):
        self.requests = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with outer.lock:
                    outer.requests.append((self.path, dict(self.headers.items()), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, kind, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for path, headers, body in self.requests:
                    if headers.get("x-amz-sns-message-type") == kind:
                        return path, headers, json.loads(body)
            time.sleep(0.05)
        return None

    def close(self):
        self.server.shutdown()


def client(url):
    import boto3
    import ferry_e2e
    return boto3.client("sns", endpoint_url=url, region_name=ferry_e2e.REGION,
                        aws_access_key_id="test", aws_secret_access_key="test")


def make_certificate(directory):
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def main():
    binary = os.environ.get("FERRY_BIN")
    if not binary:
        log("FERRY_BIN is not set")
        return 1
    try:
        import boto3  # noqa: F401
    except ImportError:
        log("skip: no boto3")
        return SKIP
    import ferry_e2e
    from sns_e2e import signature_problem

    work = tempfile.mkdtemp(prefix="ferry-https-")
    cert, key = make_certificate(work)
    endpoint = Endpoint(cert, key)
    failures = []

    def check(ok, what):
        log(("ok   " if ok else "FAIL ") + what)
        if not ok:
            failures.append(what)

    trusted = ferry_e2e.FerryServer(binary, extra_args=["--sns-https-ca-file", cert])
    try:
        url = trusted.start()
        sns = client(url)
        topic = sns.create_topic(Name="https-deliveries")["TopicArn"]
        hook = "https://localhost:%d/hook" % endpoint.port
        sub = sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=hook,
                            ReturnSubscriptionArn=True)["SubscriptionArn"]
        got = endpoint.wait_for("SubscriptionConfirmation")
        check(got is not None, "the SubscriptionConfirmation arrives over TLS")
        if got:
            path, headers, message = got
            check(path == "/hook", "it is POSTed to the endpoint's path")
            check(signature_problem(message) is None, "the confirmation's signature verifies")
            with urllib.request.urlopen(message["SubscribeURL"], timeout=10) as answer:
                check(answer.status == 200, "GET SubscribeURL answers 200")
            attributes = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
            check(attributes["PendingConfirmation"] == "false", "the subscription is confirmed")
            message_id = sns.publish(TopicArn=topic, Message="over tls", Subject="s")["MessageId"]
            got = endpoint.wait_for("Notification")
            check(got is not None, "the Notification arrives over TLS")
            if got:
                _, headers, note = got
                check(headers.get("x-amz-sns-message-id") == message_id, "x-amz-sns-message-id")
                check(headers.get("x-amz-sns-topic-arn") == topic, "x-amz-sns-topic-arn")
                check(headers.get("x-amz-sns-subscription-arn") == sub,
                      "x-amz-sns-subscription-arn")
                check(note["Message"] == "over tls" and note["Subject"] == "s",
                      "the envelope carries the message")
                check(signature_problem(note) is None, "the Notification's signature verifies")
    finally:
        trusted.stop()

    before = len(endpoint.requests)
    untrusted = ferry_e2e.FerryServer(binary)
    try:
        url = untrusted.start()
        sns = client(url)
        topic = sns.create_topic(Name="https-untrusted")["TopicArn"]
        sub = sns.subscribe(TopicArn=topic, Protocol="https",
                            Endpoint="https://localhost:%d/hook" % endpoint.port,
                            ReturnSubscriptionArn=True)["SubscriptionArn"]
        # The first attempt is made at once; give it time to be refused.
        time.sleep(2.0)
        check(len(endpoint.requests) == before,
              "an endpoint whose certificate is not trusted gets no request")
        attributes = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
        check(attributes["PendingConfirmation"] == "true", "its subscription stays pending")
    finally:
        untrusted.stop()
        endpoint.close()
    if failures:
        log("%d checks failed" % len(failures))
        return 1
    log("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
