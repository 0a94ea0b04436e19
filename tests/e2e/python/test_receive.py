"""ReceiveMessage: counts, system attributes, message-attribute selection."""

import time
import unittest

from ferry_e2e import SqsTestCase, md5_of_attributes, normalise_attributes

FILTER_ATTRIBUTES = {
    "color.primary": {"DataType": "String", "StringValue": "red"},
    "color.secondary": {"DataType": "String", "StringValue": "blue"},
    "colorless": {"DataType": "String", "StringValue": "none"},
    "size": {"DataType": "Number", "StringValue": "42"},
    "thumb": {"DataType": "Binary", "BinaryValue": b"\x89PNG"},
}


class ReceiveCountTest(SqsTestCase):
    def test_max_number_of_messages(self):
        url = self.new_queue("maxn")
        sent = {self.sqs.send_message(QueueUrl=url, MessageBody="m%d" % i)["MessageId"]
                for i in range(5)}
        first = self.receive(url, MaxNumberOfMessages=3, VisibilityTimeout=60)
        self.assertTrue(1 <= len(first) <= 3, len(first))
        rest = self.receive_n(url, 5 - len(first), VisibilityTimeout=60)
        ids = [m["MessageId"] for m in first + rest]
        self.assertEqual(len(ids), len(set(ids)), "a message was delivered twice")
        self.assertEqual(set(ids), sent)
        self.assertEqual(self.counts(url), (0, 5, 0))

    def test_default_is_one_message(self):
        url = self.new_queue("default1")
        for i in range(3):
            self.sqs.send_message(QueueUrl=url, MessageBody="m%d" % i)
        self.assertEqual(len(self.receive(url)), 1)

    def test_empty_queue(self):
        url = self.new_queue("empty")
        res = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)
        self.assertEqual(res.get("Messages", []), [])
        self.assertEqual(res["ResponseMetadata"]["HTTPStatusCode"], 200)

    def test_visibility_timeout_parameter_hides_message(self):
        url = self.new_queue("vtparam")
        self.sqs.send_message(QueueUrl=url, MessageBody="hidden")
        self.assertEqual(len(self.receive(url, VisibilityTimeout=60)), 1)
        self.assertEqual(self.receive(url), [])
        self.assertEqual(self.counts(url), (0, 1, 0))

    def test_message_whose_visibility_expired_comes_before_newer_ones(self):
        url = self.new_queue("redeliver")
        self.sqs.send_message(QueueUrl=url, MessageBody="m1")
        self.sqs.send_message(QueueUrl=url, MessageBody="m2")
        self.assertEqual([m["Body"] for m in self.receive(url, VisibilityTimeout=1)], ["m1"])
        self.sqs.send_message(QueueUrl=url, MessageBody="m3")
        time.sleep(1.5)
        got = self.receive(url, MaxNumberOfMessages=10, VisibilityTimeout=60)
        self.assertEqual([m["Body"] for m in got], ["m1", "m2", "m3"])


