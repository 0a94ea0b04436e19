"""Error codes and HTTP statuses as AWS documents them, through the SDK.

Calls that the service must reject go through `self.raw`, a client with
botocore's own parameter validation turned off, so the server sees them.
"""

import os
import re
import unittest

import botocore.session

from ferry_e2e import SqsTestCase, endpoint, expected_account_id, unique_name

NONEXISTENT = "AWS.SimpleQueueService.NonExistentQueue"
CATALOG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                       "src", "api", "errors.inc")


class ErrorCatalogTest(unittest.TestCase):
    """src/api/errors.inc against this botocore's SQS model, row by row."""

    def rows(self):
        pattern = re.compile(r'^FERRY_API_ERROR\((\w+), "([^"]*)", "([^"]*)", "([^"]*)", '
                             r'(\d+), (true|false)\)', re.M)
        with open(CATALOG) as f:
            return {m.group(3): m.groups() for m in pattern.finditer(f.read())}

    def test_every_modelled_error_ferry_answers_matches_the_model(self):
        model = botocore.session.get_session().get_service_model("sqs")
        rows = self.rows()
        self.assertIn("InvalidParameterValueException", rows)
        checked = 0
        for shape in model.error_shapes:
            row = rows.get(shape.name)
            if row is None:
                continue
            checked += 1
            _, code, json_type, query_code, http, sender = row
            error = shape.metadata.get("error")
            if error:  # the Query-era model carries the awsQueryError codes
                self.assertEqual(query_code, error["code"], shape.name)
                self.assertEqual(int(http), error["httpStatusCode"], shape.name)
                self.assertEqual(sender == "true", error["senderFault"], shape.name)
        self.assertGreaterEqual(checked, 15)


class SnsErrorCatalogTest(unittest.TestCase):
    """The kSns rows of src/api/errors.inc against this botocore's SNS model."""

    def test_every_sns_error_shape_has_a_row_that_matches_the_model(self):
        pattern = re.compile(r'^FERRY_API_ERROR\((kSns\w+), "([^"]*)", "([^"]*)", "([^"]*)", '
                             r'(\d+), (true|false)\)', re.M)
        with open(CATALOG) as f:
            rows = {m.group(3): m.groups() for m in pattern.finditer(f.read())}
        model = botocore.session.get_session().get_service_model("sns")
        self.assertGreaterEqual(len(model.error_shapes), 30)
        for shape in model.error_shapes:
            with self.subTest(shape=shape.name):
                self.assertIn(shape.name, rows)
                _, code, _, query_code, http, sender = rows[shape.name]
                # A shape without an error trait (VerificationException) is
                # its name with Query's default status, 400.
                error = shape.metadata.get("error") or {}
                self.assertEqual(query_code, error.get("code", shape.name))
                self.assertEqual(code, query_code)
                self.assertEqual(int(http), error.get("httpStatusCode", 400))
                if error:
                    self.assertEqual(sender == "true", error.get("senderFault", False))


class NonexistentQueueTest(SqsTestCase):
    def test_every_queue_action(self):
        url = "%s/%s/%s" % (endpoint(), expected_account_id() or "000000000000",
                            unique_name("missing"))
        calls = {
            "SendMessage": lambda: self.sqs.send_message(QueueUrl=url, MessageBody="x"),
            "SendMessageBatch": lambda: self.sqs.send_message_batch(
                QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "x"}]),
            "ReceiveMessage": lambda: self.sqs.receive_message(QueueUrl=url),
            "GetQueueAttributes": lambda: self.sqs.get_queue_attributes(
                QueueUrl=url, AttributeNames=["All"]),
            "SetQueueAttributes": lambda: self.sqs.set_queue_attributes(
                QueueUrl=url, Attributes={"DelaySeconds": "1"}),
            "PurgeQueue": lambda: self.sqs.purge_queue(QueueUrl=url),
            "DeleteQueue": lambda: self.sqs.delete_queue(QueueUrl=url),
            "TagQueue": lambda: self.sqs.tag_queue(QueueUrl=url, Tags={"a": "b"}),
            "UntagQueue": lambda: self.sqs.untag_queue(QueueUrl=url, TagKeys=["a"]),
            "ListQueueTags": lambda: self.sqs.list_queue_tags(QueueUrl=url),
        }
        for action, call in calls.items():
            with self.subTest(action=action):
                self.assertSqsError(NONEXISTENT, call, shape="QueueDoesNotExist")


