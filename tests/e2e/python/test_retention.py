"""Message retention expiry (slow: waits past AWS's 60 s minimum).

Kept in its own module so ctest runs it (e2e_retention) in parallel with the
rest of the suite.
"""

import time
import unittest

from ferry_e2e import SqsTestCase


class RetentionTest(SqsTestCase):
    def test_messages_expire_after_retention_period(self):
        url = self.new_queue("retention", attributes={"MessageRetentionPeriod": "60"})
        keep = self.new_queue("retention-keep")  # default retention: 4 days
        t0 = time.monotonic()
        self.sqs.send_message(QueueUrl=url, MessageBody="expires")
        self.sqs.send_message(QueueUrl=url, MessageBody="expires while in flight")
        self.sqs.send_message(QueueUrl=keep, MessageBody="stays")
        inflight = self.receive(url, VisibilityTimeout=600)
        self.assertEqual(len(inflight), 1)
        self.assertEqual(self.counts(url), (1, 1, 0))

        # Halfway: still there.
        time.sleep(max(0.0, 30 - (time.monotonic() - t0)))
        self.assertEqual(self.counts(url), (1, 1, 0))

        time.sleep(max(0.0, 62 - (time.monotonic() - t0)))
        deadline = time.monotonic() + 10
        while self.counts(url) != (0, 0, 0) and time.monotonic() < deadline:
            time.sleep(0.5)
        self.assertEqual(self.counts(url), (0, 0, 0),
                         "messages outlived MessageRetentionPeriod=60")
        self.assertEqual(self.receive(url, WaitTimeSeconds=1), [])
        # Deleting an expired in-flight message is harmless.
        try:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=inflight[0]["ReceiptHandle"])
        except self.sqs.exceptions.ClientError as e:
            self.assertEqual(e.response["Error"]["Code"], "ReceiptHandleIsInvalid")
        # The other queue keeps its message.
        self.assertEqual([m["Body"] for m in self.receive(keep)], ["stays"])


if __name__ == "__main__":
    unittest.main()
