"""Peek and browse (docs/admin-api.md, PeekMessages; docs/extensions/browse.md):
a queue's messages read without receiving them, filtered on message
attributes and the body, by state, in its dead-letter queue, and paged.

Messages are made with boto3 (either SQS protocol); PeekMessages is the admin
service's, signed as the console and the CLI sign it. Afterwards nothing has
changed: receive counts and visibility are those the clients left."""

import base64
import unittest

from ferry_e2e import SqsTestCase, endpoint, expected_account_id
from test_admin_api import admin_call


def string(value):
    return {"DataType": "String", "StringValue": value}


def number(value):
    return {"DataType": "Number", "StringValue": value}


class BrowseTest(SqsTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if expected_account_id() is None:
            raise unittest.SkipTest("the admin API is Ferry's own")

    def peek(self, url, **params):
        status, out, _ = admin_call(endpoint(), "PeekMessages", dict(QueueUrl=url, **params))
        self.assertEqual(status, 200, out)
        return out

    def peek_error(self, url, **params):
        status, out, headers = admin_call(endpoint(), "PeekMessages",
                                          dict(QueueUrl=url, **params))
        self.assertEqual(status, 400, out)
        return out["__type"], out["message"]

    def bodies(self, url, **params):
        return [m["Body"] for m in self.peek(url, MaxNumberOfMessages=100, **params)["Messages"]]

    def peek_all(self, url, **params):
        """Every message, page after page; and the number of calls it took."""
        seen, start, calls = [], None, 0
        while True:
            extra = dict(params)
            if start is not None:
                extra["StartAfterSequence"] = start
            out = self.peek(url, **extra)
            calls += 1
            seen.extend(out["Messages"])
            start = out.get("NextSequence")
            if start is None:
                return seen, calls
            self.assertLess(calls, 1000, "paging must end")

    def send(self, url, body, attributes=None, **kwargs):
        if attributes:
            kwargs["MessageAttributes"] = attributes
        self.sqs.send_message(QueueUrl=url, MessageBody=body, **kwargs)

    def test_filters_on_string_number_and_binary_attributes_and_the_body(self):
        url = self.new_queue("browse-filter")
        self.send(url, "red one", {"color": string("red"), "n": number("7")})
        self.send(url, "red two", {"color": string("red-ish"), "n": number("7.50")})
        self.send(url, "blue", {"color": string("blue"),
                                "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}})
        self.send(url, "plain")
        self.assertEqual(self.bodies(url, MessageAttributeFilter={"color": "red"}), ["red one"])
        self.assertEqual(self.bodies(url, MessageAttributeFilter={"color": {"Prefix": "red"}}),
                         ["red one", "red two"])
        self.assertEqual(self.bodies(url, MessageAttributeFilter={"n": "7.0"}), ["red one"])
        self.assertEqual(self.bodies(url, MessageAttributeFilter={"n": "75e-1"}), ["red two"])
        self.assertEqual(self.bodies(url, MessageAttributeFilter={"color": {"Exists": False}}),
                         ["plain"])
        self.assertEqual(self.bodies(url, MessageAttributeFilter={"blob": {"Exists": True}}),
                         ["blue"])
        # A Binary attribute matches Exists only, never a value.
        self.assertEqual(self.bodies(url, MessageAttributeFilter={
            "blob": base64.b64encode(b"\x00\x01").decode()}), [])
        self.assertEqual(self.bodies(url, MessageAttributeFilter={"color": {"Prefix": "red"},
                                                                  "n": "7"}), ["red one"])
        self.assertEqual(self.bodies(url, BodyContains="d t"), ["red two"])

    def test_a_malformed_filter_is_invalid_parameter_value(self):
        url = self.new_queue("browse-bad")
        for bad in ({"MessageAttributeFilter": {"a": 7}},
                    {"MessageAttributeFilter": {"a": {"Like": "x"}}},
                    {"MessageAttributeFilter": {"k%d" % i: "v" for i in range(11)}},
                    {"BodyContains": ""},
                    {"States": ["visible", "nope"]},
                    {"States": []}):
            kind, message = self.peek_error(url, **bad)
            self.assertEqual(kind, "InvalidParameterValueException", (bad, message))

    def test_states_choose_visible_inflight_and_delayed(self):
        url = self.new_queue("browse-states")
        self.send(url, "taken")
        self.assertEqual(len(self.receive(url, VisibilityTimeout=120)), 1)
        self.send(url, "waiting")
        self.send(url, "later", DelaySeconds=120)
        self.assertEqual(self.bodies(url, States=["inflight"]), ["taken"])
        self.assertEqual(self.bodies(url, States=["delayed", "visible"]), ["waiting", "later"])
        self.assertEqual(self.bodies(url), ["taken", "waiting", "later"])
        self.assertEqual(self.bodies(url, IncludeInFlight=False, IncludeDelayed=False),
                         ["waiting"])

    def test_browses_the_dead_letter_queue_of_a_redrive_policy(self):
        dlq = self.new_queue("browse-dlq")
        dlq_arn = self.attrs(dlq, "QueueArn")["QueueArn"]
        src = self.new_queue("browse-src", attributes={
            "RedrivePolicy": '{"deadLetterTargetArn":"%s","maxReceiveCount":"1"}' % dlq_arn})
        self.send(src, "poison", {"kind": string("bad")})
        self.send(src, "fine", {"kind": string("good")})
        self.assertEqual(len(self.receive(src, MaxNumberOfMessages=10, VisibilityTimeout=0)), 2)
        # The next receive moves both to the dead-letter queue.
        self.assertEqual(self.receive(src, MaxNumberOfMessages=10), [])
        out = self.peek(src, DeadLetterQueue=True, MessageAttributeFilter={"kind": "bad"})
        self.assertEqual(out["QueueUrl"], dlq)
        self.assertEqual([m["Body"] for m in out["Messages"]], ["poison"])
        src_arn = self.attrs(src, "QueueArn")["QueueArn"]
        self.assertEqual(out["Messages"][0]["DeadLetterQueueSourceArn"], src_arn)
        self.assertEqual(self.peek(src)["QueueUrl"], src)
        kind, message = self.peek_error(dlq, DeadLetterQueue=True)
        self.assertEqual(kind, "InvalidParameterValueException")
        self.assertIn("no dead-letter queue", message)

    def test_pages_through_250_messages_with_a_sparse_filter_and_changes_nothing(self):
        url = self.new_queue("browse-pages")
        for start in range(0, 250, 10):
            self.sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "MessageBody": "m%d" % i,
                 "MessageAttributes": {"i": number(str(i)),
                                       "seventh": string("yes" if i % 7 == 0 else "no")}}
                for i in range(start, start + 10)])
        taken = self.receive(url, MaxNumberOfMessages=10, VisibilityTimeout=300)
        self.assertEqual(len(taken), 10)
        before = self.counts(url)

        found, calls = self.peek_all(url, MaxNumberOfMessages=5,
                                     MessageAttributeFilter={"seventh": "yes"})
        self.assertEqual([m["Body"] for m in found], ["m%d" % i for i in range(0, 250, 7)])
        self.assertGreaterEqual(calls, 36 // 5)
        for m in found:
            self.assertEqual(m["MessageAttributes"]["seventh"]["StringValue"], "yes")
        everything, _ = self.peek_all(url, MaxNumberOfMessages=100)
        self.assertEqual(len(everything), 250)
        self.assertEqual(len({m["SequenceNumber"] for m in everything}), 250)
        self.assertEqual(sum(m["State"] == "inflight" for m in everything), 10)

        # Nothing changed: the same counts, the received messages still in
        # flight with one receive, the others never received.
        self.assertEqual(self.counts(url), before)
        self.assertEqual(before, (240, 10, 0))
        for m in everything:
            self.assertEqual(m["ApproximateReceiveCount"], 1 if m["State"] == "inflight" else 0)
        for m in taken:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.assertEqual(self.counts(url), (240, 0, 0), "the receipt handles were still current")
        got = self.receive(url, MaxNumberOfMessages=1, AttributeNames=["ApproximateReceiveCount"])
        self.assertEqual(got[0]["Attributes"]["ApproximateReceiveCount"], "1")


if __name__ == "__main__":
    unittest.main()
