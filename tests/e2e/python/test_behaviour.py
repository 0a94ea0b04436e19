"""Time-dependent behaviour and message contents: long polling, visibility
expiry, delays, size limits, unicode bodies."""

import threading
import time
import unittest

from ferry_e2e import SqsTestCase, md5_of_body, sqs_client

MIB = 1024 * 1024


class LongPollTest(SqsTestCase):
    def test_woken_by_send(self):
        url = self.new_queue("lpwake")
        result = {}

        def poll():
            client = sqs_client()  # its own connection
            t0 = time.monotonic()
            result["messages"] = client.receive_message(
                QueueUrl=url, WaitTimeSeconds=10).get("Messages", [])
            result["elapsed"] = time.monotonic() - t0

        thread = threading.Thread(target=poll)
        thread.start()
        time.sleep(1.0)
        self.sqs.send_message(QueueUrl=url, MessageBody="wake up")
        thread.join(15)
        self.assertFalse(thread.is_alive(), "long poll never returned")
        self.assertEqual([m["Body"] for m in result["messages"]], ["wake up"])
        self.assertGreaterEqual(result["elapsed"], 0.8)
        self.assertLess(result["elapsed"], 6.0, "long poll was not woken by the send")

    def test_empty_long_poll_waits(self):
        url = self.new_queue("lpempty")
        t0 = time.monotonic()
        res = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)
        elapsed = time.monotonic() - t0
        self.assertEqual(res.get("Messages", []), [])
        self.assertGreaterEqual(elapsed, 1.8)
        self.assertLess(elapsed, 8.0)

    def test_queue_level_wait_time(self):
        url = self.new_queue("lpqueue", attributes={"ReceiveMessageWaitTimeSeconds": "2"})
        t0 = time.monotonic()
        self.assertEqual(self.sqs.receive_message(QueueUrl=url).get("Messages", []), [])
        elapsed = time.monotonic() - t0
        self.assertGreaterEqual(elapsed, 1.8)
        self.assertLess(elapsed, 8.0)
        # An explicit WaitTimeSeconds=0 overrides the queue's setting.
        t0 = time.monotonic()
        self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)
        self.assertLess(time.monotonic() - t0, 1.5)

    def test_message_already_there_returns_at_once(self):
        url = self.new_queue("lpready")
        self.sqs.send_message(QueueUrl=url, MessageBody="ready")
        t0 = time.monotonic()
        msgs = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10).get("Messages", [])
        self.assertEqual(len(msgs), 1)
        self.assertLess(time.monotonic() - t0, 5.0)


class VisibilityTest(SqsTestCase):
    def test_redelivery_after_expiry(self):
        url = self.new_queue("redeliver")
        self.sqs.send_message(QueueUrl=url, MessageBody="again")
        kw = self.system_attribute_kwargs(["ApproximateReceiveCount"])
        first = self.receive(url, VisibilityTimeout=1, **kw)
        self.assertEqual(len(first), 1)
        self.assertEqual(first[0]["Attributes"]["ApproximateReceiveCount"], "1")
        self.assertEqual(self.receive(url), [])
        second = self.receive(url, WaitTimeSeconds=5, VisibilityTimeout=30, **kw)
        self.assertEqual(len(second), 1, "message did not come back after its visibility expired")
        self.assertEqual(second[0]["MessageId"], first[0]["MessageId"])
        self.assertEqual(second[0]["Attributes"]["ApproximateReceiveCount"], "2")
        self.assertNotEqual(second[0]["ReceiptHandle"], first[0]["ReceiptHandle"])
        # The newest handle deletes it.
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=second[0]["ReceiptHandle"])
        self.assertEqual(self.counts(url), (0, 0, 0))

    def test_queue_visibility_timeout(self):
        url = self.new_queue("queuevt", attributes={"VisibilityTimeout": "1"})
        self.sqs.send_message(QueueUrl=url, MessageBody="q")
        self.assertEqual(len(self.receive(url)), 1)
        self.assertEqual(self.receive(url), [])
        self.assertEqual(len(self.receive(url, WaitTimeSeconds=5)), 1)

    def test_extend_visibility(self):
        url = self.new_queue("extend")
        self.sqs.send_message(QueueUrl=url, MessageBody="slow job")
        m = self.receive(url, VisibilityTimeout=1)[0]
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                           VisibilityTimeout=6)
        time.sleep(2.0)
        self.assertEqual(self.receive(url), [], "extended message became visible too early")
        self.assertEqual(self.counts(url), (0, 1, 0))
        self.assertEqual(len(self.receive(url, WaitTimeSeconds=10)), 1)


