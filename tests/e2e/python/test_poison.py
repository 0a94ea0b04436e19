"""No poison values: whatever bytes a request carries, every answer parses.

A value accepted with a 200, stored and echoed later must never make a later
answer unparseable (boto3 over Query raised ResponseParserError on a receive
after a JSON send of DataType "String.\\u0001", and the other messages of that
receive went in flight unseen). Nor may an error message that echoes input.

- PoisonPropertyTest puts random bytes (controls, NUL, 0xFF, lone surrogates,
  U+FFFE, '<', '&', ...) into every input field of every SQS action of this
  interpreter's botocore model, serialised by botocore in its protocol (Query
  under Debian's boto3, JSON under the image's) with, at times, a poisoned
  X-Amz-Target, credential or Host. Every answer must be a 2xx/4xx/5xx whose
  body a strict parser accepts (expat for XML; for JSON, UTF-8 decoded with
  errors='strict', then json.loads). Then ReceiveMessage, ListQueueTags,
  GetQueueAttributes and ListQueues over Query, of everything that was
  accepted, must parse too. FERRY_POISON_SEED and FERRY_POISON_COUNT choose
  the run (seeded, bounded: the same seed sends the same requests).
- PoisonReproductionTest holds the issue's reproductions one by one.
"""

import base64
import json
import os
import random
import re
import socket
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

from ferry_e2e import REGION, SqsTestCase, endpoint, managed_server, md5_of_attributes, \
    md5_of_body, unique_name

JSON_CT = "application/x-amz-json-1.0"
FORM_CT = "application/x-www-form-urlencoded; charset=utf-8"
SEED = int(os.environ.get("FERRY_POISON_SEED", "20261206"))
COUNT = int(os.environ.get("FERRY_POISON_COUNT", "400"))

# Characters the random values are drawn from. U+DC80..U+DCFF stand for the
# raw bytes 0x80..0xFF (Python's surrogateescape); other surrogates are lone
# UTF-16 surrogates (in JSON, "\\ud800" escapes; in a form, their 3-byte
# encodings, which are not UTF-8).
POISON = ["\x00", "\x01", "\x02", "\x08", "\x0b", "\x1b", "\x7f", "<", "&", ">", "\"", "'",
          "\udcff", "\udcfe", "\udcc3", "\ud800", "\udfff", "\ufffe", "\uffff", "\u2028",
          "\u00e9", "\U0001F600", "%", "+", "=", ".", " ", "\t", "\r", "\n", "]]>", "&#1;",
          "a", "Z", "0", "-", "_"]


def to_bytes(text):
    """UTF-8, except that U+DC80..U+DCFF become the raw bytes they stand for
    and other lone surrogates their (invalid) 3-byte encodings."""
    if isinstance(text, bytes):
        return text
    out = bytearray()
    for ch in str(text):
        cp = ord(ch)
        if 0xDC80 <= cp <= 0xDCFF:
            out.append(cp - 0xDC00)
        else:
            out += ch.encode("utf-8", "surrogatepass")
    return bytes(out)


# ------------------------------------------------------------------ raw HTTP

def host_port():
    parsed = urllib.parse.urlsplit(endpoint())
    return parsed.hostname, parsed.port or 80


