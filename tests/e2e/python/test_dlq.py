"""Dead-letter queues, redrive, message move tasks and permissions.

RedrivePolicy moves a message received maxReceiveCount times to its DLQ;
RedriveAllowPolicy limits who may use a queue as DLQ; ListDeadLetterSourceQueues;
StartMessageMoveTask / ListMessageMoveTasks / CancelMessageMoveTask;
AddPermission / RemovePermission and the Policy they write.

Debian's botocore 1.29 (Query) predates the move-task actions, so for it the
tests extend its own SQS model with the three actions in their Query form
(MOVE_TASK_QUERY_MODEL) and drive them through a client built from that: the
requests and XML answers are real Query protocol either way.
"""

import atexit
import copy
import json
import os
import shutil
import tempfile
import time
import unittest

import ferry_e2e
from ferry_e2e import REGION, SqsTestCase, endpoint, md5_of_attributes, md5_of_body

ATTRIBUTES = {
    "colour": {"DataType": "String", "StringValue": "blue"},
    "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
}

# The move-task actions as the Query protocol carries them (AWS's 2012-11-05
# Query model of 2023, before SQS moved to JSON), for botocore versions that
# do not know them.
_ENTRY_MEMBERS = {
    "TaskHandle": {"shape": "MoveTaskString"},
    "Status": {"shape": "MoveTaskString"},
    "SourceArn": {"shape": "MoveTaskString"},
    "DestinationArn": {"shape": "MoveTaskString"},
    "MaxNumberOfMessagesPerSecond": {"shape": "MoveTaskInteger"},
    "ApproximateNumberOfMessagesMoved": {"shape": "MoveTaskLong"},
    "ApproximateNumberOfMessagesToMove": {"shape": "MoveTaskLong"},
    "FailureReason": {"shape": "MoveTaskString"},
    "StartedTimestamp": {"shape": "MoveTaskLong"},
}


def _operation(name):
    return {"name": name, "http": {"method": "POST", "requestUri": "/"},
            "input": {"shape": name + "Request"},
            "output": {"shape": name + "Result", "resultWrapper": name + "Result"},
            "errors": [{"shape": "ResourceNotFoundException"}]}


MOVE_TASK_QUERY_MODEL = {
    "operations": {name: _operation(name) for name in
                   ("StartMessageMoveTask", "CancelMessageMoveTask", "ListMessageMoveTasks")},
    "shapes": {
        "MoveTaskString": {"type": "string"},
        "MoveTaskInteger": {"type": "integer"},
        "MoveTaskLong": {"type": "long"},
        "ResourceNotFoundException": {
            "type": "structure", "members": {}, "exception": True,
            "error": {"code": "ResourceNotFoundException", "httpStatusCode": 404,
                      "senderFault": True}},
        "StartMessageMoveTaskRequest": {
            "type": "structure", "required": ["SourceArn"],
            "members": {"SourceArn": {"shape": "MoveTaskString"},
                        "DestinationArn": {"shape": "MoveTaskString"},
                        "MaxNumberOfMessagesPerSecond": {"shape": "MoveTaskInteger"}}},
        "StartMessageMoveTaskResult": {
            "type": "structure", "members": {"TaskHandle": {"shape": "MoveTaskString"}}},
        "CancelMessageMoveTaskRequest": {
            "type": "structure", "required": ["TaskHandle"],
            "members": {"TaskHandle": {"shape": "MoveTaskString"}}},
        "CancelMessageMoveTaskResult": {
            "type": "structure",
            "members": {"ApproximateNumberOfMessagesMoved": {"shape": "MoveTaskLong"}}},
        "ListMessageMoveTasksRequest": {
            "type": "structure", "required": ["SourceArn"],
            "members": {"SourceArn": {"shape": "MoveTaskString"},
                        "MaxResults": {"shape": "MoveTaskInteger"}}},
        "ListMessageMoveTasksResult": {
            "type": "structure",
            "members": {"Results": {"shape": "MoveTaskEntryList",
                                    "locationName": "ListMessageMoveTasksResultEntry"}}},
        "MoveTaskEntryList": {"type": "list", "member": {"shape": "MoveTaskEntry"},
                              "flattened": True},
        "MoveTaskEntry": {"type": "structure", "members": _ENTRY_MEMBERS},
    },
}

_move_client = None


