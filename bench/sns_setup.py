#!/usr/bin/env python3
"""Creates the fan-out benchmarks' topic: `fanout`, with 10 SQS queues
`fanout-0`..`fanout-9` subscribed to it, and prints the topic's ARN.

    bench/sns_setup.py ENDPOINT [plain|filtered|raw]

plain: envelopes (signed); filtered: envelopes, each subscription with a
five-key filter policy that loadgen's --publish-attributes messages match;
raw: raw delivery (no envelope, nothing to sign). SSE=off in the
environment creates the queues with SqsManagedSseEnabled=false (bodies
stored in plaintext; encryption at rest is on by default). Uses the boto3 of
the python3 running it, with test credentials unless the environment has
some.
"""
import json
import os
import sys

import boto3

ep = sys.argv[1]
mode = sys.argv[2] if len(sys.argv) > 2 else "plain"
for name, value in (("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test"),
                    ("AWS_DEFAULT_REGION", "us-east-1")):
    os.environ.setdefault(name, value)
sns = boto3.client("sns", endpoint_url=ep)
sqs = boto3.client("sqs", endpoint_url=ep)
arn = sns.create_topic(Name="fanout")["TopicArn"]
policy = json.dumps({"a": ["x"], "b": [{"prefix": "y"}], "c": [{"numeric": [">", 0]}],
                     "d": [{"exists": True}], "e": [{"anything-but": "z"}]})
for i in range(10):
    queue_attributes = {"SqsManagedSseEnabled": "false"} if os.environ.get("SSE") == "off" else {}
    url = sqs.create_queue(QueueName=f"fanout-{i}", Attributes=queue_attributes)["QueueUrl"]
    qarn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    attributes = {}
    if mode == "filtered":
        attributes = {"FilterPolicy": policy}
    elif mode == "raw":
        attributes = {"RawMessageDelivery": "true"}
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=qarn, Attributes=attributes)
print(arn)
