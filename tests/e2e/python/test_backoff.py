"""Redelivery backoff (the queue attribute FerryRedeliveryBackoff).

Set, get and remove the attribute; its validation errors; and real timing
with small numbers: with VisibilityTimeout 1 and a linear backoff of base 1 a
message received and not deleted reappears after ~1 s, ~2 s, ~3 s, its
ApproximateReceiveCount counting up, and maxReceiveCount still moves it to
the dead-letter queue. Sleeps ~10 s, so ctest runs it on its own
(e2e_backoff).
"""

import json
import time
import unittest

from ferry_e2e import SqsTestCase

NAME = "FerryRedeliveryBackoff"
INVALID = "Invalid value for the parameter FerryRedeliveryBackoff. Reason: "

# A receive whose answer came before the expected time must not return the
# message (EARLY covers the rounding of times to milliseconds); one asked
# more than SLACK after it must. Generous on the late side, so that a loaded
# machine does not fail the test.
EARLY = 0.1
SLACK = 2.5
POLL = 0.05


class BackoffAttributeTest(SqsTestCase):
    def test_set_get_and_remove(self):
        url = self.new_queue("backoff-attr")
        self.assertNotIn(NAME, self.attrs(url))  # not under All while unset
        self.assertEqual(self.attrs(url, NAME).get(NAME, ""), "")

        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={
            NAME: json.dumps({"baseSeconds": 5, "function": "exponential", "jitter": "full"})})
        canonical = ('{"function":"exponential","baseSeconds":5,"maxSeconds":43200,'
                     '"jitter":"full"}')
        self.assertEqual(self.attrs(url)[NAME], canonical)
        self.assertEqual(self.attrs(url, NAME)[NAME], canonical)
        # Plain attributes are unchanged beside it.
        self.assertEqual(self.attrs(url)["VisibilityTimeout"], "30")

        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={NAME: ""})
        self.assertNotIn(NAME, self.attrs(url))

    def test_create_fifo_queue_with_it(self):
        value = json.dumps({"function": "linear", "baseSeconds": 2, "maxSeconds": 60})
        url = self.new_queue("backoff.fifo"[-80:], attributes={"FifoQueue": "true", NAME: value})
        self.assertEqual(json.loads(self.attrs(url, NAME)[NAME]),
                         {"function": "linear", "baseSeconds": 2, "maxSeconds": 60,
                          "jitter": "none"})
        # The same backoff written another way is the same queue.
        again = self.sqs.create_queue(QueueName=url.rsplit("/", 1)[1], Attributes={
            "FifoQueue": "true",
            NAME: '{"maxSeconds": 60, "baseSeconds": 2, "function": "linear", "jitter": "none"}'})
        self.assertEqual(again["QueueUrl"], url)

    def test_invalid_documents(self):
        url = self.new_queue("backoff-bad")
        cases = [
            ("linear", "the value is not a JSON object."),
            ("{}", "function is required: exponential or linear."),
            ('{"function":"steady","baseSeconds":1}', "function must be exponential or linear."),
            ('{"function":"linear"}',
             "baseSeconds is required; baseSeconds must be an integer from 1 to 43200."),
            ('{"function":"linear","baseSeconds":0}',
             "baseSeconds must be an integer from 1 to 43200."),
            ('{"function":"linear","baseSeconds":10,"maxSeconds":5}',
             "maxSeconds must be an integer from baseSeconds (10) to 43200."),
            ('{"function":"linear","baseSeconds":10,"maxSeconds":43201}',
             "maxSeconds must be an integer from baseSeconds (10) to 43200."),
            ('{"function":"linear","baseSeconds":1,"jitter":"some"}',
             "jitter must be none, full or equal."),
            ('{"function":"linear","baseSeconds":1,"retries":3}',
             "unknown field retries; the fields are function, baseSeconds, maxSeconds and "
             "jitter."),
        ]
        for value, reason in cases:
            with self.subTest(value=value):
                err = self.assertSqsError("InvalidAttributeValue", self.sqs.set_queue_attributes,
                                          QueueUrl=url, Attributes={NAME: value},
                                          shape="InvalidAttributeValue")
                self.assertEqual(err.response["Error"]["Message"], INVALID + reason)
        self.assertNotIn(NAME, self.attrs(url))


