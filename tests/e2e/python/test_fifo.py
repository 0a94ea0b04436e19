"""FIFO queues (order per group, group locks, SequenceNumber, deduplication,
ReceiveRequestAttemptId) and fair standard queues, through boto3."""

import hashlib
import threading
import time
import unittest

import ferry_e2e
from ferry_e2e import SqsTestCase, md5_of_attributes, md5_of_body, sqs_client, unique_name


class FifoTestCase(SqsTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import boto3
        # A second client, for a long poll on another thread.
        cls.poller = sqs_client(session=boto3.session.Session())

    def new_fifo(self, tag="fifo", **attributes):
        attrs = {"FifoQueue": "true"}
        attrs.update(attributes)
        return self.new_queue(name=unique_name(tag)[:75] + ".fifo", attributes=attrs)

    def send(self, url, body, group, dedup=None, **kwargs):
        if dedup is not None:
            kwargs["MessageDeduplicationId"] = dedup
        r = self.sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group, **kwargs)
        self.assertEqual(r["MD5OfMessageBody"], md5_of_body(body))
        return r

    def receive_all_attrs(self, url, **kwargs):
        kwargs.update(self.system_attribute_kwargs(["All"]))
        kwargs.setdefault("MaxNumberOfMessages", 10)
        return self.receive(url, **kwargs)

    def bodies(self, messages):
        return [m["Body"] for m in messages]

    def delete(self, url, messages):
        for m in messages:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


