"""Raw HTTP: malformed bodies in both wire protocols.

Requests are SigV4-signed (botocore's signer) so they get past authentication
and reach the parsers. Every malformed request must get a 4xx with an error
document in the request's protocol, and the server must keep answering.
"""

import http.client
import json
import socket
import unittest
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

from ferry_e2e import REGION, SqsTestCase, endpoint, managed_server

JSON_CT = "application/x-amz-json-1.0"
FORM_CT = "application/x-www-form-urlencoded; charset=utf-8"


def signed_post(body, headers):
    return signed_request("POST", "/", body, headers)


def signed_request(method, path, body, headers):
    """path: the URL path and query string, e.g. "/" or "/?Action=ListQueues"."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    url = endpoint() + path
    req = AWSRequest(method=method, url=url, data=body, headers=dict(headers))
    SigV4Auth(Credentials("test", "test"), "sqs", REGION).add_auth(req)
    send = urllib.request.Request(url, data=body, method=method,
                                  headers={k: v for k, v in req.headers.items()})
    try:
        with urllib.request.urlopen(send, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def json_call(target, body):
    if not isinstance(body, bytes):
        body = json.dumps(body).encode()
    return signed_post(body, {"Content-Type": JSON_CT, "X-Amz-Target": target})


def form_call(body):
    if not isinstance(body, bytes):
        body = body.encode()
    return signed_post(body, {"Content-Type": FORM_CT})


def header(headers, name):
    for k, v in headers.items():
        if k.lower() == name.lower():
            return v
    return None


class RawHttpBase(SqsTestCase):
    """A queue of the class's own and the error-document checks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from ferry_e2e import unique_name
        cls.url = cls.sqs.create_queue(QueueName=unique_name("raw"))["QueueUrl"]

    @classmethod
    def tearDownClass(cls):
        try:
            cls.sqs.delete_queue(QueueUrl=cls.url)
        except Exception:
            pass

    def assertStillServing(self):
        server = managed_server()
        if server is not None:
            self.assertTrue(server.alive(), "ferry died:\n" + server.log_tail())
        self.assertIn(self.url, self.sqs.list_queues(QueueNamePrefix=self.url.rsplit("/", 1)[1])
                      .get("QueueUrls", []))

    def assertJsonError(self, status, headers, body, expect_status=400, code=None):
        self.assertEqual(status, expect_status, body[:300])
        self.assertIn("json", (header(headers, "Content-Type") or "").lower())
        doc = json.loads(body.decode("utf-8"))
        self.assertIsInstance(doc, dict)
        self.assertIsInstance(doc.get("__type"), str, doc)
        self.assertTrue(doc.get("message") or doc.get("Message"), doc)
        if code:
            query_error = header(headers, "x-amzn-query-error") or ""
            self.assertEqual(query_error.split(";")[0], code, headers)
            self.assertEqual(query_error.split(";")[1:], ["Sender"], headers)
        return doc

    def assertXmlError(self, status, headers, body, expect_status=400, code=None):
        self.assertEqual(status, expect_status, body[:300])
        self.assertIn("xml", (header(headers, "Content-Type") or "").lower())
        root = ET.fromstring(body)
        ns = root.tag.split("}")[0] + "}" if root.tag.startswith("{") else ""
        self.assertEqual(root.tag, ns + "ErrorResponse")
        err = root.find(ns + "Error")
        self.assertIsNotNone(err, body)
        got_code = err.findtext(ns + "Code")
        self.assertTrue(got_code, body)
        self.assertEqual(err.findtext(ns + "Type"), "Sender", body)
        self.assertTrue(err.findtext(ns + "Message"), body)
        self.assertTrue(root.findtext(ns + "RequestId"), body)
        if code:
            self.assertEqual(got_code, code, body)
        return got_code


