"""GetQueueAttributes and SetQueueAttributes."""

import time
import unittest

from ferry_e2e import REGION, SqsTestCase, expected_account_id, unique_name

STANDARD_ALL = {
    "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp", "LastModifiedTimestamp",
    "QueueArn", "VisibilityTimeout", "DelaySeconds", "MaximumMessageSize",
    "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds", "SqsManagedSseEnabled",
}

DEFAULTS = {
    "VisibilityTimeout": "30",
    "DelaySeconds": "0",
    "MaximumMessageSize": "1048576",
    "MessageRetentionPeriod": "345600",
    "ReceiveMessageWaitTimeSeconds": "0",
    "SqsManagedSseEnabled": "true",
    "ApproximateNumberOfMessages": "0",
    "ApproximateNumberOfMessagesNotVisible": "0",
    "ApproximateNumberOfMessagesDelayed": "0",
}


class GetQueueAttributesTest(SqsTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.before = int(time.time())
        cls.name = unique_name("gqa")
        cls.url = cls.sqs.create_queue(QueueName=cls.name)["QueueUrl"]
        cls.after = int(time.time()) + 1

    @classmethod
    def tearDownClass(cls):
        try:
            cls.sqs.delete_queue(QueueUrl=cls.url)
        except Exception:
            pass

    def test_all(self):
        got = self.attrs(self.url, "All")
        missing = STANDARD_ALL - set(got)
        self.assertFalse(missing, "All is missing %s" % sorted(missing))
        for fifo_only in ("FifoQueue", "ContentBasedDeduplication", "DeduplicationScope",
                          "FifoThroughputLimit"):
            self.assertNotIn(fifo_only, got)
        for key, value in DEFAULTS.items():
            self.assertEqual(got[key], value, key)

    def test_each_attribute_alone(self):
        for name in sorted(STANDARD_ALL):
            with self.subTest(attribute=name):
                got = self.attrs(self.url, name)
                self.assertEqual(set(got), {name})
                if name in DEFAULTS:
                    self.assertEqual(got[name], DEFAULTS[name])

    def test_several_named(self):
        got = self.attrs(self.url, "VisibilityTimeout", "QueueArn", "DelaySeconds")
        self.assertEqual(set(got), {"VisibilityTimeout", "QueueArn", "DelaySeconds"})

    def test_no_attribute_names(self):
        got = self.sqs.get_queue_attributes(QueueUrl=self.url)
        self.assertEqual(got.get("Attributes", {}), {})

    def test_timestamps(self):
        got = self.attrs(self.url, "CreatedTimestamp", "LastModifiedTimestamp")
        created = int(got["CreatedTimestamp"])
        modified = int(got["LastModifiedTimestamp"])
        # Epoch seconds, not milliseconds.
        self.assertGreaterEqual(created, self.before - 5)
        self.assertLessEqual(created, self.after + 5)
        self.assertGreaterEqual(modified, created)

    def test_queue_arn(self):
        arn = self.attrs(self.url, "QueueArn")["QueueArn"]
        parts = arn.split(":")
        self.assertEqual(parts[:4], ["arn", "aws", "sqs", REGION], arn)
        self.assertEqual(parts[5], self.name)
        account = expected_account_id()
        if account:
            self.assertEqual(arn, "arn:aws:sqs:%s:%s:%s" % (REGION, account, self.name))

    def test_counts(self):
        url = self.new_queue("counts")
        self.sqs.send_message(QueueUrl=url, MessageBody="visible-1")
        self.sqs.send_message(QueueUrl=url, MessageBody="visible-2")
        self.sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=60)
        self.assertEqual(self.counts(url), (2, 0, 1))
        got = self.receive(url, MaxNumberOfMessages=1, VisibilityTimeout=60)
        self.assertEqual(len(got), 1)
        self.assertEqual(self.counts(url), (1, 1, 1))
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])
        self.assertEqual(self.counts(url), (1, 0, 1))

    def test_invalid_attribute_name(self):
        self.assertSqsError("InvalidAttributeName", self.raw.get_queue_attributes,
                            QueueUrl=self.url, AttributeNames=["NoSuchAttribute"],
                            shape="InvalidAttributeName")


class SetQueueAttributesTest(SqsTestCase):
    def test_set_valid(self):
        url = self.new_queue("set")
        before = int(self.attrs(url, "LastModifiedTimestamp")["LastModifiedTimestamp"])
        time.sleep(1.1)
        values = {"VisibilityTimeout": "120", "DelaySeconds": "5",
                  "MaximumMessageSize": "1024", "MessageRetentionPeriod": "60",
                  "ReceiveMessageWaitTimeSeconds": "20"}
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes=values)
        got = self.attrs(url)
        for key, value in values.items():
            self.assertEqual(got[key], value, key)
        self.assertGreater(int(got["LastModifiedTimestamp"]), before)
        self.assertLessEqual(int(got["CreatedTimestamp"]), before)

    def test_set_limits(self):
        url = self.new_queue("limits")
        for key, value in [("VisibilityTimeout", "0"), ("VisibilityTimeout", "43200"),
                           ("DelaySeconds", "900"), ("MaximumMessageSize", "1048576"),
                           ("MessageRetentionPeriod", "1209600"),
                           ("ReceiveMessageWaitTimeSeconds", "0")]:
            with self.subTest(**{key: value}):
                self.sqs.set_queue_attributes(QueueUrl=url, Attributes={key: value})
                self.assertEqual(self.attrs(url, key)[key], value)

    def test_set_invalid_values(self):
        url = self.new_queue("badval")
        for key, value in [("VisibilityTimeout", "43201"), ("VisibilityTimeout", "-1"),
                           ("VisibilityTimeout", "abc"), ("DelaySeconds", "901"),
                           ("MaximumMessageSize", "1023"),
                           ("MaximumMessageSize", "1048577"),
                           ("MessageRetentionPeriod", "59"),
                           ("MessageRetentionPeriod", "1209601"),
                           ("ReceiveMessageWaitTimeSeconds", "21"),
                           ("DelaySeconds", "99999999999999999999")]:
            with self.subTest(**{key: value}):
                self.assertSqsError("InvalidAttributeValue", self.raw.set_queue_attributes,
                                    QueueUrl=url, Attributes={key: value},
                                    shape="InvalidAttributeValue")
        # Nothing changed.
        got = self.attrs(url)
        self.assertEqual(got["VisibilityTimeout"], "30")
        self.assertEqual(got["DelaySeconds"], "0")

    def test_set_unknown_name(self):
        url = self.new_queue("badname")
        self.assertSqsError("InvalidAttributeName", self.raw.set_queue_attributes,
                            QueueUrl=url, Attributes={"NoSuchAttribute": "1"},
                            shape="InvalidAttributeName")

    def test_set_read_only_attribute(self):
        url = self.new_queue("readonly")
        self.assertSqsError("InvalidAttributeName", self.raw.set_queue_attributes,
                            QueueUrl=url, Attributes={"ApproximateNumberOfMessages": "5"},
                            shape="InvalidAttributeName")

    def test_set_on_nonexistent_queue(self):
        url = self.new_queue("willgo")
        self.sqs.delete_queue(QueueUrl=url)
        self.assertSqsError("AWS.SimpleQueueService.NonExistentQueue",
                            self.sqs.set_queue_attributes, QueueUrl=url,
                            Attributes={"VisibilityTimeout": "10"}, shape="QueueDoesNotExist")


if __name__ == "__main__":
    unittest.main()