class ParameterErrorTest(SqsTestCase):
    def setUp(self):
        super().setUp()
        self.url = self.new_queue("params")

    def test_missing_parameters(self):
        cases = {
            "SendMessage without MessageBody":
                lambda: self.raw.send_message(QueueUrl=self.url),
            "GetQueueUrl without QueueName": lambda: self.raw.get_queue_url(),
            "CreateQueue without QueueName": lambda: self.raw.create_queue(),
            "DeleteMessage without ReceiptHandle":
                lambda: self.raw.delete_message(QueueUrl=self.url),
            "ChangeMessageVisibility without VisibilityTimeout":
                lambda: self.raw.change_message_visibility(QueueUrl=self.url,
                                                           ReceiptHandle="x"),
        }
        for what, call in cases.items():
            with self.subTest(what):
                self.assertSqsError("MissingParameter", call,
                                    json_type="MissingRequiredParameterException")

    def test_invalid_parameter_values(self):
        cases = {
            "MaxNumberOfMessages=11": lambda: self.raw.receive_message(
                QueueUrl=self.url, MaxNumberOfMessages=11),
            "MaxNumberOfMessages=0": lambda: self.raw.receive_message(
                QueueUrl=self.url, MaxNumberOfMessages=0),
            "receive VisibilityTimeout=43201": lambda: self.raw.receive_message(
                QueueUrl=self.url, VisibilityTimeout=43201),
            "receive VisibilityTimeout=-1": lambda: self.raw.receive_message(
                QueueUrl=self.url, VisibilityTimeout=-1),
            "WaitTimeSeconds=21": lambda: self.raw.receive_message(
                QueueUrl=self.url, WaitTimeSeconds=21),
            "send DelaySeconds=901": lambda: self.raw.send_message(
                QueueUrl=self.url, MessageBody="x", DelaySeconds=901),
            "send DelaySeconds=-1": lambda: self.raw.send_message(
                QueueUrl=self.url, MessageBody="x", DelaySeconds=-1),
        }
        for what, call in cases.items():
            with self.subTest(what):
                self.assertSqsError("InvalidParameterValue", call,
                                    json_type="InvalidParameterValueException")
        self.assertEqual(self.counts(self.url), (0, 0, 0))

    def test_change_visibility_above_12_hours(self):
        self.sqs.send_message(QueueUrl=self.url, MessageBody="x")
        m = self.receive(self.url, VisibilityTimeout=60)[0]
        self.assertSqsError("InvalidParameterValue", self.raw.change_message_visibility,
                            QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"],
                            VisibilityTimeout=43201)

    def test_invalid_receipt_handles(self):
        for handle in ["not-a-handle", "AQEB" + "x" * 40]:
            with self.subTest(handle=handle):
                self.assertSqsError("ReceiptHandleIsInvalid", self.raw.delete_message,
                                    QueueUrl=self.url, ReceiptHandle=handle,
                                    shape="ReceiptHandleIsInvalid")
                self.assertSqsError("ReceiptHandleIsInvalid",
                                    self.raw.change_message_visibility,
                                    QueueUrl=self.url, ReceiptHandle=handle,
                                    VisibilityTimeout=0, shape="ReceiptHandleIsInvalid")

    def test_invalid_message_contents(self):
        for body in ["nul \x00", "bell \x07", "backspace \x08", "unit sep \x1f",
                     "non-char \ufffe", "non-char \uffff"]:
            with self.subTest(body=repr(body)):
                self.assertSqsError("InvalidMessageContents", self.raw.send_message,
                                    QueueUrl=self.url, MessageBody=body,
                                    shape="InvalidMessageContents")
        self.assertEqual(self.counts(self.url), (0, 0, 0))

    def test_too_many_message_attributes(self):
        attrs = {"a%02d" % i: {"DataType": "String", "StringValue": "v"} for i in range(11)}
        self.assertSqsError("InvalidParameterValue", self.raw.send_message,
                            QueueUrl=self.url, MessageBody="x", MessageAttributes=attrs)
        # Ten is fine.
        del attrs["a10"]
        self.sqs.send_message(QueueUrl=self.url, MessageBody="x", MessageAttributes=attrs)

    def test_invalid_message_attributes(self):
        cases = {
            "empty string value": {"a": {"DataType": "String", "StringValue": ""}},
            "unknown data type": {"a": {"DataType": "Blob", "StringValue": "v"}},
            "not a number": {"a": {"DataType": "Number", "StringValue": "twelve"}},
            "missing value": {"a": {"DataType": "String"}},
            "reserved prefix": {"AWS.thing": {"DataType": "String", "StringValue": "v"}},
        }
        for what, attrs in cases.items():
            with self.subTest(what):
                self.assertSqsError("InvalidParameterValue", self.raw.send_message,
                                    QueueUrl=self.url, MessageBody="x",
                                    MessageAttributes=attrs)


