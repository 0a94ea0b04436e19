#include "cli/cli_app.h"

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <thread>

#include "cli/remote_invoker.h"

namespace ferry::cli {

CLI::App* AdminCommands::Add(CLI::App& app, const char* name, const char* description,
                             std::function<Status(Context&)> run) {
  CLI::App* sub = app.add_subcommand(name, description);
  auto* group =
      sub->add_option_group("connection", "Where the server is and how to sign (docs/cli.md)");
  group->add_option("--endpoint-url", flags_.endpoint_url,
                    "Server URL; else AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL, the profile's "
                    "endpoint_url, http://127.0.0.1:9324.");
  group->add_option("--region", flags_.region,
                    "Region to sign for; else AWS_REGION, AWS_DEFAULT_REGION, the profile's, "
                    "us-east-1.");
  group->add_option("--profile", flags_.profile,
                    "Profile of ~/.aws/credentials and ~/.aws/config; else AWS_PROFILE, default.");
  group->add_option("--ca-bundle", flags_.ca_bundle,
                    "PEM certificates to trust for https:// (else AWS_CA_BUNDLE).");
  group->add_flag("--no-verify-ssl", flags_.no_verify_ssl,
                  "INSECURE: do not verify the server's certificate.");
  sub->add_flag("--json", json_, "Print JSON (one document per line) instead of tables.");
  commands_.push_back({sub, std::move(run)});
  return sub;
}

AdminCommands::AdminCommands(CLI::App& app) {
  auto* queues = Add(app, "queues",
                     "List queues with their depth, in flight, delayed, oldest "
                     "message age and dead-letter queue.",
                     [this](Context& ctx) { return RunQueues(ctx, queues_); });
  queues->add_option("--prefix", queues_.prefix, "Only queues whose name starts with this.");

  auto* send = Add(app, "send", "Send a message to a queue (the body from --body or stdin).",
                   [this](Context& ctx) { return RunSend(ctx, send_); });
  send->add_option("queue,--queue", send_.queue, "Queue name, URL or ARN.")->required();
  auto* body = send->add_option("--body", send_body_, "Message body; else read from stdin.");
  send->add_option("--attribute", send_.attributes,
                   "Message attribute name=value (String), name:Number=42 or name:Binary=<base64>; "
                   "repeatable.")
      ->allow_extra_args(false);  // one value per --attribute: the queue may follow
  auto* delay = send->add_option("--delay", send_delay_, "DelaySeconds (0-900).");
  send->add_option("--group-id", send_.group_id, "MessageGroupId (FIFO queues).");
  send->add_option("--dedup-id", send_.dedup_id, "MessageDeduplicationId (FIFO queues).");
  send->callback([this, body, delay] {
    if (body->count() > 0) send_.body = send_body_;
    if (delay->count() > 0) send_.delay_seconds = send_delay_;
  });

  auto* receive = Add(app, "receive",
                      "Receive messages (they become invisible for the visibility timeout, and "
                      "their receive count grows); --delete consumes them.",
                      [this](Context& ctx) { return RunReceive(ctx, receive_); });
  receive->add_option("queue,--queue", receive_.queue, "Queue name, URL or ARN.")->required();
  receive->add_option("--max", receive_.max, "Messages to receive in all.")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  receive->add_option("--wait", receive_.wait_seconds, "Long-poll seconds (0-20).")
      ->check(CLI::Range(0, 20))
      ->capture_default_str();
  auto* visibility = receive->add_option("--visibility-timeout", receive_visibility_,
                                         "Visibility timeout of the received messages.");
  receive->add_flag("--delete", receive_.delete_after, "Delete each message once printed.");
  receive->callback([this, visibility] {
    if (visibility->count() > 0) receive_.visibility_timeout = receive_visibility_;
  });

  auto* peek = Add(app, "peek",
                   "Look at a queue's messages, oldest first, without receiving them: "
                   "visibility and receive counts do not change.",
                   [this](Context& ctx) { return RunPeek(ctx, peek_); });
  peek->add_option("queue,--queue", peek_.queue, "Queue name, URL or ARN.")->required();
  peek->add_option("--max", peek_.max, "Messages to show.")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  peek->add_flag("--all", peek_.all, "Every message, page after page (--max does not apply).");
  peek->add_option("--after", peek_.after,
                   "Start after this sequence number (the 'more after' of a previous peek).");
  peek->add_option("--state", peek_.states,
                   "Only messages in these states: visible,inflight,delayed (default: all).")
      ->allow_extra_args(false);
  peek->add_option("--filter", peek_.filters,
                   "Message attribute NAME=VALUE (a Number attribute: the same number), "
                   "NAME^=PREFIX, or NAME with --exists; repeatable, all must match.")
      ->allow_extra_args(false);
  peek->add_flag("--exists", peek_.exists,
                 "A --filter NAME without a value: the attribute is set.");
  peek->add_option("--contains", peek_.contains, "Only messages whose body contains this text.");
  peek->add_flag("--dlq", peek_.dead_letter_queue,
                 "Look at the queue's dead-letter queue (from its RedrivePolicy).");
  peek->add_flag("!--no-in-flight", peek_.include_in_flight, "Leave out in-flight messages.");
  peek->add_flag("!--no-delayed", peek_.include_delayed, "Leave out delayed messages.");

  auto* tail = Add(app, "tail",
                   "Follow a queue: print its messages and each new one as it arrives, without "
                   "receiving them; --delete consumes them instead. Stops on Ctrl-C or --count.",
                   [this](Context& ctx) { return RunTail(ctx, tail_); });
  tail->add_option("queue,--queue", tail_.queue, "Queue name, URL or ARN.")->required();
  tail->add_flag("--delete", tail_.delete_after,
                 "Consume: receive (long poll), print, then delete each message.");
  tail->add_flag("--new", tail_.only_new, "Only messages sent from now on (without --delete).");
  auto* count = tail->add_option("--count", tail_count_, "Stop after this many messages.");
  tail->callback([this, count] {
    if (count->count() > 0) tail_.count = tail_count_;
  });

  auto* redrive = Add(app, "redrive",
                      "Move a dead-letter queue's messages back to their source queues (or to "
                      "--to) and show the progress.",
                      [this](Context& ctx) { return RunRedrive(ctx, redrive_); });
  redrive->add_option("queue,--queue", redrive_.source, "The dead-letter queue: name, URL or ARN.")
      ->required();
  redrive->add_option("--to", redrive_.destination, "Destination queue (default: the sources).");
  auto* rate = redrive->add_option("--rate", redrive_rate_, "MaxNumberOfMessagesPerSecond.");
  redrive->add_flag("--no-wait", redrive_.no_wait, "Start the task and return at once.");
  redrive->callback([this, rate] {
    if (rate->count() > 0) redrive_.max_per_second = redrive_rate_;
  });

  auto* purge = Add(app, "purge", "Delete every message of a queue (asks first on a terminal).",
                    [this](Context& ctx) { return RunPurge(ctx, purge_); });
  purge->add_option("queue,--queue", purge_.queue, "Queue name, URL or ARN.")->required();
  purge->add_flag("-y,--yes", purge_.yes, "Do not ask.");

  auto* cancel = Add(app, "cancel",
                     "Cancel a scheduled (delayed) message by its MessageId; exit status 3 when "
                     "it was already visible or is not found.",
                     [this](Context& ctx) { return RunCancel(ctx, cancel_); });
  cancel->add_option("queue,--queue", cancel_.queue, "Queue name, URL or ARN.")->required();
  cancel
      ->add_option("message_id,--message-id", cancel_.message_id,
                   "The MessageId its send returned.")
      ->required();

  Add(app, "topics", "List SNS topics with their subscription counts.",
      [](Context& ctx) { return RunTopics(ctx); });

  auto* subscriptions =
      Add(app, "subscriptions", "List SNS subscriptions, of all topics or of --topic.",
          [this](Context& ctx) { return RunSubscriptions(ctx, subscriptions_); });
  subscriptions->add_option("topic,--topic", subscriptions_.topic, "Topic name or ARN.");

  auto* publish = Add(app, "publish", "Publish a message to an SNS topic.",
                      [this](Context& ctx) { return RunPublish(ctx, publish_); });
  publish->add_option("topic,--topic", publish_.topic, "Topic name or ARN.")->required();
  auto* message =
      publish->add_option("--message", publish_message_, "The message; else read from stdin.");
  publish->add_option("--subject", publish_.subject, "Subject (email-style deliveries).");
  publish
      ->add_option("--attribute", publish_.attributes,
                   "Message attribute, as for send; repeatable.")
      ->allow_extra_args(false);
  publish->add_option("--group-id", publish_.group_id, "MessageGroupId (FIFO topics).");
  publish->add_option("--dedup-id", publish_.dedup_id, "MessageDeduplicationId (FIFO topics).");
  publish->callback([this, message] {
    if (message->count() > 0) publish_.message = publish_message_;
  });

  auto* journey = Add(app, "journey",
                      "A message's history on the queues that keep journeys "
                      "(FerryMessageJourney): sent, received, moved, deleted, expired.",
                      [this](Context& ctx) { return RunJourney(ctx, journey_); });
  journey->add_option("message_id", journey_.message_id, "The message id.")->required();
  journey->add_option("--queue", journey_.queue, "Only this queue (name, URL or ARN).");

  Add(app, "status", "The server's health, readiness and key figures.",
      [](Context& ctx) { return RunStatus(ctx); });

  auto* apply = Add(app, "apply",
                    "Create or update the queues, topics and subscriptions a resources file "
                    "declares (docs/resources.md) on the running server.",
                    [this](Context& ctx) { return RunApply(ctx, apply_); });
  apply->add_option("file,--file", apply_.file, "The YAML resources file.")->required();
  apply->add_flag("--dry-run", apply_.dry_run, "Report what would change; change nothing.");
}

int AdminCommands::Exit(CLI::App& app, const CLI::ParseError& error) const {
  const int status = app.exit(error);
  if (status == 0) return 0;
  const bool admin = std::any_of(commands_.begin(), commands_.end(),
                                 [](const Command& c) { return c.app->parsed(); });
  return admin ? 2 : status;
}

std::optional<int> AdminCommands::RunParsed() {
  const Command* chosen = nullptr;
  for (const Command& c : commands_) {
    if (c.app->parsed()) chosen = &c;
  }
  if (chosen == nullptr) return std::nullopt;
  auto fail = [](const Status& st) {
    std::cerr << "ferry: " << st.message() << std::endl;
    return 1;
  };
  auto config = ResolveConfig(flags_, ProcessEnv());
  if (!config.ok()) return fail(config.status());
  auto invoker = RemoteInvoker::Create(std::move(*config));
  if (!invoker.ok()) return fail(invoker.status());
  RemoteInvoker& remote = **invoker;
  Context ctx{.api = remote,
              .out = std::cout,
              .err = std::cerr,
              .in = std::cin,
              .json = json_,
              .stdin_is_tty = isatty(STDIN_FILENO) == 1,
              .stdout_is_tty = isatty(STDOUT_FILENO) == 1,
              .sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); },
              .now = [] { return std::chrono::steady_clock::now(); },
              .get = [&remote](std::string_view path) -> Result<std::pair<unsigned, std::string>> {
                auto answer = remote.Get(path);
                if (!answer.ok()) return answer.status();
                return std::pair{answer->status, std::move(answer->body)};
              }};
  Status st = chosen->run(ctx);
  std::cout.flush();
  if (!st.ok()) return fail(st);
  return ctx.exit_status;
}

}  // namespace ferry::cli
