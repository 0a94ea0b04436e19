"""Scheduled delivery and cancel (docs/extensions/schedule.md), in real time
with short delays: a queue opts in with FerryScheduledDelivery, messages are
scheduled with DelaySeconds beyond 900, Ferry.DelaySeconds or Ferry.DeliverAt
from an unmodified boto3, and a scheduled message is cancelled through the
admin API (Ferry.CancelMessage) and `ferry cancel`. A server of its own is
killed (SIGKILL) after a schedule and a cancel and restarted on the same data
dir: the scheduled message still fires, the cancelled one never does."""

import datetime
import os
import threading
import time
import unittest

import ferry_e2e
from ferry_e2e import FerryServer, SqsTestCase, endpoint, expected_account_id, unique_name
from test_admin_api import admin_call
from test_admin_cli import run_ferry

FERRY_BIN = os.environ.get("FERRY_BIN")


def attribute(name, data_type, value):
    return {name: {"DataType": data_type, "StringValue": str(value)}}


class SchedulingTest(SqsTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if expected_account_id() is None:
            raise unittest.SkipTest("scheduled delivery is Ferry's own")

    def opted_in(self, **attributes):
        attrs = {"FerryScheduledDelivery": "true"}
        attrs.update(attributes)
        return self.new_queue("sched", attributes=attrs)

    def delayed(self, url):
        return self.attrs(url, "ApproximateNumberOfMessagesDelayed")["ApproximateNumberOfMessagesDelayed"]

    def bodies_now(self, url):
        out = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                       WaitTimeSeconds=0, MessageAttributeNames=["All"])
        return sorted(m["Body"] for m in out.get("Messages", []))

    def wait_for(self, url, want, timeout=8.0):
        got = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(got) < want:
            out = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            got.extend(m["Body"] for m in out.get("Messages", []))
        return sorted(got)

    def test_the_attribute_is_returned_by_name_and_under_all_only_when_true(self):
        url = self.new_queue("plain")
        self.assertNotIn("FerryScheduledDelivery", self.attrs(url, "All"))
        self.assertEqual(self.attrs(url, "FerryScheduledDelivery")["FerryScheduledDelivery"], "false")
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"FerryScheduledDelivery": "true"})
        self.assertEqual(self.attrs(url, "All")["FerryScheduledDelivery"], "true")

    def test_a_fifo_queue_cannot_opt_in(self):
        self.assertSqsError("InvalidAttributeValue", self.sqs.create_queue,
                            QueueName=unique_name("sched") + ".fifo",
                            Attributes={"FifoQueue": "true", "FerryScheduledDelivery": "true"})

    def test_ferry_delay_seconds_and_deliver_at_arrive_on_time_not_before(self):
        url = self.opted_in()
        sent = time.time()
        self.sqs.send_message(QueueUrl=url, MessageBody="by-delay",
                              MessageAttributes=attribute("Ferry.DelaySeconds", "Number", 2))
        at = datetime.datetime.fromtimestamp(int(sent) + 3, datetime.timezone.utc)
        self.sqs.send_message(QueueUrl=url, MessageBody="by-time",
                              MessageAttributes=attribute("Ferry.DeliverAt", "String",
                                                          at.strftime("%Y-%m-%dT%H:%M:%SZ")))
        self.sqs.send_message(QueueUrl=url, MessageBody="by-epoch",
                              MessageAttributes=attribute("Ferry.DeliverAt", "Number", int(sent) + 3))
        self.assertEqual(self.bodies_now(url), [])
        got = self.wait_for(url, 3)
        self.assertEqual(got, ["by-delay", "by-epoch", "by-time"])
        self.assertGreaterEqual(time.time() - sent, 1.9)

    def test_delay_seconds_beyond_900_is_taken_on_an_opted_in_queue(self):
        url = self.opted_in()
        self.sqs.send_message(QueueUrl=url, MessageBody="in-an-hour", DelaySeconds=3600)
        self.assertEqual(self.delayed(url), "1")
        plain = self.new_queue("plain")
        self.assertSqsError("InvalidParameterValue", self.sqs.send_message,
                            QueueUrl=plain, MessageBody="x", DelaySeconds=3600)

    def test_refusals_name_the_problem(self):
        plain = self.new_queue("plain")
        self.assertSqsError("InvalidParameterValue", self.sqs.send_message, QueueUrl=plain,
                            MessageBody="x",
                            MessageAttributes=attribute("Ferry.DelaySeconds", "Number", 5))
        url = self.opted_in(MessageRetentionPeriod="120")
        for attrs in (attribute("Ferry.DelaySeconds", "Number", 121),
                      attribute("Ferry.DeliverAt", "Number", int(time.time()) + 3600),
                      attribute("Ferry.DeliverAt", "String", "tomorrow")):
            with self.subTest(attrs=attrs):
                self.assertSqsError("InvalidParameterValue", self.sqs.send_message, QueueUrl=url,
                                    MessageBody="x", MessageAttributes=attrs)
        # Up to 900 is SQS's own rule, whatever the retention; beyond, the retention bounds it.
        self.sqs.send_message(QueueUrl=url, MessageBody="x", DelaySeconds=121)
        self.assertSqsError("InvalidParameterValue", self.sqs.send_message, QueueUrl=url,
                            MessageBody="x", DelaySeconds=1000)

    def test_a_message_cancelled_through_the_admin_api_never_arrives(self):
        url = self.opted_in()
        cancel = self.sqs.send_message(QueueUrl=url, MessageBody="cancel-me",
                                       MessageAttributes=attribute("Ferry.DelaySeconds", "Number", 2))
        self.sqs.send_message(QueueUrl=url, MessageBody="keep-me",
                              MessageAttributes=attribute("Ferry.DelaySeconds", "Number", 2))
        status, out, _ = admin_call(endpoint(), "CancelMessage",
                                    {"QueueUrl": url, "MessageId": cancel["MessageId"]})
        self.assertEqual((status, out), (200, {"Cancelled": True}))
        self.assertEqual(self.wait_for(url, 2, timeout=5), ["keep-me"])
        status, out, _ = admin_call(endpoint(), "CancelMessage",
                                    {"QueueUrl": url, "MessageId": cancel["MessageId"]})
        self.assertEqual(out, {"Cancelled": False, "Reason": "NotFound"})
        visible = self.sqs.send_message(QueueUrl=url, MessageBody="now")
        status, out, _ = admin_call(endpoint(), "CancelMessage",
                                    {"QueueUrl": url, "MessageId": visible["MessageId"]})
        self.assertEqual(out, {"Cancelled": False, "Reason": "AlreadyVisible"})
        status, out, _ = admin_call(endpoint(), "CancelMessage",
                                    {"QueueUrl": url, "MessageId": "nope"})
        self.assertEqual(status, 400)
        self.assertTrue(out.get("__type", "").split("#")[-1].startswith("InvalidParameterValue"), out)

    @unittest.skipUnless(FERRY_BIN, "needs FERRY_BIN for the CLI")
    def test_ferry_cancel_cancels_and_exits_three_when_it_cannot(self):
        # A queue's own DelaySeconds: cancel works on any delayed message.
        url = self.new_queue("delay", attributes={"DelaySeconds": "60"})
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="x")
        done = run_ferry(endpoint(), "cancel", url, sent["MessageId"])
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("cancelled", done.stdout)
        again = run_ferry(endpoint(), "cancel", url, sent["MessageId"], "--json")
        self.assertEqual(again.returncode, 3, again.stderr)
        self.assertIn("NotFound", again.stderr)
        self.assertIn('"Cancelled":false', again.stdout.replace(" ", ""))
        self.assertEqual(self.delayed(url), "0")


