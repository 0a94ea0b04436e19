"""SendMessage(Batch), DeleteMessage(Batch), ChangeMessageVisibility(Batch),
PurgeQueue and the AWSTraceHeader system attribute."""

import time
import unittest

import ferry_e2e
from ferry_e2e import (SAMPLE_ATTRIBUTES, SqsTestCase, md5_of_attributes, md5_of_body,
                       normalise_attributes)

TRACE = {"AWSTraceHeader": {
    "DataType": "String",
    "StringValue": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"}}


class SendMessageTest(SqsTestCase):
    def test_send_plain(self):
        url = self.new_queue("send")
        body = "hello ferry"
        sent = self.sqs.send_message(QueueUrl=url, MessageBody=body)
        self.assertRegex(sent["MessageId"], r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
                                            r"[0-9a-f]{4}-[0-9a-f]{12}$")
        self.assertEqual(sent["MD5OfMessageBody"], md5_of_body(body))
        self.assertNotIn("MD5OfMessageAttributes", sent)
        self.assertNotIn("SequenceNumber", sent)
        msgs = self.receive(url)
        self.assertEqual(len(msgs), 1)
        m = msgs[0]
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(m["Body"], body)
        self.assertEqual(m["MD5OfBody"], md5_of_body(body))
        self.assertTrue(m["ReceiptHandle"])
        self.assertNotIn("MessageAttributes", m)
        self.assertNotIn("MD5OfMessageAttributes", m)

    def test_send_with_attributes_md5(self):
        url = self.new_queue("sendattrs")
        body = "with attributes"
        sent = self.sqs.send_message(QueueUrl=url, MessageBody=body,
                                     MessageAttributes=SAMPLE_ATTRIBUTES)
        self.assertEqual(sent["MD5OfMessageBody"], md5_of_body(body))
        self.assertEqual(sent["MD5OfMessageAttributes"], md5_of_attributes(SAMPLE_ATTRIBUTES))
        m = self.receive(url, MessageAttributeNames=["All"])[0]
        self.assertEqual(m["Body"], body)
        self.assertEqual(m["MD5OfBody"], md5_of_body(body))
        self.assertEqual(normalise_attributes(m["MessageAttributes"]),
                         normalise_attributes(SAMPLE_ATTRIBUTES))
        self.assertEqual(m["MD5OfMessageAttributes"], md5_of_attributes(SAMPLE_ATTRIBUTES))

    def test_attribute_digest_known_vector(self):
        # Digest of a fixed attribute set, computed independently of the helper:
        # 00000001 'a' 00000006 'String' 01 00000001 'b'
        import hashlib
        raw = (b"\x00\x00\x00\x01a\x00\x00\x00\x06String\x01\x00\x00\x00\x01b")
        self.assertEqual(md5_of_attributes({"a": {"DataType": "String", "StringValue": "b"}}),
                         hashlib.md5(raw).hexdigest())
        url = self.new_queue("vector")
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="v", MessageAttributes={
            "a": {"DataType": "String", "StringValue": "b"}})
        self.assertEqual(sent["MD5OfMessageAttributes"], hashlib.md5(raw).hexdigest())

    def test_send_with_delay_parameter(self):
        url = self.new_queue("senddelay")
        self.sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=60)
        self.assertEqual(self.counts(url), (0, 0, 1))
        self.assertEqual(self.receive(url), [])

    def test_trace_header_round_trip(self):
        url = self.new_queue("trace")
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="traced",
                                     MessageSystemAttributes=TRACE)
        self.assertEqual(sent["MD5OfMessageSystemAttributes"], md5_of_attributes(TRACE))
        m = self.receive(url, VisibilityTimeout=0,
                         **self.system_attribute_kwargs(["AWSTraceHeader"]))[0]
        self.assertEqual(m["Attributes"], {"AWSTraceHeader": TRACE["AWSTraceHeader"]["StringValue"]})
        m = self.receive(url, VisibilityTimeout=0, **self.system_attribute_kwargs(["All"]))[0]
        self.assertEqual(m["Attributes"]["AWSTraceHeader"],
                         TRACE["AWSTraceHeader"]["StringValue"])
        # Not asked for: not returned.
        m = self.receive(url, VisibilityTimeout=0)[0]
        self.assertNotIn("AWSTraceHeader", m.get("Attributes", {}))

    def test_trace_header_in_batch(self):
        url = self.new_queue("tracebatch")
        res = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "t", "MessageBody": "traced", "MessageSystemAttributes": TRACE}])
        self.assertEqual(res["Successful"][0]["MD5OfMessageSystemAttributes"],
                         md5_of_attributes(TRACE))
        m = self.receive(url, **self.system_attribute_kwargs(["AWSTraceHeader"]))[0]
        self.assertEqual(m["Attributes"]["AWSTraceHeader"],
                         TRACE["AWSTraceHeader"]["StringValue"])


    def test_x_amzn_trace_id_header_becomes_aws_trace_header(self):
        url = self.new_queue("traceheader")
        header = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"

        def add_trace_header(request, **_):
            request.headers["X-Amzn-Trace-Id"] = header

        import boto3
        client = ferry_e2e.sqs_client(session=boto3.session.Session())
        client.meta.events.register("before-sign.sqs.SendMessage", add_trace_header)
        client.meta.events.register("before-sign.sqs.SendMessageBatch", add_trace_header)
        client.send_message(QueueUrl=url, MessageBody="single")
        client.send_message_batch(QueueUrl=url, Entries=[{"Id": "b", "MessageBody": "batched"}])
        client.send_message(QueueUrl=url, MessageBody="own", MessageSystemAttributes=TRACE)
        got = self.receive_n(url, 3, **self.system_attribute_kwargs(["AWSTraceHeader"]))
        traces = {m["Body"]: m.get("Attributes", {}).get("AWSTraceHeader") for m in got}
        self.assertEqual(traces, {"single": header, "batched": header,
                                  "own": TRACE["AWSTraceHeader"]["StringValue"]})