def move_task_client(test):
    """A client that knows the move-task actions, speaking this run's protocol."""
    global _move_client
    if hasattr(test.sqs, "start_message_move_task"):
        return test.sqs
    if _move_client is None:
        import botocore.session
        from botocore.config import Config
        loader = botocore.session.get_session().get_component("data_loader")
        model = copy.deepcopy(loader.load_service_model("sqs", "service-2"))
        model["operations"].update(MOVE_TASK_QUERY_MODEL["operations"])
        model["shapes"].update(MOVE_TASK_QUERY_MODEL["shapes"])
        models = tempfile.mkdtemp(prefix="ferry-e2e-models-")
        atexit.register(shutil.rmtree, models, True)
        version_dir = os.path.join(models, "sqs", model["metadata"]["apiVersion"])
        os.makedirs(version_dir)
        with open(os.path.join(version_dir, "service-2.json"), "w") as f:
            json.dump(model, f)
        session = botocore.session.Session()
        session.get_component("data_loader").search_paths.insert(0, models)
        _move_client = session.create_client(
            "sqs", endpoint_url=endpoint(), region_name=REGION, aws_access_key_id="test",
            aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))
    return _move_client


class DlqTestCase(SqsTestCase):
    def arn(self, url):
        return self.attrs(url, "QueueArn")["QueueArn"]

    def redrive(self, dlq_arn, max_receives):
        return json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receives)})

    def new_source(self, tag, dlq_url, max_receives=2):
        return self.new_queue(tag, attributes={
            "RedrivePolicy": self.redrive(self.arn(dlq_url), max_receives)})

    def send(self, url, body):
        sent = self.sqs.send_message(QueueUrl=url, MessageBody=body,
                                     MessageAttributes=ATTRIBUTES)
        self.assertEqual(sent["MD5OfMessageBody"], md5_of_body(body))
        return sent

    def receive_all_attributes(self, url, **kwargs):
        kwargs.update(self.system_attribute_kwargs(["All"]))
        return self.receive(url, MessageAttributeNames=["All"], MaxNumberOfMessages=10, **kwargs)

    def dead_letter(self, source_url, body, max_receives):
        """Sends `body` and receives it max_receives times without deleting it."""
        sent = self.send(source_url, body)
        for i in range(max_receives):
            got = self.receive(source_url, VisibilityTimeout=0)
            self.assertEqual(len(got), 1, "receive %d" % (i + 1))
        self.assertEqual(self.receive(source_url), [], "the next receive moves it to the DLQ")
        return sent

    def wait_for_task(self, client, source_arn, statuses, timeout=15.0):
        deadline = time.monotonic() + timeout
        while True:
            task = client.list_message_move_tasks(SourceArn=source_arn)["Results"][0]
            if task["Status"] in statuses or time.monotonic() > deadline:
                return task
            time.sleep(0.1)


