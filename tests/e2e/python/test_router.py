"""The HTTP router in front of the AWS gateway: /health beside SQS on one port.

GET and HEAD /health answer 200 {"status":"ok"}; other methods 405 with
Allow. Every request that names an AWS operation stays the gateway's, on
/health too, and AWS requests on "/" and on queue URL paths are answered as
before. The /health checks are Ferry's own: against a peer they are skipped.
"""

import http.client
import json
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

from ferry_e2e import SqsTestCase, endpoint, expected_account_id, managed_server
from test_raw_http import FORM_CT, JSON_CT, header, signed_request

QUERY_VERSION = "Version=2012-11-05"


def connect():
    url = urllib.parse.urlsplit(endpoint())
    return http.client.HTTPConnection(url.hostname, url.port, timeout=30)


def exchange(conn, method, path, body=None, headers=None):
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()


class RouterTest(SqsTestCase):

    def setUp(self):
        super().setUp()
        if managed_server() is None:
            self.skipTest("/health is Ferry's own; the endpoint under test is a peer")

    def test_get_health_is_ok_as_json(self):
        conn = connect()
        self.addCleanup(conn.close)
        for path in ("/health", "/health?verbose=1"):
            with self.subTest(path):
                status, headers, body = exchange(conn, "GET", path)
                self.assertEqual(status, 200, body)
                self.assertEqual(headers.get("content-type"), "application/json")
                self.assertEqual(json.loads(body), {"status": "ok"})

    def test_head_health_has_the_get_head_and_no_body(self):
        conn = connect()
        self.addCleanup(conn.close)
        status, get_headers, get_body = exchange(conn, "GET", "/health")
        self.assertEqual(status, 200)
        status, headers, body = exchange(conn, "HEAD", "/health")
        self.assertEqual(status, 200)
        self.assertEqual(body, b"")
        self.assertEqual(headers.get("content-length"), str(len(get_body)))
        self.assertEqual(headers.get("content-type"), "application/json")
        # The connection is still in step: the next answer is read whole.
        status, _, body = exchange(conn, "GET", "/health")
        self.assertEqual((status, json.loads(body)), (200, {"status": "ok"}))

    def test_other_methods_on_health_get_405_with_allow(self):
        conn = connect()
        self.addCleanup(conn.close)
        for method in ("POST", "PUT", "DELETE"):
            with self.subTest(method):
                status, headers, _ = exchange(conn, method, "/health", body=b"")
                self.assertEqual(status, 405)
                self.assertEqual(headers.get("allow"), "GET, HEAD")

    def test_query_requests_to_health_stay_the_gateways(self):
        url = self.new_queue("router")
        name = url.rsplit("/", 1)[1]
        # GetQueueUrl reads its queue from the parameters, whatever the path.
        for method, path, body in (
                ("GET", "/health?Action=GetQueueUrl&QueueName=%s&%s" % (name, QUERY_VERSION), b""),
                ("POST", "/health",
                 ("Action=GetQueueUrl&QueueName=%s&%s" % (name, QUERY_VERSION)).encode())):
            with self.subTest(method):
                headers = {"Content-Type": FORM_CT} if body else {}
                status, _, answer = signed_request(method, path, body or None, headers)
                self.assertEqual(status, 200, answer)
                root = ET.fromstring(answer)
                self.assertTrue(root.tag.endswith("GetQueueUrlResponse"), answer)
                self.assertIn(url.encode(), answer)
        # ListQueues is refused on any path but "/", as before.
        status, headers, answer = signed_request(
            "GET", "/health?Action=ListQueues&" + QUERY_VERSION, None, {})
        self.assertEqual(status, 400, answer)
        self.assertIn("xml", (header(headers, "Content-Type") or "").lower())
        self.assertIn(b"InvalidAction", answer)

    def test_json_requests_to_health_stay_the_gateways(self):
        url = self.new_queue("router")
        name = url.rsplit("/", 1)[1]
        status, headers, answer = signed_request(
            "POST", "/health", json.dumps({"QueueName": name}).encode(),
            {"Content-Type": JSON_CT, "X-Amz-Target": "AmazonSQS.GetQueueUrl"})
        self.assertEqual(status, 200, answer)
        self.assertEqual(json.loads(answer), {"QueueUrl": url})

    def test_aws_requests_on_the_same_port_still_work(self):
        url = self.new_queue("router")
        self.sqs.send_message(QueueUrl=url, MessageBody="beside health")
        got = self.receive_n(url, 1)
        self.assertEqual([m["Body"] for m in got], ["beside health"])
        self.assertIn(url, self.sqs.list_queues(QueueNamePrefix=url.rsplit("/", 1)[1])
                      .get("QueueUrls", []))

    def test_query_request_to_a_queue_url_path(self):
        url = self.new_queue("router")
        path = urllib.parse.urlsplit(url).path
        account = expected_account_id()
        if account:
            self.assertEqual(path.split("/")[1], account)
        status, _, answer = signed_request(
            "POST", path, ("Action=SendMessage&MessageBody=by+path&" + QUERY_VERSION).encode(),
            {"Content-Type": FORM_CT})
        self.assertEqual(status, 200, answer)
        self.assertIn(b"SendMessageResponse", answer)
        status, _, answer = signed_request(
            "GET", path + "?Action=GetQueueAttributes&AttributeName.1=All&" + QUERY_VERSION,
            None, {})
        self.assertEqual(status, 200, answer)
        got = self.receive_n(url, 1)
        self.assertEqual([m["Body"] for m in got], ["by path"])


if __name__ == "__main__":
    unittest.main()
