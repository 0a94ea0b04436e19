"""The admin API (docs/admin-api.md): Ferry's own actions, AWS JSON 1.0 with
X-Amz-Target: Ferry.<Action>, signed with SigV4 for the service "ferry".

Queues and messages are made with boto3; the admin actions are raw HTTP
requests signed with botocore's SigV4Auth, as the admin CLI and the console
send them. With a credentials file (a server of its own): another account's
queue does not exist for the caller, and a bad signature is refused."""

import http.client
import json
import os
import unittest
import urllib.parse

import ferry_e2e
from ferry_e2e import REGION, SqsTestCase, endpoint, expected_account_id, unique_name
from test_accounts import ALICE, B_ROOT, FILE, A, B, CredentialsServer, signed_client


def admin_call(base_url, action, params=None, key=("test", "test"), service="ferry"):
    """(status, decoded JSON answer, headers) of one admin action."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    body = json.dumps(params or {})
    req = AWSRequest(method="POST", url=base_url + "/", data=body,
                     headers={"Content-Type": "application/x-amz-json-1.0",
                              "X-Amz-Target": "Ferry." + action})
    SigV4Auth(Credentials(key[0], key[1]), service, REGION).add_auth(req)
    host = urllib.parse.urlsplit(base_url).netloc
    conn = http.client.HTTPConnection(host, timeout=30)
    try:
        conn.request("POST", "/", body=body.encode(), headers=dict(req.headers.items()))
        res = conn.getresponse()
        text = res.read().decode("utf-8")
        return res.status, json.loads(text) if text else {}, dict(res.getheaders())
    finally:
        conn.close()


class AdminApiTest(SqsTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if expected_account_id() is None:
            raise unittest.SkipTest("the admin API is Ferry's own")

    def admin(self, action, params=None):
        status, out, _ = admin_call(endpoint(), action, params)
        self.assertEqual(status, 200, out)
        return out

    def stats_of(self, name):
        queues = self.admin("ListQueueStats", {"QueueNamePrefix": name})["Queues"]
        return next(q for q in queues if q["QueueName"] == name)

    def test_list_queue_stats_reports_figures_and_counters(self):
        name = unique_name("stats")
        url = self.new_queue(name=name)
        for body in ("a", "b", "c"):
            self.sqs.send_message(QueueUrl=url, MessageBody=body)
        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2,
                                       VisibilityTimeout=60)["Messages"]
        self.assertEqual(len(got), 2)
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])
        q = self.stats_of(name)
        self.assertEqual(q["QueueUrl"], url)
        self.assertEqual(q["QueueArn"], "arn:aws:sqs:%s:%s:%s" % (REGION, expected_account_id(),
                                                                 name))
        self.assertFalse(q["Fifo"])
        self.assertEqual((q["Visible"], q["InFlight"], q["Delayed"]), (1, 1, 0))
        self.assertEqual((q["Sent"], q["Received"], q["Deleted"]), (3, 2, 1))
        self.assertGreaterEqual(q["SentBytes"], 3)
        self.assertEqual(q["MovedToDeadLetter"], 0)
        self.assertGreaterEqual(q["OldestMessageAgeSeconds"], 0)
        self.assertNotIn("DeadLetterTargetArn", q)

    def test_peek_changes_no_receive_count_and_shows_in_flight_messages(self):
        name = unique_name("peek")
        url = self.new_queue(name=name)
        self.sqs.send_message(QueueUrl=url, MessageBody="first",
                              MessageAttributes={"k": {"DataType": "String",
                                                       "StringValue": "v"}})
        self.sqs.send_message(QueueUrl=url, MessageBody="second")
        for _ in range(3):
            peeked = self.admin("PeekMessages", {"QueueUrl": url})["Messages"]
            self.assertEqual([m["Body"] for m in peeked], ["first", "second"])
        first = peeked[0]
        self.assertEqual(first["State"], "visible")
        self.assertEqual(first["ApproximateReceiveCount"], 0)
        self.assertEqual(first["MD5OfBody"], ferry_e2e.md5_of_body("first"))
        self.assertEqual(first["MessageAttributes"],
                         {"k": {"DataType": "String", "StringValue": "v"}})
        self.assertNotIn("NextSequence", self.admin("PeekMessages", {"QueueUrl": url}))

        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                       AttributeNames=["ApproximateReceiveCount"],
                                       VisibilityTimeout=60)["Messages"]
        self.assertEqual(len(got), 2)
        for m in got:
            self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "1",
                             "peeks are not receives")
        peeked = self.admin("PeekMessages", {"QueueUrl": url})["Messages"]
        self.assertEqual([m["State"] for m in peeked], ["inflight", "inflight"])
        self.assertEqual([m["ApproximateReceiveCount"] for m in peeked], [1, 1])
        self.assertEqual(self.admin("PeekMessages", {"QueueUrl": url,
                                                     "IncludeInFlight": False})["Messages"], [])
        # The receive's handles are still current: they delete.
        for m in got:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.assertEqual(self.admin("PeekMessages", {"QueueUrl": url})["Messages"], [])

    def test_peek_pages_by_sequence(self):
        url = self.new_queue("pages")
        for i in range(5):
            self.sqs.send_message(QueueUrl=url, MessageBody="m%d" % i)
        seen, start = [], "0"
        for _ in range(5):
            out = self.admin("PeekMessages", {"QueueUrl": url, "MaxNumberOfMessages": 2,
                                              "StartAfterSequence": start})
            seen += [m["Body"] for m in out["Messages"]]
            if "NextSequence" not in out:
                break
            start = out["NextSequence"]
        self.assertEqual(seen, ["m0", "m1", "m2", "m3", "m4"])

    def test_bad_parameters_and_unknown_queues_are_refused(self):
        url = self.new_queue("bad")
        status, out, headers = admin_call(endpoint(), "PeekMessages",
                                          {"QueueUrl": url, "MaxNumberOfMessages": 101})
        self.assertEqual(status, 400)
        self.assertEqual(out["__type"], "InvalidParameterValueException")
        status, out, _ = admin_call(endpoint(), "PeekMessages",
                                    {"QueueUrl": url + "-none"})
        self.assertEqual((status, out["__type"]), (400, "QueueDoesNotExist"))
        status, out, _ = admin_call(endpoint(), "NoSuchAction")
        self.assertEqual(status, 400)

    def test_queue_history_answers_samples_every_ten_seconds(self):
        url = self.new_queue("history")
        out = self.admin("GetQueueHistory", {"QueueUrl": url})
        self.assertEqual(out["IntervalSeconds"], 10)
        self.assertIsInstance(out["Samples"], list)
        for s in out["Samples"]:
            self.assertEqual(set(s), {"Timestamp", "Visible", "InFlight", "Delayed",
                                      "OldestMessageAgeSeconds", "Sent", "Received", "Deleted"})

    def test_server_status_counts_the_callers_queues_and_messages(self):
        before = self.admin("GetServerStatus")
        url = self.new_queue("status")
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        after = self.admin("GetServerStatus")
        self.assertTrue(after["Ready"])
        self.assertEqual(after["Mode"], "open")
        self.assertEqual(after["Engine"], ferry_e2e.ENGINE)
        self.assertEqual(after["AccountId"], expected_account_id())
        self.assertEqual(after["Region"], REGION)
        self.assertFalse(after["InMemory"])
        self.assertTrue(after["Version"])
        self.assertEqual(after["Queues"], before["Queues"] + 1)
        self.assertEqual(after["Visible"], before["Visible"] + 1)
        for key in ("UptimeSeconds", "Topics", "Subscriptions", "InFlight", "Delayed"):
            self.assertGreaterEqual(after[key], 0, key)


class AdminApiAccountsTest(unittest.TestCase):
    """A server with a credentials file: accounts and signatures."""

    @classmethod
    def setUpClass(cls):
        cls.ferry = CredentialsServer(FILE)

    @classmethod
    def tearDownClass(cls):
        problem = cls.ferry.stop()
        if problem:
            raise AssertionError(problem)

    def test_another_accounts_queue_does_not_exist_for_the_caller(self):
        sqs = signed_client("sqs", self.ferry, ALICE)
        name = unique_name("mine")
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        self.addCleanup(lambda: sqs.delete_queue(QueueUrl=url))
        sqs.send_message(QueueUrl=url, MessageBody="private")

        status, out, _ = admin_call(self.ferry.endpoint, "PeekMessages", {"QueueUrl": url},
                                    key=ALICE)
        self.assertEqual(status, 200, out)
        self.assertEqual([m["Body"] for m in out["Messages"]], ["private"])

        status, out, _ = admin_call(self.ferry.endpoint, "PeekMessages", {"QueueUrl": url},
                                    key=B_ROOT)
        self.assertEqual((status, out["__type"]), (400, "QueueDoesNotExist"))
        status, out, _ = admin_call(self.ferry.endpoint, "ListQueueStats",
                                    {"QueueNamePrefix": name}, key=B_ROOT)
        self.assertEqual((status, out["Queues"]), (200, []))
        status, out, _ = admin_call(self.ferry.endpoint, "ListQueueStats",
                                    {"QueueNamePrefix": name}, key=ALICE)
        self.assertEqual([q["QueueName"] for q in out["Queues"]], [name])

        status, status_a, _ = admin_call(self.ferry.endpoint, "GetServerStatus", key=ALICE)
        self.assertEqual((status, status_a["AccountId"], status_a["Mode"]),
                         (200, A, "authenticated"))
        _, status_b, _ = admin_call(self.ferry.endpoint, "GetServerStatus", key=B_ROOT)
        self.assertEqual(status_b["AccountId"], B)

    def test_a_bad_signature_is_refused(self):
        status, out, _ = admin_call(self.ferry.endpoint, "GetServerStatus",
                                    key=(ALICE[0], "wrong-secret"))
        self.assertEqual(status, 403)
        self.assertEqual(out["__type"], "SignatureDoesNotMatch")
        status, out, _ = admin_call(self.ferry.endpoint, "GetServerStatus",
                                    key=("AKIAE2EUNKNOWN000009", "x"))
        self.assertEqual(status, 403)

    def test_a_signature_for_another_service_is_refused(self):
        status, _, _ = admin_call(self.ferry.endpoint, "GetServerStatus", key=ALICE,
                                  service="sqs")
        self.assertEqual(status, 403)


if __name__ == "__main__":
    unittest.main()
