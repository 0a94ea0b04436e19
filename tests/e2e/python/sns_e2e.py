"""What the SNS end-to-end tests (test_sns_*.py) and the crash test's SNS
scenario share: a base TestCase with topic and subscription shortcuts, the
signature check of a delivered envelope, and a webhook (an HTTP
endpoint in the test process that records what Ferry POSTs to it).

SNS speaks only the Query protocol, under both interpreters; the SQS clients
beside it speak whatever FERRY_EXPECT_PROTOCOL says (ferry_e2e.SqsTestCase).
Signatures are checked with the `cryptography` module, which both Debian's
python3 and the image's python3 have.
"""

import base64
import collections
import http.server
import json
import re
import threading
import time
import urllib.parse
import urllib.request

import ferry_e2e
from ferry_e2e import REGION, SqsTestCase, sns_client, unique_name

TIMESTAMP_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
CERT_PATH_RE = re.compile(r"^/SimpleNotificationService-[0-9a-f]{32}\.pem$")

# SNS's field order in each envelope (docs/compatibility.md, "SNS message envelope").
NOTIFICATION_FIELDS = ["Type", "MessageId", "SequenceNumber", "TopicArn", "Subject", "Message",
                       "Timestamp", "SignatureVersion", "Signature", "SigningCertURL",
                       "UnsubscribeURL", "MessageAttributes"]
CONFIRMATION_FIELDS = ["Type", "MessageId", "Token", "TopicArn", "Message", "SubscribeURL",
                       "Timestamp", "SignatureVersion", "Signature", "SigningCertURL"]


def account():
    """The account id in ARNs: Ferry's, or a peer's (None when unknown)."""
    return ferry_e2e.expected_account_id()


def topic_arn_for(name):
    return "arn:aws:sns:%s:%s:%s" % (REGION, account() or "000000000000", name)


def list_all(fn, key, **kwargs):
    """Every item of `key` a paged List* call returns, following NextToken;
    and the pages' sizes."""
    items, sizes = [], []
    token = None
    while True:
        args = dict(kwargs, NextToken=token) if token else dict(kwargs)
        page = fn(**args)
        items += page.get(key, [])
        sizes.append(len(page.get(key, [])))
        token = page.get("NextToken")
        if not token:
            return items, sizes


def envelope_fields(body):
    """The envelope's field names in the order they are written."""
    return [k for k, _ in json.loads(body, object_pairs_hook=list)]


def unsubscribe_url_parts(url):
    """(base URL, SubscriptionArn) of an UnsubscribeURL, after checking its
    path and Action (the ARN may be percent-encoded or not)."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qs(parts.query)
    assert parts.path == "/" and query.get("Action") == ["Unsubscribe"], url
    return "%s://%s" % (parts.scheme, parts.netloc), query["SubscriptionArn"][0]


# ---------------------------------------------------------------- signatures

def string_to_sign(msg):
    """AWS's string to sign of a delivered envelope: 'Name\\nvalue\\n' for the
    documented fields of its type, in byte order of the names."""
    if msg["Type"] == "Notification":
        names = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    else:
        names = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn",
                 "Type"]
    out = ""
    for name in names:
        if name in msg:
            out += "%s\n%s\n" % (name, msg[name])
    return out.encode("utf-8")


_certificates = {}


def fetch_certificate(url):
    """The PEM served at SigningCertURL (cached per URL)."""
    if url not in _certificates:
        with urllib.request.urlopen(url, timeout=10) as resp:
            _certificates[url] = resp.read()
    return _certificates[url]


def signature_problem(msg):
    """None when msg's Signature verifies against the certificate at its
    SigningCertURL with the hash of its SignatureVersion, else why not."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    version = msg.get("SignatureVersion")
    if version not in ("1", "2"):
        return "SignatureVersion %r" % (version,)
    cert = x509.load_pem_x509_certificate(fetch_certificate(msg["SigningCertURL"]))
    digest = hashes.SHA1() if version == "1" else hashes.SHA256()
    try:
        cert.public_key().verify(base64.b64decode(msg["Signature"]), string_to_sign(msg),
                                 padding.PKCS1v15(), digest)
    except InvalidSignature:
        return "the signature does not verify (SignatureVersion %s)" % version
    return None


# ---------------------------------------------------------------- webhook

HANG = "hang"  # a responder's answer: keep the request open, never answer


class Request(collections.namedtuple("Request", "method path headers body at")):
    """One request the webhook got; headers with lower-case names."""

    def json(self):
        return json.loads(self.body)

    @property
    def message_type(self):
        return self.headers.get("x-amz-sns-message-type")