def sign(method, path, headers, body):
    """SigV4 headers for a request (botocore's signer), as test_raw_http does."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    req = AWSRequest(method=method, url=endpoint() + path, data=body,
                     headers={k: v.decode("latin-1") if isinstance(v, bytes) else v
                              for k, v in headers.items()})
    SigV4Auth(Credentials("test", "test"), "sqs", REGION).add_auth(req)
    return {k: v for k, v in req.headers.items()}


def raw_exchange(data, timeout=60):
    """Sends bytes on a new connection; returns (status, headers, body)."""
    with socket.create_connection(host_port(), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
            if parse_response(b"".join(chunks)) is not None:
                break
    raw = b"".join(chunks)
    parsed = parse_response(raw)
    if parsed is None:
        raise AssertionError("no complete HTTP answer: %r" % raw[:300])
    return parsed


def parse_response(raw):
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = raw[:end].split(b"\r\n")
    status = int(lines[0].split(b" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.decode("latin-1").strip().lower()] = value.decode("latin-1").strip()
    length = int(headers.get("content-length", "0"))
    body = raw[end + 4:]
    if len(body) < length:
        return None
    return status, headers, body[:length]


def http_request(method, path, headers, body=b"", host=None, signed=True):
    """One request with exactly these header bytes (Host too, when given)."""
    headers = dict(headers)
    if signed:
        headers.update(sign(method, path, headers, body))
    h, p = host_port()
    head = [b"%s %s HTTP/1.1" % (method.encode(), path.encode("latin-1")),
            b"Host: " + (host if host is not None else ("%s:%d" % (h, p)).encode())]
    for k, v in headers.items():
        if k.lower() in ("host", "content-length", "connection"):
            continue
        head.append(k.encode("latin-1") + b": " +
                    (v if isinstance(v, bytes) else v.encode("latin-1")))
    head.append(b"Content-Length: %d" % len(body))
    head.append(b"Connection: close")
    return raw_exchange(b"\r\n".join(head) + b"\r\n\r\n" + body)


def form_encode(pairs):
    return b"&".join(urllib.parse.quote_from_bytes(to_bytes(k), safe="").encode() + b"=" +
                     urllib.parse.quote_from_bytes(to_bytes(v), safe="").encode()
                     for k, v in pairs)


def query_call(pairs, **kwargs):
    return http_request("POST", "/", {"Content-Type": FORM_CT}, form_encode(pairs), **kwargs)


def json_call(target, body, **kwargs):
    if not isinstance(body, bytes):
        body = json.dumps(body).encode()
    return http_request("POST", "/", {"Content-Type": JSON_CT, "X-Amz-Target": target}, body,
                        **kwargs)


# ------------------------------------------------------------ strict parsing

def strict_parse(status, headers, body):
    """Parses an answer as a strict client would; returns the document (an
    Element or a dict). Fails the test on anything a strict parser refuses."""
    assert 200 <= status < 600 and not 300 <= status < 400, status
    content_type = headers.get("content-type", "")
    if "json" in content_type:
        text = body.decode("utf-8", errors="strict")
        doc = json.loads(text)
        assert isinstance(doc, dict), doc
        if status >= 400:
            assert isinstance(doc.get("__type"), str) and isinstance(doc.get("message"), str), doc
        return doc
    assert "xml" in content_type, (status, headers, body[:200])
    body.decode("utf-8", errors="strict")
    root = ET.fromstring(body)  # expat: well-formed XML 1.0 or ParseError
    if status >= 400:
        assert root.tag.endswith("ErrorResponse"), body[:300]
    return root


def local(tag):
    return tag.rsplit("}", 1)[-1]


# ------------------------------------------------------------ the generator

class Generator:
    """Random parameters for an operation of the interpreter's SQS model."""

    def __init__(self, rng, queue_urls):
        self.rng = rng
        self.queue_urls = queue_urls

    def poison(self, max_len=12):
        return "".join(self.rng.choice(POISON) for _ in range(self.rng.randint(0, max_len)))

    def string(self, name):
        r = self.rng.random()
        if name in ("QueueUrl",) and r < 0.7:
            return self.rng.choice(self.queue_urls)
        if name == "QueueName" and r < 0.8:
            return "e2e-poison-" + self.poison(6)
        if name == "DataType" and r < 0.5:
            return self.rng.choice(["String", "Number", "Binary"]) + (
                "." + self.poison(4) if self.rng.random() < 0.6 else "")
        if name in ("MessageGroupId", "MessageDeduplicationId") and r < 0.3:
            return "g" + self.poison(3)
        if r < 0.15:
            return self.rng.choice(["All", "SenderId", "1", "10", "true", "attr.1\u00f8\u00df\u00e4"])
        return self.poison()

    def value(self, shape, name, depth=0):
        kind = shape.type_name
        if kind == "structure":
            out = {}
            for member_name, member in shape.members.items():
                required = member_name in shape.required_members
                if required or self.rng.random() < 0.5:
                    out[member_name] = self.value(member, member_name, depth + 1)
            return out
        if kind == "list":
            return [self.value(shape.member, name, depth + 1)
                    for _ in range(self.rng.randint(0, 2 if depth < 3 else 0))]
        if kind == "map":
            return {self.string("Name"): self.value(shape.value, "Value", depth + 1)
                    for _ in range(self.rng.randint(1, 2))}
        if kind == "blob":
            return bytes(self.rng.randrange(256) for _ in range(self.rng.randint(0, 8)))
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind in ("integer", "long"):
            return self.rng.choice([-1, 0, 1, 10, 2 ** 31, self.rng.randint(0, 100)])
        return self.string(name)


