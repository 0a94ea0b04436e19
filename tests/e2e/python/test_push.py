"""Push consumers (FerryPushConsumer, docs/extensions/push.md): a worker in
this process (http.server on a free loopback port) receives the batches
Ferry POSTs, checks each request's HMAC signature and the shape of Lambda's
SQS event, and answers as each test scripts.

Batches arrive and are deleted after a 2xx; a partial batch failure brings
back only the listed messages; a 500 then a 200 retries and delivers; a 400
moves the batch to the dead-letter queue intact; removing the attribute
stops delivery; a kill -9 while a batch is in flight loses nothing. The
attribute's validation and its place in GetQueueAttributes are checked too.

The module starts a server of its own (FERRY_BIN), which it kills once;
skipped against FERRY_ENDPOINT.
"""

import base64
import hashlib
import hmac
import json
import os
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import ferry_e2e
from ferry_e2e import FerryServer, md5_of_attributes, md5_of_body, sqs_client, unique_name

SECRET = "push-e2e-secret-0123456789"
RECORD_KEYS = {"messageId", "receiptHandle", "body", "attributes", "messageAttributes",
               "md5OfBody", "eventSource", "eventSourceARN", "awsRegion"}
SYSTEM_KEYS = {"ApproximateReceiveCount", "SentTimestamp", "SenderId",
               "ApproximateFirstReceiveTimestamp"}
ATTRIBUTES = {
    "greeting": {"DataType": "String", "StringValue": "héllo"},
    "count": {"DataType": "Number", "StringValue": "-12.5"},
    "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xfe\xff"},
}

_server = None


def setUpModule():
    global _server
    binary = os.environ.get("FERRY_BIN")
    if os.environ.get("FERRY_ENDPOINT") or not binary:
        raise unittest.SkipTest("needs FERRY_BIN to start (and kill) a server of its own")
    _server = FerryServer(binary)
    _server.start()


def tearDownModule():
    if _server is not None:
        _server.stop()


def wait_until(predicate, timeout=15.0, what="condition"):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.05)