class RawHttpTest(RawHttpBase):
    # ------------------------------------------------------------ sanity

    def test_signed_raw_requests_work(self):
        status, headers, body = json_call("AmazonSQS.ListQueues", {"QueueNamePrefix": "e2e-"})
        self.assertEqual(status, 200, body)
        self.assertIn(self.url, json.loads(body).get("QueueUrls", []))
        status, headers, body = form_call("Action=ListQueues&Version=2012-11-05")
        self.assertEqual(status, 200, body)
        self.assertIn(self.url.encode(), body)

    def test_json_error_document(self):
        status, headers, body = json_call("AmazonSQS.GetQueueUrl", {"QueueName": "no-such-q-x"})
        doc = self.assertJsonError(status, headers, body,
                                   code="AWS.SimpleQueueService.NonExistentQueue")
        self.assertEqual(doc["__type"].rsplit("#", 1)[-1], "QueueDoesNotExist")

    def test_query_error_document(self):
        status, headers, body = form_call(
            "Action=GetQueueUrl&Version=2012-11-05&QueueName=no-such-q-x")
        self.assertXmlError(status, headers, body, code="AWS.SimpleQueueService.NonExistentQueue")

    # ------------------------------------------------------------ JSON

    def test_malformed_json(self):
        cases = {
            "truncated": b'{"QueueUrl": "',
            "not json": b"this is not json",
            "array": b"[]",
            "string": b'"a string"',
            "number": b"42",
            "trailing garbage": b'{"QueueUrl": "x"} trailing',
            "invalid utf-8": b'{"QueueUrl": "\xff\xfe", "MessageBody": "x"}',
            "lone surrogate": b'{"QueueUrl": "x", "MessageBody": "\\ud800"}',
            "deep nesting": b"[" * 100000,
            "deep object nesting": b'{"a":' * 50000,
        }
        for what, body in cases.items():
            with self.subTest(what):
                self.assertJsonError(*json_call("AmazonSQS.SendMessage", body))
                self.assertStillServing()

    def test_wrong_json_types(self):
        cases = {
            "QueueUrl number": {"QueueUrl": 123, "MessageBody": "x"},
            "MessageBody list": {"QueueUrl": self.url, "MessageBody": ["x"]},
            "MessageBody object": {"QueueUrl": self.url, "MessageBody": {"a": 1}},
            "DelaySeconds string": {"QueueUrl": self.url, "MessageBody": "x",
                                    "DelaySeconds": "5"},
            "DelaySeconds bool": {"QueueUrl": self.url, "MessageBody": "x",
                                  "DelaySeconds": True},
            "MessageAttributes string": {"QueueUrl": self.url, "MessageBody": "x",
                                         "MessageAttributes": "nope"},
            "attribute value number": {"QueueUrl": self.url, "MessageBody": "x",
                                       "MessageAttributes": {"a": {"DataType": "String",
                                                                   "StringValue": 5}}},
            "BinaryValue not base64": {"QueueUrl": self.url, "MessageBody": "x",
                                       "MessageAttributes": {"a": {"DataType": "Binary",
                                                                   "BinaryValue": "!!!"}}},
        }
        for what, body in cases.items():
            with self.subTest(what):
                self.assertJsonError(*json_call("AmazonSQS.SendMessage", body))
        self.assertEqual(self.counts(self.url), (0, 0, 0))
        batch = {"QueueUrl": self.url, "Entries": {"Id": "a", "MessageBody": "x"}}
        self.assertJsonError(*json_call("AmazonSQS.SendMessageBatch", batch))
        self.assertStillServing()

    def test_huge_and_fractional_numbers(self):
        for value in [1e300, 99999999999999999999999999999, -99999999999999999999999,
                      2 ** 31, 2 ** 63, 1.5, -1]:
            with self.subTest(MaxNumberOfMessages=value):
                body = ('{"QueueUrl": %s, "MaxNumberOfMessages": %s}'
                        % (json.dumps(self.url), repr(value))).encode()
                self.assertJsonError(*json_call("AmazonSQS.ReceiveMessage", body))
        body = ('{"QueueUrl": %s, "MaxNumberOfMessages": 1e400}' % json.dumps(self.url)).encode()
        self.assertJsonError(*json_call("AmazonSQS.ReceiveMessage", body))
        self.assertStillServing()

    def test_unknown_json_target(self):
        status, headers, body = json_call("AmazonSQS.NoSuchAction", {})
        doc = self.assertJsonError(status, headers, body)
        query_error = (header(headers, "x-amzn-query-error") or "").split(";")[0]
        self.assertTrue("UnknownOperation" in doc["__type"] or query_error == "InvalidAction",
                        (doc, query_error))
        self.assertStillServing()

    def test_missing_or_foreign_target(self):
        for target in (None, "", "AmazonSQS.", "DynamoDB_20120810.ListTables", "AmazonSQS"):
            with self.subTest(target=target):
                headers = {"Content-Type": JSON_CT}
                if target is not None:
                    headers["X-Amz-Target"] = target
                status, _, body = signed_post(b"{}", headers)
                self.assertTrue(400 <= status < 500, (status, body[:200]))
                self.assertTrue(body, "4xx without an error document")
        self.assertStillServing()

    # ------------------------------------------------------------ Query

    def q(self, **params):
        params.setdefault("Version", "2012-11-05")
        return urllib.parse.urlencode(params)

    def test_malformed_form(self):
        qurl = urllib.parse.quote(self.url, safe="")
        cases = {
            "truncated utf-8 escape": "Action=SendMessage&Version=2012-11-05&QueueUrl=%s"
                                      "&MessageBody=%%E2%%82" % qurl,
            "bad percent escape": "Action=SendMessage&Version=2012-11-05&QueueUrl=%s"
                                  "&MessageBody=%%zz%%" % qurl,
            "truncated mid-parameter": "Action=SendMessage&Version=2012-11-05&QueueU",
            "raw invalid utf-8": b"Action=SendMessage&QueueUrl=x&MessageBody=\xff\xfe",
            "missing action": "Version=2012-11-05&QueueName=x",
            "only ampersands": "&&&&",
            "no value": "Action",
        }
        for what, body in cases.items():
            with self.subTest(what):
                self.assertXmlError(*form_call(body))
                self.assertStillServing()
        self.assertEqual(self.counts(self.url), (0, 0, 0))

    def test_query_bad_numbers(self):
        for value in ["99999999999999999999999", "abc", "1.5", "", "-1", "1e3", "0x10"]:
            with self.subTest(MaxNumberOfMessages=value):
                self.assertXmlError(*form_call(self.q(
                    Action="ReceiveMessage", QueueUrl=self.url, MaxNumberOfMessages=value)))
        self.assertStillServing()

    def test_unknown_query_action(self):
        status, headers, body = form_call(self.q(Action="NoSuchAction"))
        self.assertXmlError(status, headers, body, code="InvalidAction")
        self.assertIn(b"The action NoSuchAction is not valid for this endpoint.", body)
        self.assertStillServing()

    # ------------------------------------------------------------ AWS's exact answers

    def test_get_without_action_is_404_unknown_operation(self):
        for path in ["/", "/?Version=2012-11-05", urllib.parse.urlparse(self.url).path]:
            with self.subTest(path=path):
                status, headers, body = signed_request("GET", path, None, {})
                self.assertXmlError(status, headers, body, expect_status=404,
                                    code="UnknownOperationException")

    def test_account_actions_sent_to_a_queue_url_are_invalid_actions(self):
        path = urllib.parse.urlparse(self.url).path
        for action in ["CreateQueue", "ListQueues"]:
            with self.subTest(action=action):
                status, headers, body = signed_request(
                    "POST", path, self.q(Action=action, QueueName="x").encode(),
                    {"Content-Type": FORM_CT})
                self.assertXmlError(status, headers, body, code="InvalidAction")
                self.assertIn(("The action %s is not valid for this endpoint." % action).encode(),
                              body)

    def test_empty_results_are_empty_elements(self):
        status, _, body = form_call(self.q(Action="ReceiveMessage", QueueUrl=self.url))
        self.assertEqual(status, 200, body)
        self.assertIn(b"<ReceiveMessageResult/>", body)
        status, _, body = form_call(self.q(Action="ListQueues", QueueNamePrefix="no-such-x"))
        self.assertEqual(status, 200, body)
        self.assertIn(b"<ListQueuesResult/>", body)

    def test_a_query_request_accepting_json_is_answered_in_json(self):
        prefix = self.url.rsplit("/", 1)[1]
        status, headers, body = signed_request(
            "POST", "/", self.q(Action="ListQueues", QueueNamePrefix=prefix).encode(),
            {"Content-Type": FORM_CT, "Accept": "application/json"})
        self.assertEqual(status, 200, body)
        self.assertIn("json", header(headers, "Content-Type"))
        doc = json.loads(body)
        self.assertEqual(doc["ListQueuesResponse"]["ListQueuesResult"]["QueueUrls"], [self.url])
        self.assertTrue(doc["ListQueuesResponse"]["ResponseMetadata"]["RequestId"])
        status, headers, body = signed_request(
            "POST", "/", self.q(Action="GetQueueUrl", QueueName="no-such-q-x").encode(),
            {"Content-Type": FORM_CT, "Accept": "application/json"})
        self.assertEqual(status, 400, body)
        self.assertEqual(json.loads(body)["Error"]["Code"],
                         "AWS.SimpleQueueService.NonExistentQueue")

    def test_an_unknown_queue_over_query_is_unknown_for_this_wsdl_version(self):
        status, headers, body = form_call(self.q(Action="GetQueueUrl", QueueName="no-such-q-x"))
        self.assertXmlError(status, headers, body, code="AWS.SimpleQueueService.NonExistentQueue")
        self.assertIn(b"The specified queue does not exist for this wsdl version.", body)
        status, headers, body = json_call("AmazonSQS.GetQueueUrl", {"QueueName": "no-such-q-x"})
        self.assertEqual(json.loads(body)["message"], "The specified queue does not exist.")

    def test_json_errors_send_the_json_type_and_the_query_code_in_the_header(self):
        cases = [
            ("AmazonSQS.ReceiveMessage", {"QueueUrl": self.url, "MaxNumberOfMessages": 11},
             "InvalidParameterValueException", "InvalidParameterValue"),
            ("AmazonSQS.SendMessage", {"QueueUrl": self.url},
             "MissingRequiredParameterException", "MissingParameter"),
            ("AmazonSQS.GetQueueUrl", {"QueueName": "no-such-q-x"},
             "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"),
        ]
        for target, params, json_type, query_code in cases:
            with self.subTest(target=target):
                status, headers, body = json_call(target, params)
                doc = self.assertJsonError(status, headers, body, code=query_code)
                self.assertEqual(doc["__type"], "com.amazonaws.sqs#" + json_type)

    def test_huge_batch_index(self):
        status, _, body = form_call(self.q(**{
            "Action": "SendMessageBatch", "QueueUrl": self.url,
            "SendMessageBatchRequestEntry.99999999999999999999.Id": "a",
            "SendMessageBatchRequestEntry.99999999999999999999.MessageBody": "x"}))
        self.assertLess(status, 500, body[:300])
        status, _, body = form_call(self.q(**{
            "Action": "SendMessageBatch", "QueueUrl": self.url,
            "SendMessageBatchRequestEntry.4000000000.Id": "a",
            "SendMessageBatchRequestEntry.4000000000.MessageBody": "x"}))
        self.assertLess(status, 500, body[:300])
        self.sqs.purge_queue(QueueUrl=self.url) if self.counts(self.url)[0] else None
        self.assertStillServing()

    # ------------------------------------------------------------ transport

    def raw_socket(self, payload, read=True):
        host, port = urllib.parse.urlsplit(endpoint()).netloc.rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=10) as s:
            s.sendall(payload)
            if not read:
                return b""
            s.shutdown(socket.SHUT_WR)
            data = b""
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            except (socket.timeout, ConnectionResetError):
                pass
            return data

    def test_garbage_and_truncated_requests(self):
        host = urllib.parse.urlsplit(endpoint()).netloc
        payloads = [
            b"GARBAGE\r\n\r\n",
            b"\x00\x01\x02\x03" * 64,
            ("POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: 100\r\n\r\n"
             "Action=List" % (host, FORM_CT)).encode(),
            ("POST / HTTP/1.1\r\nHost: %s\r\nContent-Length: 99999999999999999999\r\n\r\n"
             % host).encode(),
            ("POST / HTTP/1.1\r\nHost: %s\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"
             % host).encode(),
            ("POST / HTTP/1.1\r\nHost: %s\r\n%s\r\n" % (host, "X-Pad: y\r\n" * 5000)).encode(),
        ]
        for payload in payloads:
            with self.subTest(payload=payload[:40]):
                reply = self.raw_socket(payload)
                if reply:
                    self.assertRegex(reply[:12], rb"^HTTP/1\.[01] [45]\d\d")
                self.assertStillServing()