class SystemAttributesTest(SqsTestCase):
    def check_all(self, m, sent_at_ms, received_at_ms, count="1"):
        a = m["Attributes"]
        for key in ("ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp",
                    "SentTimestamp", "SenderId"):
            self.assertIn(key, a)
        self.assertEqual(a["ApproximateReceiveCount"], count)
        sent = int(a["SentTimestamp"])
        first = int(a["ApproximateFirstReceiveTimestamp"])
        # Epoch milliseconds.
        self.assertLess(abs(sent - sent_at_ms), 10000, a)
        self.assertLess(abs(first - received_at_ms), 10000, a)
        self.assertLessEqual(sent, first)
        self.assertTrue(a["SenderId"])
        for fifo_only in ("MessageGroupId", "SequenceNumber", "MessageDeduplicationId"):
            self.assertNotIn(fifo_only, a)

    def test_all_via_current_parameter(self):
        url = self.new_queue("sysall")
        sent_at = int(time.time() * 1000)
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        received_at = int(time.time() * 1000)
        m = self.receive(url, VisibilityTimeout=0, **self.system_attribute_kwargs(["All"]))[0]
        self.check_all(m, sent_at, received_at)
        m2 = self.receive(url, VisibilityTimeout=0, **self.system_attribute_kwargs(["All"]))[0]
        self.check_all(m2, sent_at, received_at, count="2")
        # ApproximateFirstReceiveTimestamp stays the first one.
        self.assertEqual(m2["Attributes"]["ApproximateFirstReceiveTimestamp"],
                         m["Attributes"]["ApproximateFirstReceiveTimestamp"])

    def test_all_via_attribute_names(self):
        # AttributeNames is the older (deprecated in JSON) spelling; still honoured.
        url = self.new_queue("sysold")
        sent_at = int(time.time() * 1000)
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        m = self.receive(url, AttributeNames=["All"])[0]
        self.check_all(m, sent_at, int(time.time() * 1000))

    def test_selected_names(self):
        url = self.new_queue("syssel")
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        m = self.receive(url, **self.system_attribute_kwargs(
            ["SentTimestamp", "ApproximateReceiveCount"]))[0]
        self.assertEqual(set(m["Attributes"]), {"SentTimestamp", "ApproximateReceiveCount"})

    def test_none_requested(self):
        url = self.new_queue("sysnone")
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        m = self.receive(url)[0]
        self.assertEqual(m.get("Attributes", {}), {})


class MessageAttributeSelectionTest(SqsTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from ferry_e2e import unique_name
        cls.url = cls.sqs.create_queue(QueueName=unique_name("select"))["QueueUrl"]
        cls.sqs.send_message(QueueUrl=cls.url, MessageBody="attributed",
                             MessageAttributes=FILTER_ATTRIBUTES)

    @classmethod
    def tearDownClass(cls):
        try:
            cls.sqs.delete_queue(QueueUrl=cls.url)
        except Exception:
            pass

    def selected(self, names):
        kwargs = {"VisibilityTimeout": 0, "WaitTimeSeconds": 1}
        if names is not None:
            kwargs["MessageAttributeNames"] = names
        msgs = self.receive(self.url, **kwargs)
        self.assertEqual(len(msgs), 1)
        return msgs[0]

    def check(self, names, expected_names, optional_names=()):
        m = self.selected(names)
        expected = {k: FILTER_ATTRIBUTES[k] for k in expected_names}
        for k in optional_names:
            if k in m.get("MessageAttributes", {}):
                expected[k] = FILTER_ATTRIBUTES[k]
        if not expected:
            self.assertNotIn("MessageAttributes", m)
            self.assertNotIn("MD5OfMessageAttributes", m)
            return
        self.assertEqual(normalise_attributes(m["MessageAttributes"]),
                         normalise_attributes(expected))
        # The digest covers the attributes returned, not all that were sent.
        self.assertEqual(m["MD5OfMessageAttributes"], md5_of_attributes(expected))

    def test_all(self):
        self.check(["All"], FILTER_ATTRIBUTES)

    def test_dot_star(self):
        self.check([".*"], FILTER_ATTRIBUTES)

    def test_star(self):
        self.check(["*"], FILTER_ATTRIBUTES)

    def test_prefix_star(self):
        # "<prefix>.*" takes every name starting with <prefix>, as AWS does.
        self.check(["color.*"], ["color.primary", "color.secondary", "colorless"])
        self.check(["colo.*"], ["color.primary", "color.secondary", "colorless"])
        self.check(["color.p.*"], ["color.primary"])

    def test_exact_names(self):
        self.check(["size", "thumb"], ["size", "thumb"])

    def test_exact_and_prefix_mixed_with_missing(self):
        self.check(["colorless", "color.*", "not-there"],
                   ["colorless", "color.primary", "color.secondary"])

    def test_only_missing_names(self):
        self.check(["not-there"], [])

    def test_not_requested(self):
        self.check(None, [])


if __name__ == "__main__":
    unittest.main()