class RedriveTest(DlqTestCase):
    def test_message_moves_to_dlq_with_its_identity(self):
        dlq = self.new_queue("dlq")
        source = self.new_source("src", dlq, max_receives=2)
        sent = self.dead_letter(source, "poison pill", 2)
        self.assertEqual(self.counts(source), (0, 0, 0))

        got = self.receive_all_attributes(dlq)
        self.assertEqual(len(got), 1)
        m = got[0]
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(m["Body"], "poison pill")
        self.assertEqual(m["MD5OfBody"], md5_of_body("poison pill"))
        self.assertEqual(ferry_e2e.normalise_attributes(m["MessageAttributes"]),
                         ferry_e2e.normalise_attributes(ATTRIBUTES))
        self.assertEqual(m["MD5OfMessageAttributes"], md5_of_attributes(ATTRIBUTES))
        # Receives count across queues: the DLQ's first receive is the third.
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "3")
        self.assertEqual(m["Attributes"]["DeadLetterQueueSourceArn"], self.arn(source))
        sent_ms = int(m["Attributes"]["SentTimestamp"])
        self.assertLessEqual(abs(sent_ms - time.time() * 1000), 60_000)

    def test_sent_timestamp_is_kept(self):
        dlq = self.new_queue("dlq")
        source = self.new_source("src", dlq, max_receives=1)
        self.send(source, "keep my time")
        first = self.receive(source, VisibilityTimeout=0,
                             **self.system_attribute_kwargs(["SentTimestamp"]))
        time.sleep(0.05)
        self.assertEqual(self.receive(source), [])
        moved = self.receive(dlq, **self.system_attribute_kwargs(["SentTimestamp"]))
        self.assertEqual(moved[0]["Attributes"]["SentTimestamp"],
                         first[0]["Attributes"]["SentTimestamp"])

    def test_redrive_policy_is_returned_and_removed_with_an_empty_value(self):
        dlq = self.new_queue("dlq")
        source = self.new_source("src", dlq, max_receives=5)
        policy = json.loads(self.attrs(source, "RedrivePolicy")["RedrivePolicy"])
        self.assertEqual(policy, {"deadLetterTargetArn": self.arn(dlq), "maxReceiveCount": 5})
        self.assertIn("RedrivePolicy", self.attrs(source))
        self.sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": ""})
        self.assertNotIn("RedrivePolicy", self.attrs(source))
        # Without a policy the message is simply received again.
        self.send(source, "stays")
        for _ in range(6):
            self.assertEqual(len(self.receive(source, VisibilityTimeout=0)), 1)

    def test_redrive_policy_errors(self):
        dlq = self.new_queue("dlq")
        source = self.new_queue("src")
        dlq_arn = self.arn(dlq)
        missing = dlq_arn + "-missing"
        cases = {
            "target missing": (self.redrive(missing, 3), "InvalidParameterValue"),
            "count 0": (self.redrive(dlq_arn, 0), "InvalidParameterValue"),
            "count 1001": (self.redrive(dlq_arn, 1001), "InvalidParameterValue"),
            "no count": (json.dumps({"deadLetterTargetArn": dlq_arn}), "InvalidParameterValue"),
            "not an ARN": (self.redrive("dlq", 3), "InvalidParameterValue"),
            "not JSON": ("{", "InvalidAttributeValue"),
        }
        for what, (value, code) in cases.items():
            with self.subTest(what):
                self.assertSqsError(code, self.sqs.set_queue_attributes, QueueUrl=source,
                                    Attributes={"RedrivePolicy": value})
        self.assertNotIn("RedrivePolicy", self.attrs(source))

    def test_redrive_allow_policy(self):
        dlq = self.new_queue("dlq")
        source = self.new_queue("src")
        policy = self.redrive(self.arn(dlq), 3)

        def allow(value):
            self.sqs.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy": value})

        allow(json.dumps({"redrivePermission": "denyAll"}))
        self.assertSqsError("InvalidParameterValue", self.sqs.set_queue_attributes,
                            QueueUrl=source, Attributes={"RedrivePolicy": policy})
        allow(json.dumps({"redrivePermission": "byQueue",
                          "sourceQueueArns": [self.arn(dlq) + "-other"]}))
        self.assertSqsError("InvalidParameterValue", self.sqs.set_queue_attributes,
                            QueueUrl=source, Attributes={"RedrivePolicy": policy})
        allowed = json.dumps({"redrivePermission": "byQueue",
                              "sourceQueueArns": [self.arn(source)]})
        allow(allowed)
        self.sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": policy})
        self.assertEqual(json.loads(self.attrs(dlq, "RedriveAllowPolicy")["RedriveAllowPolicy"]),
                         json.loads(allowed))

        bad = {
            "byQueue without ARNs": ({"redrivePermission": "byQueue"}, "InvalidParameterValue"),
            "ARNs without byQueue": ({"redrivePermission": "allowAll",
                                      "sourceQueueArns": [self.arn(source)]},
                                     "InvalidParameterValue"),
            "eleven ARNs": ({"redrivePermission": "byQueue",
                             "sourceQueueArns": ["%s-%d" % (self.arn(source), i)
                                                 for i in range(11)]}, "InvalidParameterValue"),
            "unknown permission": ({"redrivePermission": "some"}, "InvalidAttributeValue"),
        }
        for what, (value, code) in bad.items():
            with self.subTest(what):
                self.assertSqsError(code, self.sqs.set_queue_attributes, QueueUrl=dlq,
                                    Attributes={"RedriveAllowPolicy": json.dumps(value)})

    def test_list_dead_letter_source_queues(self):
        dlq = self.new_queue("dlq")
        sources = sorted(self.new_source("src%d" % i, dlq) for i in range(3))
        self.new_queue("unrelated")
        listed = self.sqs.list_dead_letter_source_queues(QueueUrl=dlq)
        self.assertEqual(sorted(listed["queueUrls"]), sources)
        self.assertNotIn("NextToken", listed)

        page = self.sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=2)
        self.assertEqual(len(page["queueUrls"]), 2)
        rest = self.sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=2,
                                                       NextToken=page["NextToken"])
        self.assertEqual(sorted(page["queueUrls"] + rest["queueUrls"]), sources)
        self.assertNotIn("NextToken", rest)
        self.assertEqual(self.sqs.list_dead_letter_source_queues(
            QueueUrl=sources[0]).get("queueUrls", []), [])