class FifoQueueTest(FifoTestCase):
    def test_attributes(self):
        url = self.new_fifo("attrs", ContentBasedDeduplication="true",
                            DeduplicationScope="messageGroup",
                            FifoThroughputLimit="perMessageGroupId")
        a = self.attrs(url)
        self.assertEqual(a["FifoQueue"], "true")
        self.assertEqual(a["ContentBasedDeduplication"], "true")
        self.assertEqual(a["DeduplicationScope"], "messageGroup")
        self.assertEqual(a["FifoThroughputLimit"], "perMessageGroupId")
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={
            "FifoThroughputLimit": "perQueue", "DeduplicationScope": "queue"})
        a = self.attrs(url, "DeduplicationScope", "FifoThroughputLimit")
        self.assertEqual(a, {"DeduplicationScope": "queue", "FifoThroughputLimit": "perQueue"})
        plain = self.attrs(self.new_queue("plain"))
        self.assertNotIn("FifoQueue", plain)

    def test_create_errors(self):
        self.assertSqsError("InvalidParameterValue", self.sqs.create_queue,
                            QueueName=unique_name("nosuffix"), Attributes={"FifoQueue": "true"})
        self.assertSqsError("InvalidParameterValue", self.sqs.create_queue,
                            QueueName=unique_name("noattr")[:70] + ".fifo")
        self.assertSqsError("InvalidAttributeValue", self.sqs.create_queue,
                            QueueName=unique_name("thr")[:70] + ".fifo",
                            Attributes={"FifoQueue": "true",
                                        "FifoThroughputLimit": "perMessageGroupId"})
        self.assertSqsError("InvalidAttributeName", self.sqs.create_queue,
                            QueueName=unique_name("std"),
                            Attributes={"ContentBasedDeduplication": "true"})
        err = self.assertSqsError("InvalidAttributeName", self.sqs.create_queue,
                                  QueueName=unique_name("std"), Attributes={"FifoQueue": "false"})
        self.assertEqual(err.response["Error"]["Message"], "Unknown Attribute FifoQueue.")
        err = self.assertSqsError("InvalidAttributeName", self.sqs.create_queue,
                                  QueueName=unique_name("std"),
                                  Attributes={"DeduplicationScope": "queue"})
        self.assertEqual(err.response["Error"]["Message"],
                         "You can specify the DeduplicationScope only when FifoQueue is set to "
                         "true.")

    def test_fifo_queue_attribute_in_any_letter_case_and_restated(self):
        url = self.new_queue(name=unique_name("case")[:70] + ".fifo",
                             attributes={"FifoQueue": "True"})
        self.assertEqual(self.attrs(url, "FifoQueue"), {"FifoQueue": "true"})
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"FifoQueue": "true"})
        plain = self.new_queue("plain")
        self.assertSqsError("InvalidAttributeName", self.sqs.set_queue_attributes,
                            QueueUrl=plain, Attributes={"DeduplicationScope": "queue"})

    def test_send_rules(self):
        url = self.new_fifo("rules")
        self.assertSqsError("MissingParameter", self.raw.send_message, QueueUrl=url,
                            MessageBody="x", MessageDeduplicationId="d")
        self.assertSqsError("InvalidParameterValue", self.sqs.send_message, QueueUrl=url,
                            MessageBody="x", MessageGroupId="g")
        self.assertSqsError("InvalidParameterValue", self.sqs.send_message, QueueUrl=url,
                            MessageBody="x", MessageGroupId="g", MessageDeduplicationId="d",
                            DelaySeconds=5)

    def test_order_sequence_numbers_and_system_attributes(self):
        url = self.new_fifo("order")
        attrs = {"k": {"DataType": "String", "StringValue": "v"}}
        sent = []
        for i in range(5):
            r = self.send(url, "m%d" % i, "g", dedup="d%d" % i, MessageAttributes=attrs)
            self.assertEqual(r["MD5OfMessageAttributes"], md5_of_attributes(attrs))
            sent.append(r)
        seqs = [r["SequenceNumber"] for r in sent]
        for s in seqs:
            self.assertTrue(s.isdigit() and len(s) >= 20, s)
        self.assertEqual([int(s) for s in seqs], sorted(int(s) for s in seqs))
        self.assertEqual(len(set(seqs)), 5)
        got = self.receive_all_attrs(url, MessageAttributeNames=["All"])
        self.assertEqual(self.bodies(got), ["m0", "m1", "m2", "m3", "m4"])
        for m, r in zip(got, sent):
            self.assertEqual(m["MessageId"], r["MessageId"])
            self.assertEqual(m["MD5OfBody"], md5_of_body(m["Body"]))
            self.assertEqual(m["MD5OfMessageAttributes"], md5_of_attributes(attrs))
            a = m["Attributes"]
            self.assertEqual(a["SequenceNumber"], r["SequenceNumber"])
            self.assertEqual(a["MessageGroupId"], "g")
            self.assertEqual(a["MessageDeduplicationId"], "d" + m["Body"][1:])

    def test_group_locked_while_in_flight_other_groups_flow(self):
        url = self.new_fifo("lock")
        for i in range(3):
            self.send(url, "a%d" % i, "A", dedup="a%d" % i)
            self.send(url, "b%d" % i, "B", dedup="b%d" % i)
        first = self.receive(url, MaxNumberOfMessages=1, VisibilityTimeout=60)
        self.assertEqual(self.bodies(first), ["a0"])
        rest = self.receive(url, MaxNumberOfMessages=10, VisibilityTimeout=60)
        self.assertEqual(self.bodies(rest), ["b0", "b1", "b2"])
        self.assertEqual(self.receive(url, MaxNumberOfMessages=10), [])
        self.delete(url, first)
        self.assertEqual(self.bodies(self.receive(url, MaxNumberOfMessages=10)), ["a1", "a2"])

    def test_long_poll_waits_for_the_group_and_wakes_on_delete(self):
        url = self.new_fifo("poll")
        self.send(url, "a1", "g", dedup="1")
        self.send(url, "a2", "g", dedup="2")
        first = self.receive(url, VisibilityTimeout=60)
        result = {}

        def poll():
            began = time.monotonic()
            result["messages"] = self.poller.receive_message(
                QueueUrl=url, WaitTimeSeconds=10).get("Messages", [])
            result["seconds"] = time.monotonic() - began

        t = threading.Thread(target=poll)
        t.start()
        time.sleep(0.5)
        self.assertNotIn("messages", result, "a2 came back while a1 held the group")
        self.delete(url, first)
        t.join(15)
        self.assertEqual(self.bodies(result.get("messages", [])), ["a2"])
        self.assertLess(result["seconds"], 5)

    def test_visibility_expiry_and_change_visibility_redeliver_in_order(self):
        url = self.new_fifo("vis")
        for i in range(3):
            self.send(url, "m%d" % i, "g", dedup=str(i))
        got = self.receive(url, MaxNumberOfMessages=2, VisibilityTimeout=1)
        self.assertEqual(self.bodies(got), ["m0", "m1"])
        time.sleep(1.5)
        again = self.receive_all_attrs(url, VisibilityTimeout=60)
        self.assertEqual(self.bodies(again), ["m0", "m1", "m2"])
        self.assertEqual(again[0]["Attributes"]["ApproximateReceiveCount"], "2")
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=again[0]["ReceiptHandle"],
                                           VisibilityTimeout=0)
        self.assertEqual(self.receive(url, MaxNumberOfMessages=10), [],
                         "m1 and m2 are still in flight")

    def test_group_released_by_an_earlier_handle_comes_back_beside_other_groups(self):
        url = self.new_fifo("cmvgroups")
        self.send(url, "g1-m1", "g1", dedup="1")
        first = self.receive(url, VisibilityTimeout=1)
        self.assertEqual(self.bodies(first), ["g1-m1"])
        time.sleep(1.5)
        # The expired handle (nobody received the message since) answers 200.
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"],
                                           VisibilityTimeout=60)
        second = self.receive(url, VisibilityTimeout=60)
        self.assertEqual(self.bodies(second), ["g1-m1"])
        self.send(url, "g2-m1", "g2", dedup="2")
        # The first receive's handle, after the second receive.
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"],
                                           VisibilityTimeout=0)
        got = self.receive_all_attrs(url, VisibilityTimeout=60)
        self.assertEqual(self.bodies(got), ["g2-m1", "g1-m1"])
        self.assertEqual(got[1]["Attributes"]["ApproximateReceiveCount"], "3")

    def test_deduplication(self):
        url = self.new_fifo("dedup")
        a = self.send(url, "first", "g", dedup="same")
        b = self.send(url, "second", "g", dedup="same")
        self.assertEqual(b["MessageId"], a["MessageId"])
        self.assertEqual(b["SequenceNumber"], a["SequenceNumber"])
        got = self.receive(url, MaxNumberOfMessages=10)
        self.assertEqual(self.bodies(got), ["first"])
        self.delete(url, got)
        c = self.send(url, "third", "g", dedup="same")
        self.assertEqual(c["MessageId"], a["MessageId"])
        self.assertEqual(self.receive(url, MaxNumberOfMessages=10), [])

    def test_content_based_deduplication(self):
        url = self.new_fifo("cbd", ContentBasedDeduplication="true")
        a = self.send(url, "same body", "g")
        b = self.send(url, "same body", "g")
        self.assertEqual(a["MessageId"], b["MessageId"])
        got = self.receive_all_attrs(url)
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0]["Attributes"]["MessageDeduplicationId"],
                         hashlib.sha256(b"same body").hexdigest())

    def test_message_group_scope(self):
        url = self.new_fifo("scope", DeduplicationScope="messageGroup",
                            FifoThroughputLimit="perMessageGroupId")
        a = self.send(url, "a", "g1", dedup="x")
        b = self.send(url, "b", "g2", dedup="x")
        c = self.send(url, "c", "g1", dedup="x")
        self.assertNotEqual(a["MessageId"], b["MessageId"])
        self.assertEqual(a["MessageId"], c["MessageId"])

    def test_batch(self):
        url = self.new_fifo("batch")
        entries = [{"Id": "e%d" % i, "MessageBody": "b%d" % i, "MessageGroupId": "g",
                    "MessageDeduplicationId": "d%d" % (i % 3)} for i in range(5)]
        r = self.raw.send_message_batch(QueueUrl=url, Entries=entries)
        ok = {e["Id"]: e for e in r["Successful"]}
        self.assertEqual(len(ok), 5)
        self.assertEqual(r.get("Failed", []), [])
        self.assertEqual(ok["e3"]["MessageId"], ok["e0"]["MessageId"])
        self.assertEqual(ok["e3"]["SequenceNumber"], ok["e0"]["SequenceNumber"])
        for e in entries[:5]:
            self.assertEqual(ok[e["Id"]]["MD5OfMessageBody"], md5_of_body(e["MessageBody"]))
        self.assertEqual(self.bodies(self.receive(url, MaxNumberOfMessages=10)),
                         ["b0", "b1", "b2"])

    def test_batch_entry_without_group_or_deduplication_id_fails_the_request(self):
        url = self.new_fifo("batchids")
        good = {"Id": "good", "MessageBody": "g", "MessageGroupId": "g",
                "MessageDeduplicationId": "1"}
        self.assertSqsError("MissingParameter", self.raw.send_message_batch, QueueUrl=url,
                            Entries=[good, {"Id": "nogroup", "MessageBody": "x",
                                            "MessageDeduplicationId": "z"}])
        err = self.assertSqsError("InvalidParameterValue", self.raw.send_message_batch,
                                  QueueUrl=url, Entries=[good, {"Id": "nodedup",
                                                                "MessageBody": "x",
                                                                "MessageGroupId": "g"}])
        self.assertEqual(err.response["Error"]["Message"],
                         "The queue should either have ContentBasedDeduplication enabled or "
                         "MessageDeduplicationId provided explicitly")
        self.assertEqual(self.receive(url, MaxNumberOfMessages=10), [])

    def test_receive_request_attempt_id(self):
        url = self.new_fifo("attempt")
        for i in range(3):
            self.send(url, "m%d" % i, "g", dedup=str(i))
        first = self.receive(url, MaxNumberOfMessages=2, VisibilityTimeout=60,
                             ReceiveRequestAttemptId="attempt-1")
        retry = self.receive(url, MaxNumberOfMessages=2, VisibilityTimeout=60,
                             ReceiveRequestAttemptId="attempt-1")
        self.assertEqual(self.bodies(first), ["m0", "m1"])
        self.assertEqual([m["ReceiptHandle"] for m in retry],
                         [m["ReceiptHandle"] for m in first])
        self.delete(url, first)
        self.assertEqual(self.bodies(self.receive(url, MaxNumberOfMessages=10)), ["m2"])

    def test_purge(self):
        url = self.new_fifo("purge")
        for i in range(3):
            self.send(url, "m%d" % i, "g", dedup=str(i))
        self.receive(url, VisibilityTimeout=60)
        self.sqs.purge_queue(QueueUrl=url)
        self.assertEqual(self.counts(url), (0, 0, 0))
        self.send(url, "after", "g", dedup="after")
        self.assertEqual(self.bodies(self.receive(url, MaxNumberOfMessages=10)), ["after"])

    def test_purge_clears_the_deduplication_window(self):
        url = self.new_fifo("purgededup")
        self.send(url, "before", "g", dedup="same")
        self.sqs.purge_queue(QueueUrl=url)
        self.send(url, "after", "g", dedup="same")
        self.assertEqual(self.bodies(self.receive(url, MaxNumberOfMessages=10)), ["after"])


class FairQueueTest(FifoTestCase):
    def test_noisy_group_does_not_starve_others(self):
        url = self.new_queue("fair")
        entries = [{"Id": "n%d" % i, "MessageBody": "noisy", "MessageGroupId": "noisy"}
                   for i in range(10)]
        for _ in range(5):
            self.sqs.send_message_batch(QueueUrl=url, Entries=entries)
        for g in ("t1", "t2", "t3"):
            self.sqs.send_message(QueueUrl=url, MessageBody=g, MessageGroupId=g)
        got = self.receive_all_attrs(url, VisibilityTimeout=60)
        self.assertEqual(len(got), 10)
        groups = [m["Attributes"]["MessageGroupId"] for m in got]
        for g in ("t1", "t2", "t3"):
            self.assertIn(g, groups, "group %s starved behind 50 noisy messages" % g)
        self.assertNotIn("SequenceNumber", got[0]["Attributes"])


if __name__ == "__main__":
    unittest.main()