class BatchErrorTest(SqsTestCase):
    def setUp(self):
        super().setUp()
        self.url = self.new_queue("batcherr")

    def batch_calls(self, entries):
        """The same entry ids through all three batch actions (receipt handles
        distinct, so only the ids can be at fault)."""
        return {
            "SendMessageBatch": lambda: self.raw.send_message_batch(
                QueueUrl=self.url,
                Entries=[{"Id": e, "MessageBody": "x"} for e in entries]),
            "DeleteMessageBatch": lambda: self.raw.delete_message_batch(
                QueueUrl=self.url,
                Entries=[{"Id": e, "ReceiptHandle": "h%d" % i}
                         for i, e in enumerate(entries)]),
            "ChangeMessageVisibilityBatch": lambda: self.raw.change_message_visibility_batch(
                QueueUrl=self.url,
                Entries=[{"Id": e, "ReceiptHandle": "h%d" % i, "VisibilityTimeout": 0}
                         for i, e in enumerate(entries)]),
        }

    def check_all(self, entries, code, shape):
        for action, call in self.batch_calls(entries).items():
            with self.subTest(action=action):
                self.assertSqsError(code, call, shape=shape)

    def test_too_many_entries(self):
        self.check_all(["e%d" % i for i in range(11)],
                       "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                       "TooManyEntriesInBatchRequest")
        self.assertEqual(self.counts(self.url), (0, 0, 0))

    def test_empty_batch(self):
        self.check_all([], "AWS.SimpleQueueService.EmptyBatchRequest", "EmptyBatchRequest")

    def test_ids_not_distinct(self):
        self.check_all(["same", "other", "same"],
                       "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
                       "BatchEntryIdsNotDistinct")
        self.assertEqual(self.counts(self.url), (0, 0, 0))

    def test_invalid_entry_id(self):
        for bad in ["bad id", "dots.are.bad", "x" * 81]:
            with self.subTest(id=bad):
                self.check_all(["ok", bad], "AWS.SimpleQueueService.InvalidBatchEntryId",
                               "InvalidBatchEntryId")

    def test_valid_entry_id_charset(self):
        ids = ["abc", "ABC-123", "under_score", "x" * 80]
        res = self.sqs.send_message_batch(QueueUrl=self.url, Entries=[
            {"Id": e, "MessageBody": "x"} for e in ids])
        self.assertEqual(sorted(e["Id"] for e in res["Successful"]), sorted(ids))

    def test_batch_total_size_over_limit(self):
        # Two entries of 600 KiB each: each fits, the batch (> 1 MiB) does not.
        body = "z" * (600 * 1024)
        self.assertSqsError("AWS.SimpleQueueService.BatchRequestTooLong",
                            self.raw.send_message_batch, QueueUrl=self.url,
                            Entries=[{"Id": "a", "MessageBody": body},
                                     {"Id": "b", "MessageBody": body}],
                            shape="BatchRequestTooLong")
        self.assertEqual(self.counts(self.url), (0, 0, 0))


if __name__ == "__main__":
    unittest.main()