class MoveTaskTest(DlqTestCase):
    def setUp(self):
        super().setUp()
        self.moves = move_task_client(self)

    def test_move_to_a_destination_at_its_rate(self):
        dlq = self.new_queue("dlq")
        self.new_source("src", dlq)
        dest = self.new_queue("dest")
        for i in range(4):
            self.send(dlq, "m%d" % i)
        dlq_arn, dest_arn = self.arn(dlq), self.arn(dest)
        handle = self.moves.start_message_move_task(
            SourceArn=dlq_arn, DestinationArn=dest_arn,
            MaxNumberOfMessagesPerSecond=2)["TaskHandle"]
        self.assertTrue(handle)
        time.sleep(1.0)
        task = self.moves.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=10)["Results"][0]
        self.assertEqual(task["SourceArn"], dlq_arn)
        self.assertEqual(task["DestinationArn"], dest_arn)
        self.assertEqual(task["MaxNumberOfMessagesPerSecond"], 2)
        self.assertEqual(task["ApproximateNumberOfMessagesToMove"], 4)
        self.assertLessEqual(task["ApproximateNumberOfMessagesMoved"], 3, "rate not honoured")
        self.assertGreater(task["StartedTimestamp"], 1_600_000_000_000)
        if task["Status"] == "RUNNING":
            self.assertEqual(task["TaskHandle"], handle)

        done = self.wait_for_task(self.moves, dlq_arn, {"COMPLETED", "FAILED"})
        self.assertEqual(done["Status"], "COMPLETED", done)
        self.assertEqual(done["ApproximateNumberOfMessagesMoved"], 4)
        self.assertNotIn("TaskHandle", done)
        moved = self.receive_n(dest, 4)
        self.assertEqual(sorted(m["Body"] for m in moved), ["m0", "m1", "m2", "m3"])
        self.assertEqual(self.counts(dlq), (0, 0, 0))

    def test_move_back_to_each_source(self):
        dlq = self.new_queue("dlq")
        a = self.new_source("a", dlq, max_receives=1)
        b = self.new_source("b", dlq, max_receives=1)
        self.dead_letter(a, "from a", 1)
        self.dead_letter(b, "from b", 1)
        self.moves.start_message_move_task(SourceArn=self.arn(dlq))
        done = self.wait_for_task(self.moves, self.arn(dlq), {"COMPLETED", "FAILED"})
        self.assertEqual(done["Status"], "COMPLETED", done)
        self.assertNotIn("DestinationArn", done)
        self.assertEqual([m["Body"] for m in self.receive_n(a, 1)], ["from a"])
        self.assertEqual([m["Body"] for m in self.receive_n(b, 1)], ["from b"])

    def test_cancel(self):
        dlq = self.new_queue("dlq")
        self.new_source("src", dlq)
        dest = self.new_queue("dest")
        for i in range(20):
            self.send(dlq, "m%d" % i)
        handle = self.moves.start_message_move_task(
            SourceArn=self.arn(dlq), DestinationArn=self.arn(dest),
            MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
        time.sleep(0.5)
        moved = self.moves.cancel_message_move_task(TaskHandle=handle)
        self.assertLess(moved["ApproximateNumberOfMessagesMoved"], 20)
        task = self.wait_for_task(self.moves, self.arn(dlq), {"CANCELLED"})
        self.assertEqual(task["Status"], "CANCELLED")
        self.assertSqsError("ResourceNotFoundException", self.moves.cancel_message_move_task,
                            TaskHandle=handle, status=404)
        time.sleep(1.2)
        remaining, _, _ = self.counts(dlq)
        self.assertEqual(remaining + self.counts(dest)[0], 20)
        self.assertGreater(remaining, 15)

    def test_errors(self):
        dlq = self.new_queue("dlq")
        self.new_source("src", dlq)
        plain = self.new_queue("plain")
        self.assertSqsError("InvalidParameterValue", self.moves.start_message_move_task,
                            SourceArn=self.arn(plain))
        self.assertSqsError("ResourceNotFoundException", self.moves.start_message_move_task,
                            SourceArn=self.arn(plain) + "-missing", status=404)
        self.assertSqsError("ResourceNotFoundException", self.moves.start_message_move_task,
                            SourceArn=self.arn(dlq), DestinationArn=self.arn(plain) + "-missing",
                            status=404)
        self.assertSqsError("ResourceNotFoundException", self.moves.list_message_move_tasks,
                            SourceArn=self.arn(plain) + "-missing", status=404)
        self.assertEqual(self.moves.list_message_move_tasks(
            SourceArn=self.arn(dlq)).get("Results", []), [])
        for _ in range(3):
            self.send(dlq, "slow")
        self.moves.start_message_move_task(SourceArn=self.arn(dlq),
                                           DestinationArn=self.arn(plain),
                                           MaxNumberOfMessagesPerSecond=1)
        self.assertSqsError("InvalidParameterValue", self.moves.start_message_move_task,
                            SourceArn=self.arn(dlq), DestinationArn=self.arn(plain))
        self.assertSqsError("InvalidParameterValue", self.moves.cancel_message_move_task,
                            TaskHandle="not-a-handle")


class FifoDeadLetterTest(DlqTestCase):
    """A FIFO queue's dead letters go to a FIFO DLQ in group order, and a move
    task brings them back to the FIFO source in that order."""

    def setUp(self):
        super().setUp()
        self.moves = move_task_client(self)

    def new_fifo(self, tag, **attributes):
        attributes["FifoQueue"] = "true"
        return self.new_queue(name=ferry_e2e.unique_name(tag)[:75] + ".fifo",
                              attributes=attributes)

    def send_fifo(self, url, body, group):
        return self.sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group,
                                     MessageDeduplicationId=body)

    def receive_fifo(self, url):
        return self.receive(url, MaxNumberOfMessages=10, VisibilityTimeout=0,
                            **self.system_attribute_kwargs(["All"]))

    def test_kinds_must_match(self):
        fifo_dlq = self.new_fifo("fdlq")
        standard_dlq = self.new_queue("sdlq")
        self.assertSqsError("InvalidParameterValue", self.new_fifo, "src",
                            RedrivePolicy=self.redrive(self.arn(standard_dlq), 1))
        self.assertSqsError("InvalidParameterValue", self.new_queue, "src",
                            attributes={"RedrivePolicy": self.redrive(self.arn(fifo_dlq), 1)})

    def test_group_moves_in_order_and_comes_back_in_order(self):
        dlq = self.new_fifo("fdlq")
        source = self.new_fifo("fsrc", RedrivePolicy=self.redrive(self.arn(dlq), 2))
        sent = [self.send_fifo(source, body, "g") for body in ("g1", "g2", "g3")]
        for i in range(2):
            got = self.receive_fifo(source)
            self.assertEqual([m["Body"] for m in got], ["g1", "g2", "g3"], "receive %d" % (i + 1))
        self.send_fifo(source, "other", "h")

        # Each receive now moves the group's first message and returns nothing
        # of that group (the rest must not overtake it); group h flows.
        got = self.receive(source, MaxNumberOfMessages=10)
        self.assertEqual([m["Body"] for m in got], ["other"])
        self.sqs.delete_message(QueueUrl=source, ReceiptHandle=got[0]["ReceiptHandle"])
        for _ in range(2):
            self.assertEqual(self.receive(source, MaxNumberOfMessages=10), [])
        self.assertEqual(self.counts(source), (0, 0, 0))

        moved = self.receive(dlq, MaxNumberOfMessages=10, VisibilityTimeout=5,
                             **self.system_attribute_kwargs(["All"]))
        self.assertEqual([m["Body"] for m in moved], ["g1", "g2", "g3"])
        self.assertEqual([m["MessageId"] for m in moved], [s["MessageId"] for s in sent])
        for m in moved:
            self.assertEqual(m["Attributes"]["MessageGroupId"], "g")
            self.assertEqual(m["Attributes"]["MessageDeduplicationId"], m["Body"])
            self.assertEqual(m["Attributes"]["DeadLetterQueueSourceArn"], self.arn(source))
            self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "3")
        sequence = [int(m["Attributes"]["SequenceNumber"]) for m in moved]
        self.assertEqual(sequence, sorted(sequence))
        for m in moved:
            self.sqs.change_message_visibility(QueueUrl=dlq, ReceiptHandle=m["ReceiptHandle"],
                                               VisibilityTimeout=0)

        dlq_arn = self.arn(dlq)
        self.moves.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=2)
        done = self.wait_for_task(self.moves, dlq_arn, {"COMPLETED", "FAILED"})
        self.assertEqual(done["Status"], "COMPLETED", done)
        self.assertEqual(done["ApproximateNumberOfMessagesMoved"], 3)
        back = self.receive(source, MaxNumberOfMessages=10,
                            **self.system_attribute_kwargs(["All"]))
        self.assertEqual([m["Body"] for m in back], ["g1", "g2", "g3"])
        self.assertEqual({m["Attributes"]["MessageGroupId"] for m in back}, {"g"})
        self.assertTrue(set(m["MessageId"] for m in back).isdisjoint(
            s["MessageId"] for s in sent), "redrive makes new messages")
        self.assertEqual(self.counts(dlq), (0, 0, 0))


