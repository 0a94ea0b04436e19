#!/usr/bin/env python3
"""Order fan-out: one topic, filtered queues, idempotent consumers, partial
batch failures.

The topic `orders` fans out to two queues (the names of
examples/orders/resources.yaml), each with a filter policy and a DLQ:
`orders` gets every order event, `inventory` only the events that move
stock (placed or cancelled, quantity above 0). Raw message delivery: the
queues hold the published JSON itself.

- The orders service pulls from `orders` with ReceiveMessage.
- The inventory service is pushed to: `inventory` has a FerryPushConsumer
  that POSTs batches (Lambda's SQS event format) to an HTTP endpoint this
  program runs. The endpoint fails some items the first time and lists them
  in batchItemFailures: only those come back, after the visibility timeout.
- Delivery is at least once, and the producer here publishes one event
  twice on purpose (a retried publish): both consumers are idempotent, keyed
  by the event's own id, and apply it once.

Exits 0 only if every event reached exactly the right consumers exactly once
and the stock figures are right.

    python3 examples/order-fanout/order-fanout.py --endpoint-url http://127.0.0.1:9324
"""

import collections
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import common  # noqa: E402

SECRET = "order-fanout-example-secret"
EVENTS = [  # (id, event, order, quantity)
    ("e1", "order_placed", "A", 2),
    ("e2", "order_placed", "B", 1),
    ("e3", "order_shipped", "A", 2),     # orders only: no stock moves
    ("e4", "order_cancelled", "B", 1),
    ("e5", "order_viewed", "C", 1),      # nobody subscribes to it
    ("e6", "order_placed", "E", 0),      # a gift card: quantity 0, orders only
    ("e7", "order_placed", "D", 5),
]
DUPLICATE = "e2"                # published twice
FAIL_FIRST_TIME = {"e4", "e7"}  # the inventory endpoint fails these once
ORDER_EVENTS = ["order_placed", "order_cancelled", "order_shipped"]


def setup(sqs, sns, push_url):
    """Queues, DLQs, topic and filtered subscriptions; safe to run again."""
    _, orders_dlq = common.ensure_queue(sqs, "orders-dlq")
    _, inventory_dlq = common.ensure_queue(sqs, "inventory-dlq")
    orders, orders_arn = common.ensure_queue(sqs, "orders", {
        "VisibilityTimeout": "60", "RedrivePolicy": common.redrive_policy(orders_dlq, 5)})
    inventory, inventory_arn = common.ensure_queue(sqs, "inventory", {
        "VisibilityTimeout": "2",  # failed items come back after 2 s
        "RedrivePolicy": common.redrive_policy(inventory_dlq, 3),
        "FerryPushConsumer": common.push_consumer(push_url, SECRET)})
    topic = sns.create_topic(Name="orders")["TopicArn"]
    filters = {
        orders_arn: {"event": ORDER_EVENTS},
        inventory_arn: {"event": ["order_placed", "order_cancelled"],
                        "quantity": [{"numeric": [">", 0]}]},
    }
    existing = {s["Endpoint"]: s["SubscriptionArn"] for s in
                sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]}
    for queue_arn, policy in filters.items():
        attributes = {"RawMessageDelivery": "true", "FilterPolicy": json.dumps(policy)}
        if queue_arn in existing:  # same endpoint, other attributes: update
            for name, value in attributes.items():
                sns.set_subscription_attributes(SubscriptionArn=existing[queue_arn],
                                                AttributeName=name, AttributeValue=value)
        else:
            sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                          Attributes=attributes)
    for url in (orders, inventory):
        common.drain(sqs, url)
    return topic, orders, inventory