class Webhook:
    """An HTTP endpoint on a free loopback port, in a thread of the test.

    It records every request (method, path, headers, body, arrival time) and
    answers each with the status `responder(request)` returns (200 by
    default), or holds it open without answering when that is HANG (until
    close()). Use as a context manager, or call close().
    """

    def __init__(self, responder=None):
        self.responder = responder or (lambda req: 200)
        self.requests = []
        self._cond = threading.Condition()
        self._release = threading.Event()
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                req = Request(self.command, self.path,
                              {k.lower(): v for k, v in self.headers.items()}, body,
                              time.monotonic())
                status = hook.responder(req)
                with hook._cond:
                    hook.requests.append(req)
                    hook._cond.notify_all()
                if status == HANG:
                    hook._release.wait(120)
                    self.close_connection = True
                    return
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_GET = do_PUT = _handle

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path="/hook"):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def close(self):
        self._release.set()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def matching(self, predicate=None):
        with self._cond:
            return [r for r in self.requests if predicate is None or predicate(r)]

    def wait_for(self, count, predicate=None, timeout=10.0):
        """The requests matching predicate once there are `count` of them (or
        all there are when the deadline passes)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                got = [r for r in self.requests if predicate is None or predicate(r)]
                left = deadline - time.monotonic()
                if len(got) >= count or left <= 0:
                    return got
                self._cond.wait(left)


def of_type(message_type, path=None):
    """A predicate: requests of this x-amz-sns-message-type (and path)."""
    return lambda r: r.message_type == message_type and (path is None or r.path == path)


def confirm_by_url(subscribe_url):
    """GETs a SubscribeURL as a subscriber does (unsigned); returns the
    SubscriptionArn of the answer's XML."""
    with urllib.request.urlopen(subscribe_url, timeout=10) as resp:
        text = resp.read().decode("utf-8")
    m = re.search(r"<SubscriptionArn>([^<]+)</SubscriptionArn>", text)
    if not m:
        raise AssertionError("ConfirmSubscription by URL answered %r" % text)
    return m.group(1)


# ---------------------------------------------------------------- test base

class SnsTestCase(SqsTestCase):
    """SqsTestCase plus an SNS client (cls.sns, and cls.sns_raw without
    client-side validation) and topic and subscription shortcuts that delete
    what they made."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sns = sns_client()
        cls.sns_raw = sns_client(validate=False)

    def new_topic(self, tag="topic", fifo=False, attributes=None, tags=None, name=None):
        name = name or unique_name(tag) + (".fifo" if fifo else "")
        attributes = dict(attributes or {})
        if fifo:
            attributes.setdefault("FifoTopic", "true")
        kwargs = {"Name": name}
        if attributes:
            kwargs["Attributes"] = attributes
        if tags:
            kwargs["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        arn = self.sns.create_topic(**kwargs)["TopicArn"]
        self.addCleanup(self._delete_topic_quietly, arn)
        return arn

    def _delete_topic_quietly(self, arn):
        try:
            self.sns.delete_topic(TopicArn=arn)
        except Exception:
            pass

    def queue_arn(self, url):
        return self.attrs(url, "QueueArn")["QueueArn"]

    def subscribe(self, topic_arn, protocol, endpoint, attributes=None, return_arn=True):
        kwargs = {"TopicArn": topic_arn, "Protocol": protocol, "Endpoint": endpoint,
                  "ReturnSubscriptionArn": return_arn}
        if attributes:
            kwargs["Attributes"] = attributes
        return self.sns.subscribe(**kwargs)["SubscriptionArn"]

    def subscribed_queue(self, topic_arn, tag="sub", attributes=None, queue_attributes=None,
                         fifo=False):
        """A new queue subscribed to the topic: (queue URL, subscription ARN)."""
        queue_attributes = dict(queue_attributes or {})
        name = None
        if fifo:
            queue_attributes.setdefault("FifoQueue", "true")
            name = unique_name(tag) + ".fifo"
        url = self.new_queue(tag, attributes=queue_attributes or None, name=name)
        return url, self.subscribe(topic_arn, "sqs", self.queue_arn(url), attributes)

    def sub_attrs(self, arn):
        return self.sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]

    def topic_attrs(self, arn):
        return self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]

    def take(self, url, n, timeout=10.0, **kwargs):
        """Receive n messages (waiting up to timeout) and delete them."""
        got = self.receive_n(url, n, timeout=timeout, **kwargs)
        for m in got:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return got

    def assertDeadLettered(self, dlq, sent, message, subject, timeout=10.0):
        """The dead-letter queue holds the signed envelope of the publish that
        answered `sent`; returns the envelope."""
        dead = self.take(dlq, 1, timeout=timeout)
        self.assertEqual(len(dead), 1, "nothing in the dead-letter queue")
        env = json.loads(dead[0]["Body"])
        self.assertEqual((env["Type"], env["MessageId"], env["Message"], env["Subject"]),
                         ("Notification", sent["MessageId"], message, subject))
        self.assertIsNone(signature_problem(env))
        return env

    def assertEmptyQueue(self, url):
        self.assertEqual(self.receive(url, MaxNumberOfMessages=10), [],
                         "the queue should have got nothing")

    def assertSnsError(self, code, fn, *args, status=400, shape=None, message=None,
                       **kwargs):
        """Call fn (an SNS client's method), expect a ClientError with this
        code and HTTP status, a Sender fault, a message (equal to `message`
        when given) and the modelled exception class `shape`."""
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kwargs)
        response = cm.exception.response
        err = response.get("Error", {})
        self.assertEqual(err.get("Code"), code, "error document: %r" % (response,))
        self.assertEqual(response.get("ResponseMetadata", {}).get("HTTPStatusCode"), status,
                         "error %s: %r" % (code, response))
        self.assertEqual(err.get("Type"), "Sender", "error %s: %r" % (code, err))
        self.assertTrue(err.get("Message"), "error %s has no message" % code)
        if message is not None:
            self.assertEqual(err["Message"], message)
        client = getattr(fn, "__self__", self.sns)
        if shape and hasattr(client.exceptions, shape):
            self.assertIsInstance(cm.exception, getattr(client.exceptions, shape),
                                  "error %s did not map to the modelled %s" % (code, shape))
        return cm.exception