class PoisonPropertyTest(SqsTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.standard = cls.sqs.create_queue(QueueName=unique_name("poison"))["QueueUrl"]
        cls.fifo = cls.sqs.create_queue(
            QueueName=unique_name("poison") + ".fifo",
            Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]

    @classmethod
    def tearDownClass(cls):
        for url in [cls.standard, cls.fifo] + cls.created_queues():
            try:
                cls.sqs.delete_queue(QueueUrl=url)
            except Exception:
                pass

    @classmethod
    def created_queues(cls):
        try:
            return cls.sqs.list_queues(QueueNamePrefix="e2e-poison-").get("QueueUrls", [])
        except Exception:
            return []

    def serialise(self, operation, params, rng):
        """(path, headers, body bytes) of one request, as botocore writes it
        for this interpreter's protocol, with raw bytes where asked."""
        from botocore.serialize import create_serializer
        protocol = self.sqs.meta.service_model.protocol
        request = create_serializer(protocol, include_validation=False).serialize_to_request(
            params, operation)
        headers = {k: v for k, v in request["headers"].items()}
        body = request["body"]
        if protocol == "query":
            headers["Content-Type"] = FORM_CT
            return "/", headers, form_encode(sorted(body.items()))
        if not isinstance(body, bytes):
            body = body.encode()
        if rng.random() < 0.3:
            # Raw bytes instead of "\\uXXXX" escapes: not UTF-8 at all.
            body = to_bytes(json.dumps(json.loads(body), ensure_ascii=False))
        return "/", headers, body

    def test_every_answer_parses_whatever_the_bytes(self):
        rng = random.Random(SEED)
        model = self.sqs.meta.service_model
        operations = sorted(model.operation_names)
        gen = Generator(rng, [self.standard, self.fifo])
        statuses = {}
        for i in range(COUNT):
            name = operations[i % len(operations)]
            operation = model.operation_model(name)
            params = gen.value(operation.input_shape, name) if operation.input_shape else {}
            if name == "DeleteQueue":
                params["QueueUrl"] = gen.poison()  # keep the queues under test
            path, headers, body = self.serialise(operation, params, rng)
            host = None
            twist = rng.random()
            if twist < 0.05:
                host = to_bytes("h" + gen.poison(4)).replace(b"\r", b"").replace(b"\n", b"")
            elif twist < 0.10 and "X-Amz-Target" in headers:
                headers["X-Amz-Target"] = to_bytes("AmazonSQS." + gen.poison(6)).translate(
                    None, b"\r\n\x00")
            elif twist < 0.15:
                path = "/?X-Amz-Credential=" + urllib.parse.quote_from_bytes(
                    to_bytes(gen.poison(4)), safe="") + "%2F20240101%2Fus-east-1%2Fsqs%2Faws4_request"
            signed = twist >= 0.15
            status, res_headers, res_body = http_request("POST", path, headers, body,
                                                         host=host, signed=signed)
            try:
                strict_parse(status, res_headers, res_body)
            except Exception as e:
                self.fail("request %d (%s, seed %d) got an answer a strict parser refuses: %r\n"
                          "request body: %r\nanswer: %d %r" % (i, name, SEED, e, body[:300],
                                                               status, res_body[:300]))
            statuses[status] = statuses.get(status, 0) + 1
        self.assertTrue(any(200 <= s < 300 for s in statuses), statuses)
        self.assertTrue(any(400 <= s < 500 for s in statuses), statuses)
        server = managed_server()
        if server is not None:
            self.assertTrue(server.alive(), "ferry died:\n" + server.log_tail())
        self.read_back_over_query([self.standard, self.fifo] + self.created_queues())

    def read_back_over_query(self, urls):
        """Everything accepted, read back over Query: every document parses."""
        for url in urls:
            for action in (
                    [("Action", "ListQueueTags")],
                    [("Action", "GetQueueAttributes"), ("AttributeName.1", "All")],
                    [("Action", "ReceiveMessage"), ("AttributeName.1", "All"),
                     ("MessageAttributeName.1", "All"), ("MaxNumberOfMessages", "10"),
                     ("VisibilityTimeout", "0")]):
                status, headers, body = query_call(
                    action + [("QueueUrl", url), ("Version", "2012-11-05")])
                self.assertEqual(status, 200, body[:300])
                strict_parse(status, headers, body)
        status, headers, body = query_call([("Action", "ListQueues"), ("Version", "2012-11-05")])
        self.assertEqual(status, 200, body[:300])
        strict_parse(status, headers, body)


class PoisonReproductionTest(SqsTestCase):
    """The issue's reproductions, each a value that used to be accepted and
    poison every later answer, or an error message that was unparseable."""

    def query(self, pairs, **kwargs):
        status, headers, body = query_call(pairs + [("Version", "2012-11-05")], **kwargs)
        return status, strict_parse(status, headers, body), body

    def query_error_code(self, pairs, **kwargs):
        status, root, body = self.query(pairs, **kwargs)
        self.assertGreaterEqual(status, 400, body[:300])
        return [e.text for e in root.iter() if local(e.tag) == "Code"][0]

    def test_data_type_with_a_control_character_is_refused_and_receives_parse(self):
        url = self.new_queue("dtype")
        status, headers, body = json_call("AmazonSQS.SendMessage", {
            "QueueUrl": url, "MessageBody": "poison",
            "MessageAttributes": {"a": {"DataType": "String.\u0001", "StringValue": "v"}}})
        doc = strict_parse(status, headers, body)
        self.assertEqual(status, 400, doc)
        self.assertEqual(headers.get("x-amzn-query-error", "").split(";")[0],
                         "InvalidParameterValue")
        self.sqs.send_message(QueueUrl=url, MessageBody="fine", MessageAttributes={
            "a": {"DataType": "String.label", "StringValue": "v"}})
        got = self.sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"],
                                       AttributeNames=["All"], WaitTimeSeconds=1)
        self.assertEqual([m["Body"] for m in got["Messages"]], ["fine"])
        status, root, _ = self.query([("Action", "ReceiveMessage"), ("QueueUrl", url),
                                      ("MessageAttributeName.1", "All")])
        self.assertEqual(status, 200)

    def test_sender_id_is_the_principal_id_whatever_the_credential(self):
        url = self.new_queue("sender")
        for credential in ("\x01\x02", "\udcff\udcfe"):
            cred = urllib.parse.quote_from_bytes(to_bytes(credential), safe="")
            status, headers, body = http_request(
                "POST", "/?X-Amz-Credential=%s%%2F20240101%%2Fus-east-1%%2Fsqs%%2Faws4_request"
                % cred, {"Content-Type": FORM_CT},
                form_encode([("Action", "SendMessage"), ("QueueUrl", url),
                             ("MessageBody", "from a poisoned credential"),
                             ("Version", "2012-11-05")]), signed=False)
            strict_parse(status, headers, body)
            self.assertEqual(status, 200, body[:300])
        status, root, body = self.query([("Action", "ReceiveMessage"), ("QueueUrl", url),
                                         ("AttributeName.1", "SenderId"),
                                         ("MaxNumberOfMessages", "10")])
        self.assertEqual(status, 200, body[:300])
        senders = [v.text for a in root.iter() if local(a.tag) == "Attribute"
                   for v in a if local(v.tag) == "Value"]
        self.assertEqual(len(senders), 2, body[:500])
        for sender in senders:
            self.assertRegex(sender, r"^AIDA[A-Z2-7]{17}$")
        self.assertNotEqual(senders[0], senders[1])

    def test_sender_id_is_what_get_caller_identity_calls_the_user_id(self):
        import boto3
        sts = boto3.client("sts", endpoint_url=endpoint(), region_name=REGION,
                           aws_access_key_id="test", aws_secret_access_key="test")
        user_id = sts.get_caller_identity()["UserId"]
        self.assertRegex(user_id, r"^AIDA[A-Z2-7]{17}$")
        url = self.new_queue("sender2")
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        got = self.sqs.receive_message(QueueUrl=url, AttributeNames=["SenderId"],
                                       WaitTimeSeconds=1)
        self.assertEqual(got["Messages"][0]["Attributes"]["SenderId"], user_id)

    def test_tags_and_queue_attributes_with_controls_or_non_utf8_are_refused(self):
        url = self.new_queue("tags")
        for bad in ("\x01", "\udcff"):
            self.assertEqual(self.query_error_code([
                ("Action", "TagQueue"), ("QueueUrl", url), ("Tag.1.Key", bad),
                ("Tag.1.Value", "v")]), "InvalidParameterValue")
            self.assertEqual(self.query_error_code([
                ("Action", "TagQueue"), ("QueueUrl", url), ("Tag.1.Key", "k"),
                ("Tag.1.Value", "v" + bad)]), "InvalidParameterValue")
            self.assertEqual(self.query_error_code([
                ("Action", "SetQueueAttributes"), ("QueueUrl", url),
                ("Attribute.1.Name", "KmsMasterKeyId"), ("Attribute.1.Value", "alias/" + bad)]),
                "InvalidAttributeValue")
            self.assertEqual(self.query_error_code([
                ("Action", "CreateQueue"), ("QueueName", unique_name("tagged")),
                ("Tag.1.Key", "k" + bad), ("Tag.1.Value", "v")]), "InvalidParameterValue")
        for action in ("ListQueueTags", "GetQueueAttributes"):
            status, _, body = self.query([("Action", action), ("QueueUrl", url),
                                          ("AttributeName.1", "All")])
            self.assertEqual(status, 200, body[:300])

    def test_error_messages_that_echo_input_parse(self):
        url = self.new_queue("echo")
        fifo = self.new_queue("echo", name=unique_name("echo") + ".fifo",
                              attributes={"FifoQueue": "true",
                                          "ContentBasedDeduplication": "true"})
        self.query_error_code([("Action", "\x01Bad")])
        self.query_error_code([("Action", "DeleteMessage"), ("QueueUrl", url),
                               ("ReceiptHandle", "\x01\x02")])
        self.query_error_code([("Action", "DeleteMessage"), ("QueueUrl", url),
                               ("ReceiptHandle", "\udcff\udcfe<&")])
        self.assertEqual(self.query_error_code([
            ("Action", "SendMessage"), ("QueueUrl", fifo), ("MessageBody", "b"),
            ("MessageGroupId", "g\x01")]), "InvalidParameterValue")
        self.query_error_code([("Action", "GetQueueAttributes"), ("QueueUrl", url),
                               ("AttributeName.1", "a\x01\udcff")])
        for body in ({"QueueUrl": url, "ReceiptHandle": "\x01\x02"},
                     {"QueueUrl": fifo, "MessageBody": "b", "MessageGroupId": "g\x01"}):
            target = "AmazonSQS.DeleteMessage" if "ReceiptHandle" in body else \
                "AmazonSQS.SendMessage"
            status, headers, res = json_call(target, body)
            self.assertEqual(status, 400)
            strict_parse(status, headers, res)
        status, headers, res = json_call(b"AmazonSQS.\xff\xfe", {})
        self.assertEqual(status, 400, res)
        self.assertIn("\ufffd", strict_parse(status, headers, res)["message"])

    def test_a_host_with_a_0xff_byte_never_reaches_a_queue_url(self):
        for host in (b"h\xff:1", b"a b", b"h<x>", b"[::1"):
            status, headers, body = http_request(
                "POST", "/", {"Content-Type": FORM_CT},
                form_encode([("Action", "CreateQueue"), ("QueueName", unique_name("host")),
                             ("Version", "2012-11-05")]), host=host)
            root = strict_parse(status, headers, body)
            self.assertEqual(status, 400, body[:300])
            self.assertFalse([e for e in root.iter() if local(e.tag) == "QueueUrl"])
        status, headers, body = json_call("AmazonSQS.GetQueueUrl", {"QueueName": "x"},
                                          host=b"h\xff")
        self.assertEqual(status, 400)
        strict_parse(status, headers, body)

    def test_attribute_names_may_hold_letters_of_any_script(self):
        url = self.new_queue("names")
        attrs = {"attr.1\u00f8\u00df\u00e4": {"DataType": "String", "StringValue": "v"},
                 "\u0436\u0443\u043a": {"DataType": "Number", "StringValue": "1"}}
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="b", MessageAttributes=attrs)
        self.assertEqual(sent["MD5OfMessageAttributes"], md5_of_attributes(attrs))
        got = self.sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"],
                                       WaitTimeSeconds=1)["Messages"][0]
        self.assertEqual(got["MessageAttributes"], attrs)
        self.assertEqual(got["MD5OfMessageAttributes"], md5_of_attributes(attrs))


if __name__ == "__main__":
    unittest.main()