class Inventory:
    """The pushed-to consumer: stock per order line, idempotent by event id.
    Batches may arrive concurrently; the lock stands for the database
    transaction that records an event id and applies it together."""

    def __init__(self):
        self.lock = threading.Lock()
        self.applied = []                       # event ids, in order applied
        self.deliveries = collections.Counter()  # event id -> times pushed
        self.stock = collections.Counter()

    def handle(self, records):
        failures = []
        for record in records:
            event = json.loads(record["body"])
            if event.get("run") != common.RUN_ID:
                continue  # an earlier run's leftover: let it be deleted
            with self.lock:
                self.deliveries[event["id"]] += 1
                first_time = self.deliveries[event["id"]] == 1
                if event["id"] in FAIL_FIRST_TIME and first_time:
                    common.say("inventory: %s failed (stock service busy)" % event["id"])
                    failures.append({"itemIdentifier": record["messageId"]})
                elif event["id"] in self.applied:
                    common.say("inventory: %s already applied, skipped" % event["id"])
                else:
                    sign = -1 if event["event"] == "order_placed" else 1
                    self.stock[event["order"]] += sign * event["quantity"]
                    self.applied.append(event["id"])
                    common.say("inventory: %s %s applied" % (event["id"], event["event"]))
        # 2xx: Ferry deletes the batch except the failed items.
        return 200, {"batchItemFailures": failures}


def consume_orders(sqs, url, expected, timeout=20):
    """The pulling consumer of `orders`, idempotent by event id."""
    applied, duplicates = [], 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (sorted(applied) != expected or duplicates < 1):
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                     WaitTimeSeconds=1).get("Messages", []):
            event = json.loads(m["Body"])
            if event.get("run") == common.RUN_ID:
                if event["id"] in applied:
                    duplicates += 1
                    common.say("orders: %s seen again, skipped" % event["id"])
                else:
                    applied.append(event["id"])
                    common.say("orders: %s %s for order %s"
                               % (event["id"], event["event"], event["order"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return applied, duplicates


def main():
    args = common.arg_parser(__doc__.splitlines()[0]).parse_args()
    sqs, sns = common.clients(args.endpoint_url)
    inventory = Inventory()
    endpoint = common.PushEndpoint(SECRET, inventory.handle)
    topic, orders_url, inventory_url = setup(sqs, sns, endpoint.url)
    try:
        for event_id, event, order, quantity in EVENTS + [EVENTS[1]]:
            body = {"run": common.RUN_ID, "id": event_id, "event": event,
                    "order": order, "quantity": quantity}
            sns.publish(TopicArn=topic, Message=json.dumps(body), MessageAttributes={
                "event": {"DataType": "String", "StringValue": event},
                "quantity": {"DataType": "Number", "StringValue": str(quantity)}})
            common.say("published %s %s (order %s, quantity %d)"
                       % (event_id, event, order, quantity))

        to_orders = sorted(e[0] for e in EVENTS if e[1] in ORDER_EVENTS)
        applied, duplicates = consume_orders(sqs, orders_url, to_orders)
        to_inventory = sorted(e[0] for e in EVENTS if e[1] in ORDER_EVENTS[:2] and e[3] > 0)
        common.wait_until(lambda: sorted(inventory.applied) == to_inventory and
                          inventory.deliveries[DUPLICATE] >= 2, 30, "the inventory pushes")
        common.wait_until(lambda: queue_empty(sqs, inventory_url), 10, "inventory to empty")
    finally:
        common.stop_pushing(sqs, inventory_url)
        endpoint.close()

    common.say("orders applied %s (%d duplicate skipped)" % (sorted(applied), duplicates))
    common.say("inventory applied %s, pushes per event %s, stock %s" % (
        sorted(inventory.applied), dict(inventory.deliveries), dict(inventory.stock)))
    assert sorted(applied) == to_orders and duplicates == 1, applied
    assert sorted(inventory.applied) == to_inventory, inventory.applied
    assert inventory.deliveries[DUPLICATE] == 2  # delivered twice, applied once
    assert all(inventory.deliveries[e] == 2 for e in FAIL_FIRST_TIME)  # failed, then retried
    assert inventory.stock == {"A": -2, "B": 0, "D": -5}, inventory.stock
    assert endpoint.bad_signatures == 0
    assert queue_empty(sqs, inventory_url) and queue_empty(sqs, orders_url)
    common.say("OK: every order event reached the right consumers and was applied once")


def queue_empty(sqs, url):
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    figures = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return all(figures[n] == "0" for n in names)


if __name__ == "__main__":
    main()