@unittest.skipUnless(FERRY_BIN and not os.environ.get("FERRY_ENDPOINT"),
                     "needs FERRY_BIN and a server of its own to kill")
class SchedulingCrashTest(unittest.TestCase):
    def test_after_kill_9_the_scheduled_message_fires_and_the_cancelled_one_never(self):
        server = FerryServer(FERRY_BIN)
        started = threading.Event()
        # Started from this thread, which outlives the server.
        server.start()
        started.set()
        try:
            sqs = ferry_e2e.sqs_client(endpoint_url=server.endpoint)
            url = sqs.create_queue(QueueName=unique_name("sched-crash"),
                                   Attributes={"FerryScheduledDelivery": "true"})["QueueUrl"]
            keep = sqs.send_message(QueueUrl=url, MessageBody="keep",
                                    MessageAttributes=attribute("Ferry.DelaySeconds", "Number", 3))
            gone = sqs.send_message(QueueUrl=url, MessageBody="gone",
                                    MessageAttributes=attribute("Ferry.DelaySeconds", "Number", 3))
            status, out, _ = admin_call(server.endpoint, "CancelMessage",
                                        {"QueueUrl": url, "MessageId": gone["MessageId"]})
            self.assertEqual((status, out), (200, {"Cancelled": True}))
            self.assertEqual(server.kill(), -9)
            server.start()
            sqs = ferry_e2e.sqs_client(endpoint_url=server.endpoint)
            url = sqs.get_queue_url(QueueName=url.rsplit("/", 1)[1])["QueueUrl"]
            got = []
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                out = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
                got.extend((m["MessageId"], m["Body"]) for m in out.get("Messages", []))
                if got and time.monotonic() > deadline - 5:
                    break
            self.assertEqual(got, [(keep["MessageId"], "keep")])
        finally:
            problem = server.stop()
            self.assertIsNone(problem)


if __name__ == "__main__":
    unittest.main()
