"""What the Python examples share: command line, boto3 clients, idempotent
queue setup, Ferry's admin API, and a small HTTP endpoint for push consumers.

Only boto3/botocore and the standard library. Each example puts this folder
on sys.path and imports it; nothing here is specific to one pattern.
"""

import argparse
import hashlib
import hmac
import http.server
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

# Ferry in its default (open) mode accepts any well-formed signature; give
# boto3 throwaway credentials unless the caller has real ones for a Ferry
# started with --credentials.
for _name, _value in (("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test"),
                      ("AWS_DEFAULT_REGION", "us-east-1"), ("AWS_EC2_METADATA_DISABLED", "true")):
    os.environ.setdefault(_name, _value)

import boto3  # noqa: E402 (after the environment above)
from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

# Exit status of an example run against a Ferry that lacks a feature it
# needs (the queue attribute or admin action is refused): not a failure of
# the pattern, but the example could not show it.
EXIT_FEATURE_MISSING = 77

# Each run tags its messages, so that what an interrupted earlier run left
# in the (kept) queues is recognised and thrown away instead of counted.
RUN_ID = uuid.uuid4().hex[:8]


def arg_parser(description):
    """The examples' command line: --endpoint-url, and what the caller adds."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--endpoint-url", default="http://127.0.0.1:9324",
                        help="the Ferry to run against (default: %(default)s)")
    return parser


def clients(endpoint):
    """(sqs, sns) boto3 clients for this Ferry."""
    session = boto3.session.Session()
    return (session.client("sqs", endpoint_url=endpoint),
            session.client("sns", endpoint_url=endpoint))


_say_lock = threading.Lock()


def say(text):
    """print() for several threads: one whole line at a time."""
    with _say_lock:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def feature_missing(feature, error):
    say("this Ferry does not support %s (%s); it needs a newer Ferry" % (feature, error))
    sys.exit(EXIT_FEATURE_MISSING)


def ensure_queue(sqs, name, attributes=None):
    """Create the queue if needed, then set its attributes: CreateQueue with
    attributes that differ from an existing queue's is refused
    (QueueAlreadyExists), so a second run sets them instead. Returns
    (url, arn). A Ferry... attribute the server refuses ends the example."""
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    if attributes:
        try:
            sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
        except ClientError as e:
            code = e.response["Error"]["Code"]
            ferry_names = [n for n in attributes if n.startswith("Ferry")]
            if ferry_names and "InvalidAttributeName" in code:
                feature_missing(", ".join(ferry_names), e)
            raise
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return url, arn["Attributes"]["QueueArn"]


def redrive_policy(dlq_arn, max_receive_count):
    return json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count})


def drain(sqs, url):
    """Delete whatever is visible now (leftovers of an interrupted run)."""
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                  WaitTimeSeconds=0).get("Messages", [])
        if not got:
            return
        for m in got:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def ferry_admin(endpoint, action, params):
    """Call one of Ferry's admin actions (docs/admin-api.md): AWS JSON 1.0,
    X-Amz-Target: Ferry.<Action>, SigV4-signed for the service "ferry".
    Returns (HTTP status, decoded answer)."""
    session = boto3.session.Session()
    body = json.dumps(params)
    request = AWSRequest(method="POST", url=endpoint.rstrip("/") + "/", data=body,
                         headers={"Content-Type": "application/x-amz-json-1.0",
                                  "X-Amz-Target": "Ferry." + action})
    SigV4Auth(session.get_credentials(), "ferry", session.region_name).add_auth(request)
    http_request = urllib.request.Request(request.url, data=body.encode(), method="POST",
                                          headers=dict(request.headers.items()))
    try:
        with urllib.request.urlopen(http_request, timeout=30) as res:
            return res.status, json.loads(res.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def wait_until(condition, timeout, what):
    """Poll condition() until it is true; False (and a note) after timeout s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            say("gave up waiting for %s after %d s" % (what, timeout))
            return False
        time.sleep(0.2)
    return True


def signature_ok(secret, timestamp, body, header, max_age=300):
    """Ferry's push signature: X-Ferry-Signature is v1=<hex HMAC-SHA256 of
    "<X-Ferry-Timestamp>.<body>">. A stale timestamp is refused (replays)."""
    if not timestamp or not header or abs(time.time() - int(timestamp)) > max_age:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    return hmac.compare_digest(header, "v1=" + expected)


class PushEndpoint:
    """An HTTP endpoint for a FerryPushConsumer queue, served from a thread.

    handle(records) gets each batch's Records (Lambda's SQS event format) and
    returns (HTTP status, answer object or None). A batch whose signature
    does not verify is answered 401 and counted in bad_signatures.
    """

    def __init__(self, secret, handle):
        self.secret = secret
        self.bad_signatures = 0
        endpoint = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if not signature_ok(endpoint.secret, self.headers.get("X-Ferry-Timestamp"),
                                    body, self.headers.get("X-Ferry-Signature")):
                    endpoint.bad_signatures += 1
                    status, answer = 401, {"error": "bad signature"}
                else:
                    status, answer = handle(json.loads(body)["Records"])
                data = json.dumps(answer).encode() if answer is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass  # the example prints what matters itself

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def push_consumer(endpoint_url, secret, batch_size=10, window=0, concurrency=2, timeout=5):
    """The FerryPushConsumer attribute value for a PushEndpoint."""
    return json.dumps({"endpoint": endpoint_url, "batchSize": batch_size,
                       "maximumBatchingWindowSeconds": window,
                       "maximumConcurrency": concurrency, "timeoutSeconds": timeout,
                       "signingSecret": secret})


def stop_pushing(sqs, url):
    """Take the push consumer off the queue, so Ferry does not keep calling
    an endpoint that ended with the example (best effort: "" removes it)."""
    try:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"FerryPushConsumer": ""})
    except ClientError as e:
        say("note: could not remove FerryPushConsumer: %s" % e)