class SendMessageBatchTest(SqsTestCase):
    def test_batch_success(self):
        url = self.new_queue("batch")
        entries = [
            {"Id": "plain", "MessageBody": "one"},
            {"Id": "with_attrs", "MessageBody": "two", "MessageAttributes": SAMPLE_ATTRIBUTES},
            {"Id": "delayed-3", "MessageBody": "three", "DelaySeconds": 60},
        ]
        res = self.sqs.send_message_batch(QueueUrl=url, Entries=entries)
        self.assertEqual(res.get("Failed", []), [])
        ok = {e["Id"]: e for e in res["Successful"]}
        self.assertEqual(set(ok), {"plain", "with_attrs", "delayed-3"})
        for entry in entries:
            got = ok[entry["Id"]]
            self.assertTrue(got["MessageId"])
            self.assertEqual(got["MD5OfMessageBody"], md5_of_body(entry["MessageBody"]))
            if "MessageAttributes" in entry:
                self.assertEqual(got["MD5OfMessageAttributes"],
                                 md5_of_attributes(entry["MessageAttributes"]))
            else:
                self.assertNotIn("MD5OfMessageAttributes", got)
        self.assertEqual(len({e["MessageId"] for e in res["Successful"]}), 3)
        self.assertEqual(self.counts(url), (2, 0, 1))
        got = self.receive_n(url, 2, MessageAttributeNames=["All"])
        by_body = {m["Body"]: m for m in got}
        self.assertEqual(set(by_body), {"one", "two"})
        self.assertEqual(by_body["two"]["MessageId"], ok["with_attrs"]["MessageId"])
        self.assertEqual(by_body["two"]["MD5OfMessageAttributes"],
                         md5_of_attributes(SAMPLE_ATTRIBUTES))

    def test_batch_of_ten(self):
        url = self.new_queue("batch10")
        entries = [{"Id": "m%d" % i, "MessageBody": "body %d" % i} for i in range(10)]
        res = self.sqs.send_message_batch(QueueUrl=url, Entries=entries)
        self.assertEqual(len(res["Successful"]), 10)
        self.assertEqual(self.counts(url)[0], 10)
        # AWS leaves an empty Failed list out of the answer.
        self.assertNotIn("Failed", res)

    def test_batch_partial_failure(self):
        url = self.new_queue("partial")
        res = self.raw.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "good", "MessageBody": "fine"},
            {"Id": "bad", "MessageBody": "nul \x00 char"},
        ])
        self.assertEqual(res["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual([e["Id"] for e in res.get("Successful", [])], ["good"])
        failed = res.get("Failed", [])
        self.assertEqual(len(failed), 1, failed)
        self.assertEqual(failed[0]["Id"], "bad")
        self.assertIs(failed[0]["SenderFault"], True)
        self.assertEqual(failed[0]["Code"], "InvalidMessageContents")
        msgs = self.receive_n(url, 1)
        self.assertEqual([m["Body"] for m in msgs], ["fine"])


class DeleteMessageTest(SqsTestCase):
    def test_delete(self):
        url = self.new_queue("delete")
        self.sqs.send_message(QueueUrl=url, MessageBody="bye")
        m = self.receive(url, VisibilityTimeout=0)[0]
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.assertEqual(self.counts(url), (0, 0, 0))
        self.assertEqual(self.receive(url), [])
        # Deleting an already deleted message with a well-formed handle succeeds.
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

    def test_delete_batch(self):
        url = self.new_queue("delbatch")
        for i in range(3):
            self.sqs.send_message(QueueUrl=url, MessageBody="m%d" % i)
        msgs = self.receive_n(url, 3, VisibilityTimeout=60)
        self.assertEqual(len(msgs), 3)
        res = self.sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": "e%d" % i, "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(msgs)])
        self.assertEqual(sorted(e["Id"] for e in res["Successful"]), ["e0", "e1", "e2"])
        self.assertEqual(res.get("Failed", []), [])
        self.assertEqual(self.counts(url), (0, 0, 0))

    def test_delete_batch_partial_failure(self):
        url = self.new_queue("delpartial")
        self.sqs.send_message(QueueUrl=url, MessageBody="m")
        m = self.receive(url, VisibilityTimeout=60)[0]
        res = self.sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": "good", "ReceiptHandle": m["ReceiptHandle"]},
            {"Id": "bad", "ReceiptHandle": "not-a-receipt-handle"}])
        self.assertEqual(res["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual([e["Id"] for e in res["Successful"]], ["good"])
        self.assertEqual(len(res["Failed"]), 1)
        self.assertEqual(res["Failed"][0]["Id"], "bad")
        self.assertEqual(res["Failed"][0]["Code"], "ReceiptHandleIsInvalid")
        self.assertIs(res["Failed"][0]["SenderFault"], True)
        self.assertEqual(self.counts(url), (0, 0, 0))


class ChangeVisibilityTest(SqsTestCase):
    def test_zero_releases_at_once(self):
        url = self.new_queue("cmv0")
        self.sqs.send_message(QueueUrl=url, MessageBody="again")
        m = self.receive(url, VisibilityTimeout=300)[0]
        self.assertEqual(self.receive(url), [])
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                           VisibilityTimeout=0)
        again = self.receive(url, **self.system_attribute_kwargs(["ApproximateReceiveCount"]))
        self.assertEqual(len(again), 1)
        self.assertEqual(again[0]["MessageId"], m["MessageId"])
        self.assertEqual(again[0]["Attributes"]["ApproximateReceiveCount"], "2")

    def test_expired_handle_answers_200_and_leaves_the_message_visible(self):
        url = self.new_queue("cmvexpired")
        self.sqs.send_message(QueueUrl=url, MessageBody="m")
        m = self.receive(url, VisibilityTimeout=1)[0]
        time.sleep(1.5)
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                           VisibilityTimeout=300)
        self.assertEqual(self.counts(url), (1, 0, 0))

    def test_first_receives_handle_releases_the_message_after_a_second_receive(self):
        url = self.new_queue("cmvold")
        self.sqs.send_message(QueueUrl=url, MessageBody="m")
        first = self.receive(url, VisibilityTimeout=1)[0]
        time.sleep(1.5)
        second = self.receive(url, VisibilityTimeout=300)[0]
        self.assertEqual(second["MessageId"], first["MessageId"])
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"],
                                           VisibilityTimeout=0)
        third = self.receive(url, **self.system_attribute_kwargs(["ApproximateReceiveCount"]))
        self.assertEqual([m["MessageId"] for m in third], [first["MessageId"]])
        self.assertEqual(third[0]["Attributes"]["ApproximateReceiveCount"], "3")

    def test_batch(self):
        url = self.new_queue("cmvbatch")
        for i in range(2):
            self.sqs.send_message(QueueUrl=url, MessageBody="m%d" % i)
        msgs = self.receive_n(url, 2, VisibilityTimeout=300)
        self.assertEqual(len(msgs), 2)
        self.assertEqual(self.counts(url), (0, 2, 0))
        res = self.sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
            {"Id": "a", "ReceiptHandle": msgs[0]["ReceiptHandle"], "VisibilityTimeout": 0},
            {"Id": "b", "ReceiptHandle": msgs[1]["ReceiptHandle"], "VisibilityTimeout": 0},
            {"Id": "c", "ReceiptHandle": "garbage-handle", "VisibilityTimeout": 0}])
        self.assertEqual(sorted(e["Id"] for e in res["Successful"]), ["a", "b"])
        self.assertEqual([(e["Id"], e["Code"], e["SenderFault"]) for e in res["Failed"]],
                         [("c", "ReceiptHandleIsInvalid", True)])
        self.assertEqual(self.counts(url), (2, 0, 0))
        self.assertEqual(len(self.receive_n(url, 2)), 2)