class Worker:
    """The endpoint: records every request's records and answers with
    answer(records) -> (status, body); checks signatures and event shape,
    collecting what is wrong in `problems`."""

    def __init__(self, answer=None):
        self.answer = answer or (lambda records: (200, ""))
        self.lock = threading.Lock()
        self.batches = []   # each a list of records, in arrival order
        self.problems = []
        self.release = threading.Event()  # frees answers held by hold()
        worker = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                records = worker.check(self.headers, body)
                with worker.lock:
                    worker.batches.append(records)
                status, text = worker.answer(records)
                data = text.encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the server that asked is gone

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self):
        return "http://127.0.0.1:%d/push?from=ferry" % self.httpd.server_address[1]

    def close(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def check(self, headers, body):
        problems = []
        timestamp = headers.get("X-Ferry-Timestamp", "")
        expected = "v1=" + hmac.new(SECRET.encode(), timestamp.encode() + b"." + body,
                                    hashlib.sha256).hexdigest()
        if headers.get("X-Ferry-Signature") != expected:
            problems.append("bad signature %r" % headers.get("X-Ferry-Signature"))
        if abs(time.time() - int(timestamp or 0)) > 300:
            problems.append("stale timestamp %r" % timestamp)
        if headers.get("Content-Type") != "application/json":
            problems.append("content type %r" % headers.get("Content-Type"))
        if "Ferry" not in headers.get("User-Agent", ""):
            problems.append("user agent %r" % headers.get("User-Agent"))
        records = json.loads(body)["Records"]
        for r in records:
            keys = set(r)
            if r["messageAttributes"]:
                keys.discard("md5OfMessageAttributes")
            if keys != RECORD_KEYS:
                problems.append("record keys %r" % sorted(r))
            if not SYSTEM_KEYS <= set(r["attributes"]):
                problems.append("attributes %r" % sorted(r["attributes"]))
            if r["eventSource"] != "aws:sqs" or r["awsRegion"] != ferry_e2e.REGION:
                problems.append("source %r %r" % (r["eventSource"], r["awsRegion"]))
            if r["md5OfBody"] != md5_of_body(r["body"]):
                problems.append("md5OfBody of %r" % r["body"])
            if r["messageAttributes"]:
                sqs_shaped = {}
                for name, a in r["messageAttributes"].items():
                    if "binaryValue" in a:
                        sqs_shaped[name] = {"DataType": a["dataType"],
                                            "BinaryValue": base64.b64decode(a["binaryValue"])}
                    else:
                        sqs_shaped[name] = {"DataType": a["dataType"],
                                            "StringValue": a["stringValue"]}
                if r.get("md5OfMessageAttributes") != md5_of_attributes(sqs_shaped):
                    problems.append("md5OfMessageAttributes of %r" % r["body"])
        with self.lock:
            self.problems += problems
        return records

    def records(self):
        with self.lock:
            return [r for batch in self.batches for r in batch]

    def bodies(self):
        return [r["body"] for r in self.records()]


class PushTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.sqs = sqs_client(endpoint_url=_server.endpoint)
        expected = os.environ.get("FERRY_EXPECT_PROTOCOL")
        if expected:
            self.assertEqual(self.sqs.meta.service_model.protocol, expected)

    def worker(self, answer=None):
        w = Worker(answer)
        self.addCleanup(w.close)
        self.addCleanup(lambda: self.assertEqual(w.problems, []))
        return w

    def queue(self, worker=None, visibility=30, push=None, **attributes):
        attrs = {"VisibilityTimeout": str(visibility)}
        attrs.update(attributes)
        if worker is not None:
            attrs["FerryPushConsumer"] = self.config(worker, **(push or {}))
        url = self.sqs.create_queue(QueueName=unique_name("push"), Attributes=attrs)["QueueUrl"]
        self.addCleanup(self._delete, url)
        return url

    def _delete(self, url):
        try:
            sqs_client(endpoint_url=_server.endpoint).delete_queue(QueueUrl=url)
        except Exception:
            pass

    @staticmethod
    def config(worker, **fields):
        doc = {"endpoint": worker.url(), "signingSecret": SECRET}
        doc.update(fields)
        return json.dumps(doc)

    def stored(self, url):
        a = self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                          "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        return int(a["ApproximateNumberOfMessages"]) + int(a["ApproximateNumberOfMessagesNotVisible"])

    def arn(self, url):
        return self.sqs.get_queue_attributes(QueueUrl=url,
                                             AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def test_batches_arrive_signed_and_are_deleted_after_a_2xx(self):
        w = self.worker()
        url = self.queue()
        sent = {}
        for i in range(12):
            body = "message %d" % i
            sent[self.sqs.send_message(QueueUrl=url, MessageBody=body,
                                       MessageAttributes=ATTRIBUTES)["MessageId"]] = body
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={
            "FerryPushConsumer": self.config(w, batchSize=5, maximumConcurrency=1)})
        wait_until(lambda: len(w.records()) >= 12, what="12 records")
        wait_until(lambda: self.stored(url) == 0, what="an empty queue")
        self.assertEqual({r["messageId"]: r["body"] for r in w.records()}, sent)
        self.assertEqual([len(b) for b in w.batches], [5, 5, 2])
        r = w.records()[0]
        self.assertEqual(r["eventSourceARN"], self.arn(url))
        self.assertEqual(r["attributes"]["ApproximateReceiveCount"], "1")
        self.assertEqual(r["messageAttributes"]["greeting"],
                         {"stringValue": "héllo", "stringListValues": [], "binaryListValues": [],
                          "dataType": "String"})
        self.assertEqual(base64.b64decode(r["messageAttributes"]["blob"]["binaryValue"]),
                         b"\x00\x01\xfe\xff")
        self.assertEqual(r["messageAttributes"]["count"]["stringValue"], "-12.5")

    def test_a_partial_batch_failure_brings_back_only_the_listed_messages(self):
        def answer(records):
            failed = [{"itemIdentifier": r["messageId"]} for r in records
                      if r["body"].startswith("bad") and r["attributes"]["ApproximateReceiveCount"] == "1"]
            return 200, json.dumps({"batchItemFailures": failed})
        w = self.worker(answer)
        url = self.queue(visibility=1)
        for body in ("good-1", "bad-1", "good-2"):
            self.sqs.send_message(QueueUrl=url, MessageBody=body)
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"FerryPushConsumer": self.config(w)})
        wait_until(lambda: len(w.records()) >= 4, what="the failed message again")
        wait_until(lambda: self.stored(url) == 0, what="an empty queue")
        self.assertEqual(sorted(w.bodies()), ["bad-1", "bad-1", "good-1", "good-2"])
        again = w.records()[-1]
        self.assertEqual(again["body"], "bad-1")
        self.assertEqual(again["attributes"]["ApproximateReceiveCount"], "2")

    def test_a_500_then_a_200_is_retried_and_delivered(self):
        statuses = [500]
        w = self.worker(lambda records: (statuses.pop(0) if statuses else 200, ""))
        url = self.queue(w, visibility=1)
        self.sqs.send_message(QueueUrl=url, MessageBody="retry me")
        wait_until(lambda: len(w.records()) >= 2, what="a second attempt")
        wait_until(lambda: self.stored(url) == 0, what="an empty queue")
        self.assertEqual(w.bodies(), ["retry me", "retry me"])
        self.assertEqual(w.records()[1]["attributes"]["ApproximateReceiveCount"], "2")

    def test_a_400_moves_the_batch_to_the_dead_letter_queue_intact(self):
        w = self.worker(lambda records: (400, "bad request"))
        dlq = self.queue()
        policy = json.dumps({"deadLetterTargetArn": self.arn(dlq), "maxReceiveCount": 5})
        url = self.queue(w, RedrivePolicy=policy)
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="poison",
                                     MessageAttributes=ATTRIBUTES)["MessageId"]
        wait_until(lambda: self.stored(url) == 0, what="the batch to leave its queue")
        got = self.sqs.receive_message(QueueUrl=dlq, MessageAttributeNames=["All"],
                                       WaitTimeSeconds=1).get("Messages", [])
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0]["MessageId"], sent)
        self.assertEqual(got[0]["Body"], "poison")
        self.assertEqual(ferry_e2e.normalise_attributes(got[0]["MessageAttributes"]),
                         ferry_e2e.normalise_attributes(ATTRIBUTES))
        self.assertEqual(len(w.records()), 1)

    def test_removing_the_attribute_stops_delivery(self):
        w = self.worker()
        url = self.queue(w)
        self.sqs.send_message(QueueUrl=url, MessageBody="one")
        wait_until(lambda: len(w.records()) == 1, what="the first message")
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"FerryPushConsumer": ""})
        self.assertNotIn("FerryPushConsumer", self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["All"])["Attributes"])
        time.sleep(1.5)  # the server looks for changed attributes every second
        self.sqs.send_message(QueueUrl=url, MessageBody="two")
        time.sleep(1.5)
        self.assertEqual(w.bodies(), ["one"])
        got = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
        self.assertEqual([m["Body"] for m in got], ["two"])

    def test_the_attribute_is_validated_and_returned_as_set(self):
        w = self.worker()
        value = self.config(w, batchSize=25)
        url = self.queue()
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"FerryPushConsumer": value})
        self.assertEqual(self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["FerryPushConsumer"])["Attributes"],
            {"FerryPushConsumer": value})
        self.assertEqual(self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["All"])["Attributes"]["FerryPushConsumer"], value)
        plain = self.queue()
        self.assertNotIn("FerryPushConsumer", self.sqs.get_queue_attributes(
            QueueUrl=plain, AttributeNames=["All"])["Attributes"])
        from botocore.exceptions import ClientError
        for bad, field in ((self.config(w, batchSize=0), "batchSize"),
                           (json.dumps({"endpoint": w.url()}), "signingSecret"),
                           (json.dumps({"endpoint": "ftp://x/", "signingSecret": SECRET}), "endpoint")):
            with self.assertRaises(ClientError) as cm:
                self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"FerryPushConsumer": bad})
            err = cm.exception.response["Error"]
            self.assertEqual(err["Code"], "InvalidAttributeValue")
            self.assertIn(field, err["Message"])
            self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)

    def test_a_kill_9_while_a_batch_is_in_flight_loses_nothing(self):
        held = threading.Event()

        def answer(records):
            if not held.is_set():
                held.set()
                w.release.wait(30)  # never answered: the server dies first
            return 200, ""
        w = self.worker(answer)
        url = self.queue(w, visibility=2, push={"batchSize": 10, "maximumBatchingWindowSeconds": 1})
        bodies = ["crash %d" % i for i in range(5)]
        for b in bodies:
            self.sqs.send_message(QueueUrl=url, MessageBody=b)
        wait_until(held.is_set, what="a batch in flight")
        self.assertEqual(_server.kill(), -9)
        _server.start()
        w.release.set()
        self.sqs = sqs_client(endpoint_url=_server.endpoint)
        wait_until(lambda: self.stored(url) == 0, timeout=20, what="the queue to empty after restart")
        with w.lock:
            in_flight = [r["body"] for r in w.batches[0]]
            after = [r["body"] for batch in w.batches[1:] for r in batch]
        self.assertTrue(in_flight)
        # Everything comes (back) after the restart, the batch cut short too.
        self.assertEqual(sorted(set(after)), bodies)
        self.assertTrue(set(in_flight) <= set(after))


if __name__ == "__main__":
    unittest.main()