def signed_with_host(body, headers, host_header):
    """POSTs `body` to the server under test with `host_header` as the Host
    header (signed for it), and returns (status, headers, body)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    req = AWSRequest(method="POST", url="http://%s/" % host_header, data=body,
                     headers=dict(headers))
    SigV4Auth(Credentials("test", "test"), "sqs", REGION).add_auth(req)
    sent = {k: v for k, v in req.headers.items()}
    sent["Host"] = host_header
    netloc = urllib.parse.urlsplit(endpoint()).netloc
    host, port = netloc.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request("POST", "/", body=body, headers=sent)
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def xml_text(body, tag):
    root = ET.fromstring(body)
    return [e.text for e in root.iter() if e.tag.rsplit("}", 1)[-1] == tag]


class QueryLeniencyTest(RawHttpBase):
    """What older Query clients send and AWS accepts (docs/compatibility.md,
    "Query protocol leniencies")."""

    def q_raw(self, text):
        """A form body written by hand: characters are sent as they are."""
        return form_call(text.encode("utf-8") if isinstance(text, str) else text)

    def test_form_body_with_a_target_header_is_query(self):
        status, headers, body = signed_post(
            b"Action=ListQueues&Version=2012-11-05",
            {"Content-Type": FORM_CT, "X-Amz-Target": "AmazonSQS.ListQueues"})
        self.assertEqual(status, 200, body[:300])
        self.assertIn("xml", (header(headers, "Content-Type") or "").lower())
        self.assertIn(self.url, xml_text(body, "QueueUrl"))

    def test_unencoded_characters_are_taken_as_they_are(self):
        qurl = urllib.parse.quote(self.url, safe="")
        text = 'say "hi" {a} [b] |c| <d> ^e\\ `f` g'
        status, _, body = self.q_raw(
            "Action=SendMessage&Version=2012-11-05&QueueUrl=%s&MessageBody=%s" % (qurl, text))
        self.assertEqual(status, 200, body[:300])
        got = self.sqs.receive_message(QueueUrl=self.url, WaitTimeSeconds=1)["Messages"]
        self.assertEqual([m["Body"] for m in got], [text])
        self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=got[0]["ReceiptHandle"])

    def test_unencoded_redrive_policy_json(self):
        dlq = self.new_queue("rawdlq")
        arn = self.sqs.get_queue_attributes(
            QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        policy = '{"deadLetterTargetArn":"%s","maxReceiveCount":"5"}' % arn
        src = self.new_queue("rawsrc")
        status, _, body = self.q_raw(
            "Action=SetQueueAttributes&Version=2012-11-05&QueueUrl=%s"
            "&Attribute.1.Name=RedrivePolicy&Attribute.1.Value=%s"
            % (urllib.parse.quote(src, safe=""), policy))
        self.assertEqual(status, 200, body[:300])
        got = self.sqs.get_queue_attributes(
            QueueUrl=src, AttributeNames=["RedrivePolicy"])["Attributes"]["RedrivePolicy"]
        self.assertEqual(json.loads(got), {"deadLetterTargetArn": arn, "maxReceiveCount": 5})

    def test_a_nul_byte_does_not_end_the_form(self):
        qurl = urllib.parse.quote(self.url, safe="")
        # The NUL stays part of the body, which AWS's character rules refuse;
        # a parse that stopped at it would have sent "x".
        self.assertXmlError(*self.q_raw(
            b"Action=SendMessage&Version=2012-11-05&QueueUrl=" + qurl.encode()
            + b"&MessageBody=x\x00y"), code="InvalidMessageContents")
        # Parameters after a NUL are read too.
        status, _, body = self.q_raw(
            b"Action=SendMessage&Version=2012-11-05&QueueUrl=" + qurl.encode()
            + b"&Ignored=\x00&MessageBody=after")
        self.assertEqual(status, 200, body[:300])
        got = self.sqs.receive_message(QueueUrl=self.url, WaitTimeSeconds=1)["Messages"]
        self.assertEqual([m["Body"] for m in got], ["after"])
        self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=got[0]["ReceiptHandle"])

    def test_a_key_of_eighteen_thousand_segments_is_malformed(self):
        body = ("Action=ListQueues&a" + ".a" * 17999 + "=1").encode()
        self.assertGreater(len(body), 36000)
        self.assertXmlError(*form_call(body), code="MalformedQueryString")
        self.assertStillServing()
        # Unsigned, as an outsider would send it.
        req = urllib.request.Request(endpoint() + "/", data=body, method="POST",
                                     headers={"Content-Type": FORM_CT})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                status, body = resp.status, resp.read()
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read()
        self.assertTrue(400 <= status < 500, (status, body[:200]))
        self.assertStillServing()

    def test_an_empty_list_is_its_member_name_with_no_value(self):
        qurl = urllib.parse.quote(self.url, safe="")
        status, _, body = self.q_raw(
            "Action=ReceiveMessage&Version=2012-11-05&QueueUrl=%s&AttributeName="
            "&MessageAttributeName=&MessageSystemAttributeName=&WaitTimeSeconds=0" % qurl)
        self.assertEqual(status, 200, body[:300])
        self.assertXmlError(*self.q_raw(
            "Action=SendMessageBatch&Version=2012-11-05&QueueUrl=%s&SendMessageBatchRequestEntry="
            % qurl), code="AWS.SimpleQueueService.EmptyBatchRequest")

    def test_unnumbered_list_and_map_forms(self):
        qurl = urllib.parse.quote(self.url, safe="")
        status, _, body = self.q_raw(
            "Action=SetQueueAttributes&Version=2012-11-05&QueueUrl=%s"
            "&Attribute.Name=VisibilityTimeout&Attribute.Value=41" % qurl)
        self.assertEqual(status, 200, body[:300])
        status, _, body = self.q_raw(
            "Action=GetQueueAttributes&Version=2012-11-05&QueueUrl=%s&AttributeName=All" % qurl)
        self.assertEqual(status, 200, body[:300])
        names = xml_text(body, "Name")
        values = xml_text(body, "Value")
        self.assertIn("ApproximateNumberOfMessages", names)
        self.assertEqual(values[names.index("VisibilityTimeout")], "41")
        self.sqs.set_queue_attributes(QueueUrl=self.url, Attributes={"VisibilityTimeout": "30"})

    def test_a_host_without_a_port_gets_the_listening_port(self):
        netloc = urllib.parse.urlsplit(endpoint()).netloc
        host, port = netloc.rsplit(":", 1)
        name = self.url.rsplit("/", 1)[1]
        status, _, body = signed_with_host(
            ("Action=GetQueueUrl&Version=2012-11-05&QueueName=%s" % name).encode(),
            {"Content-Type": FORM_CT}, host)
        self.assertEqual(status, 200, body[:300])
        url = xml_text(body, "QueueUrl")[0]
        self.assertEqual(urllib.parse.urlsplit(url).port, int(port), url)
        status, _, body = signed_with_host(
            json.dumps({"QueueName": name}).encode(),
            {"Content-Type": JSON_CT, "X-Amz-Target": "AmazonSQS.GetQueueUrl"}, host)
        self.assertEqual(status, 200, body[:300])
        url = json.loads(body)["QueueUrl"]
        self.assertEqual(urllib.parse.urlsplit(url).port, int(port), url)


if __name__ == "__main__":
    unittest.main()