class PurgeQueueTest(SqsTestCase):
    def test_purge(self):
        url = self.new_queue("purge")
        for i in range(3):
            self.sqs.send_message(QueueUrl=url, MessageBody="m%d" % i)
        self.sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=60)
        self.receive(url, VisibilityTimeout=300)
        self.sqs.purge_queue(QueueUrl=url)
        self.assertEqual(self.counts(url), (0, 0, 0))
        self.assertEqual(self.receive(url), [])
        # The queue itself survives and takes new messages.
        self.sqs.send_message(QueueUrl=url, MessageBody="after purge")
        self.assertEqual([m["Body"] for m in self.receive_n(url, 1)], ["after purge"])

    def test_second_purge_within_60s(self):
        url = self.new_queue("purge2")
        self.sqs.purge_queue(QueueUrl=url)
        self.assertSqsError("AWS.SimpleQueueService.PurgeQueueInProgress",
                            self.sqs.purge_queue, QueueUrl=url, status=403,
                            shape="PurgeQueueInProgress")

    def test_purge_nonexistent(self):
        url = self.new_queue("purgegone")
        self.sqs.delete_queue(QueueUrl=url)
        self.assertSqsError("AWS.SimpleQueueService.NonExistentQueue",
                            self.sqs.purge_queue, QueueUrl=url, shape="QueueDoesNotExist")


if __name__ == "__main__":
    unittest.main()