class BackoffTimingTest(SqsTestCase):
    def receive_counted(self, url, **kwargs):
        """One short receive: (message or None, monotonic time before, after)."""
        kwargs.update(self.system_attribute_kwargs(["ApproximateReceiveCount"]))
        before = time.monotonic()
        got = self.receive(url, **kwargs)
        after = time.monotonic()
        return (got[0] if got else None), before, after

    def wait_for(self, url, expected, hidden_before, hidden_after, **kwargs):
        """Polls until the message reappears and receives it; checks that it
        does so `expected` seconds after the receive that hid it, which the
        server made between hidden_before and hidden_after."""
        while True:
            m, before, after = self.receive_counted(url, **kwargs)
            if m is not None:
                self.assertGreaterEqual(
                    after - hidden_before, expected - EARLY,
                    "back %.2f s after the receive, expected %s s"
                    % (after - hidden_before, expected))
                return m, before, after
            self.assertLess(before - hidden_after, expected + SLACK,
                            "not back %.2f s after the receive, expected %s s"
                            % (before - hidden_after, expected))
            time.sleep(POLL)

    def test_linear_backoff_then_dead_letter(self):
        dlq = self.new_queue("backoff-dlq")
        dlq_arn = self.attrs(dlq, "QueueArn")["QueueArn"]
        url = self.new_queue("backoff-linear", attributes={
            "VisibilityTimeout": "1",
            NAME: json.dumps({"function": "linear", "baseSeconds": 1, "maxSeconds": 10}),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn,
                                         "maxReceiveCount": 3}),
        })
        self.sqs.send_message(QueueUrl=url, MessageBody="keeps failing")
        m, before, after = self.receive_counted(url)
        self.assertIsNotNone(m)
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "1")
        # Hidden 1 s, then 1 + 1 s, then 1 + 2 s.
        for count, expected in [(2, 1), (3, 2)]:
            m, before, after = self.wait_for(url, expected, before, after)
            self.assertEqual(m["Body"], "keeps failing")
            self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], str(count))

        # The fourth receive, ~3 s later, moves it to the DLQ instead.
        hidden_before, hidden_after = before, after
        while True:
            self.assertIsNone(self.receive_counted(url)[0], "returned a fourth time")
            moved, _, moved_after = self.receive_counted(dlq)
            if moved is not None:
                break
            self.assertLess(time.monotonic() - hidden_after, 3 + SLACK,
                            "not dead-lettered after ~3 s")
            time.sleep(POLL)
        self.assertGreaterEqual(moved_after - hidden_before, 3 - EARLY, "dead-lettered early")
        self.assertEqual(moved["Body"], "keeps failing")
        self.assertEqual(moved["Attributes"]["ApproximateReceiveCount"], "4")

    def test_explicit_visibility_timeout_plus_backoff(self):
        url = self.new_queue("backoff-explicit", attributes={
            "VisibilityTimeout": "30",
            NAME: json.dumps({"function": "exponential", "baseSeconds": 1, "maxSeconds": 1}),
        })
        self.sqs.send_message(QueueUrl=url, MessageBody="m")
        m, before, after = self.receive_counted(url, VisibilityTimeout=0)
        self.assertIsNotNone(m)
        # The first receive: VisibilityTimeout 0, no backoff, back at once.
        m, before, after = self.wait_for(url, 0, before, after, VisibilityTimeout=0)
        # The second hides it for its 0 s plus 1 s of backoff.
        m, _, _ = self.wait_for(url, 1, before, after, VisibilityTimeout=0)
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "3")


if __name__ == "__main__":
    unittest.main()