class PermissionTest(SqsTestCase):
    def test_add_and_remove_permission(self):
        url = self.new_queue("perm")
        arn = self.attrs(url, "QueueArn")["QueueArn"]
        self.sqs.add_permission(QueueUrl=url, Label="senders", AWSAccountIds=["111122223333"],
                                Actions=["SendMessage"])
        self.sqs.add_permission(QueueUrl=url, Label="workers",
                                AWSAccountIds=["111122223333", "444455556666"],
                                Actions=["ReceiveMessage", "DeleteMessage"])
        policy = json.loads(self.attrs(url, "Policy")["Policy"])
        self.assertEqual(policy["Version"], "2008-10-17")
        by_sid = {s["Sid"]: s for s in policy["Statement"]}
        self.assertEqual(by_sid["senders"], {
            "Sid": "senders", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "SQS:SendMessage", "Resource": arn})
        self.assertEqual(sorted(by_sid["workers"]["Principal"]["AWS"]),
                         ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"])
        self.assertEqual(sorted(by_sid["workers"]["Action"]),
                         ["SQS:DeleteMessage", "SQS:ReceiveMessage"])

        self.sqs.remove_permission(QueueUrl=url, Label="senders")
        policy = json.loads(self.attrs(url, "Policy")["Policy"])
        self.assertEqual([s["Sid"] for s in policy["Statement"]], ["workers"])
        self.sqs.remove_permission(QueueUrl=url, Label="workers")
        self.assertNotIn("Policy", self.attrs(url))

    def test_permission_errors(self):
        url = self.new_queue("perm")
        self.sqs.add_permission(QueueUrl=url, Label="taken", AWSAccountIds=["111122223333"],
                                Actions=["SendMessage"])
        cases = {
            "label exists": dict(Label="taken", AWSAccountIds=["111122223333"],
                                 Actions=["SendMessage"]),
            "bad label": dict(Label="no spaces", AWSAccountIds=["111122223333"],
                              Actions=["SendMessage"]),
            "owner-only action": dict(Label="x", AWSAccountIds=["111122223333"],
                                      Actions=["CreateQueue"]),
        }
        for what, kwargs in cases.items():
            with self.subTest(what):
                self.assertSqsError("InvalidParameterValue", self.sqs.add_permission,
                                    QueueUrl=url, **kwargs)
        self.assertSqsError("OverLimit", self.sqs.add_permission, QueueUrl=url, Label="many",
                            AWSAccountIds=["111122223333"], status=403,
                            Actions=["SendMessage", "ReceiveMessage", "DeleteMessage",
                                     "ChangeMessageVisibility", "GetQueueAttributes",
                                     "GetQueueUrl", "PurgeQueue", "*"])
        self.assertSqsError("InvalidParameterValue", self.sqs.remove_permission, QueueUrl=url,
                            Label="never-added")

    def test_set_queue_attributes_policy_still_works(self):
        url = self.new_queue("perm")
        arn = self.attrs(url, "QueueArn")["QueueArn"]
        policy = {"Version": "2012-10-17", "Statement": [
            {"Sid": "mine", "Effect": "Allow", "Principal": "*", "Action": "SQS:SendMessage",
             "Resource": arn}]}
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
        self.sqs.add_permission(QueueUrl=url, Label="added", AWSAccountIds=["111122223333"],
                                Actions=["ReceiveMessage"])
        got = json.loads(self.attrs(url, "Policy")["Policy"])
        self.assertEqual([s["Sid"] for s in got["Statement"]], ["mine", "added"])


if __name__ == "__main__":
    unittest.main()