class DelayTest(SqsTestCase):
    def test_per_message_delay(self):
        url = self.new_queue("msgdelay")
        self.sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=2)
        self.sqs.send_message(QueueUrl=url, MessageBody="now")
        self.assertEqual([m["Body"] for m in self.receive(url, MaxNumberOfMessages=10)], ["now"])
        self.assertEqual(self.counts(url)[2], 1)
        time.sleep(2.5)
        got = self.receive(url, WaitTimeSeconds=3)
        self.assertEqual([m["Body"] for m in got], ["delayed"])

    def test_queue_delay(self):
        url = self.new_queue("qdelay", attributes={"DelaySeconds": "2"})
        self.sqs.send_message(QueueUrl=url, MessageBody="q-delayed")
        self.assertEqual(self.receive(url), [])
        self.assertEqual(self.counts(url), (0, 0, 1))
        time.sleep(2.5)
        self.assertEqual([m["Body"] for m in self.receive(url, WaitTimeSeconds=3)], ["q-delayed"])

    def test_message_delay_overrides_queue_delay(self):
        url = self.new_queue("qdelay0", attributes={"DelaySeconds": "60"})
        self.sqs.send_message(QueueUrl=url, MessageBody="immediate", DelaySeconds=0)
        self.assertEqual([m["Body"] for m in self.receive(url)], ["immediate"])

    def test_long_poll_woken_by_delay_expiry(self):
        url = self.new_queue("lpdelay")
        self.sqs.send_message(QueueUrl=url, MessageBody="soon", DelaySeconds=1)
        t0 = time.monotonic()
        got = self.receive(url, WaitTimeSeconds=10)
        self.assertEqual([m["Body"] for m in got], ["soon"])
        self.assertLess(time.monotonic() - t0, 8.0)


class BodyTest(SqsTestCase):
    def round_trip(self, url, body):
        sent = self.sqs.send_message(QueueUrl=url, MessageBody=body)
        self.assertEqual(sent["MD5OfMessageBody"], md5_of_body(body))
        m = self.receive(url, WaitTimeSeconds=1)[0]
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return m

    def test_one_mib_accepted(self):
        url = self.new_queue("onemib")
        body = ("0123456789abcdef" * (MIB // 16))
        self.assertEqual(len(body), MIB)
        m = self.round_trip(url, body)
        self.assertEqual(len(m["Body"]), MIB)
        self.assertEqual(m["Body"], body)
        self.assertEqual(m["MD5OfBody"], md5_of_body(body))

    def test_one_mib_plus_one_rejected(self):
        url = self.new_queue("toobig")
        self.assertSqsError("InvalidParameterValue", self.raw.send_message,
                            QueueUrl=url, MessageBody="x" * (MIB + 1))
        self.assertEqual(self.counts(url), (0, 0, 0))

    def test_queue_maximum_message_size(self):
        url = self.new_queue("maxsize", attributes={"MaximumMessageSize": "1024"})
        self.sqs.send_message(QueueUrl=url, MessageBody="y" * 1024)
        self.assertSqsError("InvalidParameterValue", self.raw.send_message,
                            QueueUrl=url, MessageBody="y" * 1025)

    def test_multibyte_size_counts_bytes(self):
        url = self.new_queue("mbsize", attributes={"MaximumMessageSize": "1024"})
        # 300 euro signs = 900 bytes: fits; 400 = 1200 bytes: does not.
        self.sqs.send_message(QueueUrl=url, MessageBody="\u20ac" * 300)
        self.assertSqsError("InvalidParameterValue", self.raw.send_message,
                            QueueUrl=url, MessageBody="\u20ac" * 400)

    def test_unicode_and_line_endings_preserved(self):
        url = self.new_queue("unicode")
        bodies = [
            "emoji 🚀🔥 and astral \U0001F600 \U0010FFFF",
            "crlf\r\nline two\r\nbare cr\rbare lf\n",
            "\r",
            "  leading and trailing spaces  ",
            "tab\tseparated\tvalues",
            "xml <tag attr=\"v\">&amp; &lt; ]]> </tag>",
            "json {\"a\": [1, 2, \"\\u00e9\"]}",
            "ümlauts — ñ — 中文 — العربية — \ue000 \ufffd",
            "%41%42 + plus & ampersand = equals",
        ]
        for body in bodies:
            with self.subTest(body=body[:20]):
                m = self.round_trip(url, body)
                self.assertEqual(m["Body"], body)
                self.assertEqual(m["MD5OfBody"], md5_of_body(body))

    def test_unicode_in_batch(self):
        url = self.new_queue("ubatch")
        bodies = {"a": "a\r\nb", "b": "🚀\r", "c": "plain"}
        res = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": k, "MessageBody": v} for k, v in bodies.items()])
        for e in res["Successful"]:
            self.assertEqual(e["MD5OfMessageBody"], md5_of_body(bodies[e["Id"]]))
        got = sorted(m["Body"] for m in self.receive_n(url, 3))
        self.assertEqual(got, sorted(bodies.values()))


if __name__ == "__main__":
    unittest.main()
