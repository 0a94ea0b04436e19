#include "cli/commands.h"

#include <algorithm>
#include <istream>
#include <iterator>
#include <map>
#include <ostream>

#include "cli/json_fields.h"
#include "cli/output.h"
#include "cli/resolve.h"
#include "common/crypto.h"
#include "resources/apply.h"

namespace ferry::cli {
namespace {

namespace json = boost::json;

constexpr size_t kBodyColumnChars = 60;
constexpr int kMaxReceiveBatch = 10;
constexpr int kMaxPeekPage = 100;
constexpr double kMinRateSeconds = 0.25;

std::string Count(int64_t n) { return n < 0 ? "-" : std::to_string(n); }

int64_t NowEpochMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A message's age from its SentTimestamp (ms since the epoch; a number from
// the admin API, a string in SQS's Attributes).
std::string AgeOf(const json::object& message) {
  int64_t sent = Int(message, "SentTimestamp");
  if (sent < 0) {
    const json::value* attrs = message.if_contains("Attributes");
    if (attrs != nullptr && attrs->is_object()) sent = Int(attrs->as_object(), "SentTimestamp");
  }
  if (sent < 0) return "-";
  return FormatAge(std::max<int64_t>(0, (NowEpochMs() - sent) / 1000));
}

std::string ReceivesOf(const json::object& message) {
  int64_t n = Int(message, "ApproximateReceiveCount");
  if (n < 0) {
    const json::value* attrs = message.if_contains("Attributes");
    if (attrs != nullptr && attrs->is_object()) {
      n = Int(attrs->as_object(), "ApproximateReceiveCount");
    }
  }
  return Count(n);
}

Result<std::string> ReadAll(std::istream& in) {
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::Unavailable("cannot read standard input");
  return text;
}

// The body from an option or stdin; stdin from a terminal would wait for
// typing the user likely did not mean, so it is a usage error there.
Result<std::string> BodyFrom(Context& ctx, const std::optional<std::string>& given,
                             std::string_view flag) {
  if (given) return *given;
  if (ctx.stdin_is_tty) {
    return Status::InvalidArgument("give " + std::string(flag) + " or pipe it on standard input");
  }
  return ReadAll(ctx.in);
}

Result<json::object> Attributes(const std::vector<std::string>& specs) {
  json::object attributes;
  for (const auto& spec : specs) {
    auto parsed = ParseAttribute(spec);
    if (!parsed.ok()) return parsed.status();
    attributes[parsed->first] = std::move(parsed->second);
  }
  return attributes;
}

// A table, or what there is none of when it has no rows.
void PrintTable(Context& ctx, const Table& table, std::string_view none) {
  if (table.rows() == 0) {
    ctx.out << none << '\n';
  } else {
    table.Print(ctx.out);
  }
}

// What send and publish share: the body (`body_key`: MessageBody or
// Message) from its option or stdin, the attributes and the FIFO ids.
Result<json::object> MessageFields(Context& ctx, const std::optional<std::string>& body,
                                   std::string_view flag, std::string_view body_key,
                                   const std::vector<std::string>& attribute_specs,
                                   const std::string& group_id, const std::string& dedup_id) {
  auto text = BodyFrom(ctx, body, flag);
  if (!text.ok()) return text.status();
  auto attributes = Attributes(attribute_specs);
  if (!attributes.ok()) return attributes.status();
  json::object fields{{body_key, *text}};
  if (!attributes->empty()) fields["MessageAttributes"] = std::move(*attributes);
  if (!group_id.empty()) fields["MessageGroupId"] = group_id;
  if (!dedup_id.empty()) fields["MessageDeduplicationId"] = dedup_id;
  return fields;
}

// The body of a received message must be what its MD5OfBody says: the
// check the Java, Go and JavaScript SDKs make.
Status CheckBodyDigest(const json::object& message) {
  const std::string expected = Str(message, "MD5OfBody");
  if (expected.empty() || Md5Hex(Str(message, "Body")) == expected) return Status::Ok();
  return Status::Internal("message " + Str(message, "MessageId") +
                          ": the body does not match its MD5OfBody");
}

// People's view of received messages: one row each (peek has its own,
// peek.h).
class MessageTable {
 public:
  MessageTable() : table_({{"MESSAGE ID"}, {"RECEIVES", true}, {"AGE", true}, {"BODY"}}) {}
  void Add(const json::object& m) {
    table_.AddRow(
        {Str(m, "MessageId"), ReceivesOf(m), AgeOf(m), OneLine(Str(m, "Body"), kBodyColumnChars)});
  }
  void Print(std::ostream& out) const {
    if (table_.rows() == 0) {
      out << "no messages\n";
    } else {
      table_.Print(out);
    }
  }

 private:
  Table table_;
};

// One line per message as tail prints them, for people.
void PrintTailLine(std::ostream& out, const json::object& m) {
  std::string state = Str(m, "State");
  out << Str(m, "MessageId") << "  " << (state.empty() ? "" : state + "  ")
      << OneLine(Str(m, "Body"), 120) << '\n';
  out.flush();
}

Result<json::array> Receive(Context& ctx, const std::string& url, int max, int wait,
                            const std::optional<int>& visibility_timeout) {
  json::object params{{"QueueUrl", url},
                      {"MaxNumberOfMessages", max},
                      {"WaitTimeSeconds", wait},
                      {"AttributeNames", json::array{"All"}},
                      {"MessageSystemAttributeNames", json::array{"All"}},
                      {"MessageAttributeNames", json::array{"All"}}};
  if (visibility_timeout) params["VisibilityTimeout"] = *visibility_timeout;
  auto answer = ctx.api.Invoke("sqs", "ReceiveMessage", std::move(params));
  if (!answer.ok()) return answer.status();
  json::array messages = ArrayOf(*answer, "Messages");
  for (const json::value& m : messages) {
    if (m.is_object()) FERRY_RETURN_IF_ERROR(CheckBodyDigest(m.as_object()));
  }
  return messages;
}

Status DeleteAll(Context& ctx, const std::string& url, const json::array& messages) {
  if (messages.empty()) return Status::Ok();
  json::array entries;
  for (size_t i = 0; i < messages.size(); ++i) {
    entries.push_back(
        json::object{{"Id", std::to_string(i)},
                     {"ReceiptHandle", Str(messages[i].as_object(), "ReceiptHandle")}});
  }
  auto answer = ctx.api.Invoke("sqs", "DeleteMessageBatch",
                               {{"QueueUrl", url}, {"Entries", std::move(entries)}});
  if (!answer.ok()) return answer.status();
  const json::array& failed = ArrayOf(*answer, "Failed");
  if (!failed.empty() && failed[0].is_object()) {
    const auto& f = failed[0].as_object();
    return Status::Internal(Str(f, "Code") + ": " + Str(f, "Message"));
  }
  return Status::Ok();
}

Result<json::object> Peek(Context& ctx, const std::string& url, int max,
                          const std::string& start_after, bool in_flight, bool delayed) {
  json::object params{{"QueueUrl", url},
                      {"MaxNumberOfMessages", max},
                      {"IncludeInFlight", in_flight},
                      {"IncludeDelayed", delayed}};
  if (!start_after.empty()) params["StartAfterSequence"] = start_after;
  return ctx.api.Invoke("ferry", "PeekMessages", std::move(params));
}

// Where the next peek starts: after the answer's NextSequence, else after
// its last message, else where it started.
std::string NextStart(const json::object& answer, const std::string& current) {
  std::string next = Str(answer, "NextSequence");
  if (!next.empty()) return next;
  const json::array& messages = ArrayOf(answer, "Messages");
  if (!messages.empty() && messages.back().is_object()) {
    std::string last = Str(messages.back().as_object(), "SequenceNumber");
    if (!last.empty()) return last;
  }
  return current;
}

Status TailByPeek(Context& ctx, const std::string& url, const TailOptions& options) {
  std::string start;
  uint64_t printed = 0;
  bool skipping = options.only_new;
  for (;;) {
    auto answer = Peek(ctx, url, kMaxPeekPage, start, true, true);
    if (!answer.ok()) return answer.status();
    const json::array& messages = ArrayOf(*answer, "Messages");
    if (!skipping) {
      for (const json::value& m : messages) {
        if (!m.is_object()) continue;
        if (ctx.json) {
          PrintJsonLine(ctx.out, m);
          ctx.out.flush();
        } else {
          PrintTailLine(ctx.out, m.as_object());
        }
        if (options.count && ++printed >= *options.count) return Status::Ok();
      }
    }
    start = NextStart(*answer, start);
    // A full page means more is there now; otherwise wait for news.
    if (messages.size() < static_cast<size_t>(kMaxPeekPage)) {
      skipping = false;
      ctx.sleep(options.poll_interval);
    }
  }
}

Status TailByReceive(Context& ctx, const std::string& url, const TailOptions& options) {
  uint64_t printed = 0;
  for (;;) {
    int max = kMaxReceiveBatch;
    if (options.count) max = static_cast<int>(std::min<uint64_t>(max, *options.count - printed));
    auto messages = Receive(ctx, url, max, options.wait_seconds, std::nullopt);
    if (!messages.ok()) return messages.status();
    for (const json::value& m : *messages) {
      if (ctx.json) {
        PrintJsonLine(ctx.out, m);
        ctx.out.flush();
      } else {
        PrintTailLine(ctx.out, m.as_object());
      }
    }
    // Printed first, deleted after: a crash in between shows a message
    // twice rather than never.
    FERRY_RETURN_IF_ERROR(DeleteAll(ctx, url, *messages));
    printed += messages->size();
    if (options.count && printed >= *options.count) return Status::Ok();
  }
}

// The newest move task of a source queue, as ListMessageMoveTasks lists it.
Result<json::object> LatestTask(Context& ctx, const std::string& source_arn) {
  auto answer =
      ctx.api.Invoke("sqs", "ListMessageMoveTasks", {{"SourceArn", source_arn}, {"MaxResults", 1}});
  if (!answer.ok()) return answer.status();
  const json::array& results = ArrayOf(*answer, "Results");
  if (results.empty() || !results[0].is_object()) {
    return Status::NotFound("no move task found for " + source_arn);
  }
  return results[0].as_object();
}

// Whether a server answered that it has no such action: not Ferry, or a
// Ferry without the admin service.
bool IsUnknownAction(const Status& st) {
  return st.message().starts_with("UnknownOperationException") ||
         st.message().starts_with("InvalidAction");
}

// ListQueueStats' answer built from plain SQS actions (ListQueues and each
// queue's attributes), for servers without the admin service: no oldest
// message age and no counters.
Result<json::object> QueueStatsFromSqs(Context& ctx, const std::string& prefix) {
  json::array queues;
  std::string next_token;
  do {
    json::object params{{"MaxResults", 1000}};
    if (!prefix.empty()) params["QueueNamePrefix"] = prefix;
    if (!next_token.empty()) params["NextToken"] = next_token;
    auto listed = ctx.api.Invoke("sqs", "ListQueues", std::move(params));
    if (!listed.ok()) return listed.status();
    for (const json::value& url : ArrayOf(*listed, "QueueUrls")) {
      if (!url.is_string()) continue;
      auto answer = ctx.api.Invoke("sqs", "GetQueueAttributes",
                                   {{"QueueUrl", url}, {"AttributeNames", json::array{"All"}}});
      if (!answer.ok()) continue;  // deleted since it was listed
      json::object attrs;
      if (const json::value* a = answer->if_contains("Attributes"); a && a->is_object()) {
        attrs = a->as_object();
      }
      json::object q{{"QueueName", NameOf(url.get_string())},
                     {"QueueUrl", url},
                     {"QueueArn", Str(attrs, "QueueArn")},
                     {"Fifo", Str(attrs, "FifoQueue") == "true"},
                     {"Visible", Int(attrs, "ApproximateNumberOfMessages")},
                     {"InFlight", Int(attrs, "ApproximateNumberOfMessagesNotVisible")},
                     {"Delayed", Int(attrs, "ApproximateNumberOfMessagesDelayed")}};
      boost::system::error_code ec;
      json::value redrive = json::parse(Str(attrs, "RedrivePolicy"), ec);
      if (!ec && redrive.is_object()) {
        q["DeadLetterTargetArn"] = Str(redrive.as_object(), "deadLetterTargetArn");
        q["MaxReceiveCount"] = Int(redrive.as_object(), "maxReceiveCount");
      }
      queues.push_back(std::move(q));
    }
    next_token = Str(*listed, "NextToken");
  } while (!next_token.empty());
  return json::object{{"Queues", std::move(queues)}};
}

}  // namespace

Result<std::pair<std::string, json::object>> ParseAttribute(std::string_view text) {
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return Status::InvalidArgument("attribute '" + std::string(text) +
                                   "' is not name=value (or name:Number=value)");
  }
  std::string_view name = text.substr(0, eq);
  std::string_view value = text.substr(eq + 1);
  std::string type = "String";
  if (size_t colon = name.find(':'); colon != std::string_view::npos) {
    type = std::string(name.substr(colon + 1));
    name = name.substr(0, colon);
  }
  json::object attribute{{"DataType", type}};
  // Custom types ("Number.float") keep their base type's value field.
  if (type.starts_with("Binary")) {
    attribute["BinaryValue"] = value;  // base64 in the JSON protocol
  } else if (type.starts_with("String") || type.starts_with("Number")) {
    attribute["StringValue"] = value;
  } else {
    return Status::InvalidArgument("attribute " + std::string(name) + ": type " + type +
                                   " is not String, Number or Binary");
  }
  return std::pair{std::string(name), std::move(attribute)};
}

Status RunQueues(Context& ctx, const QueuesOptions& options) {
  json::object params;
  if (!options.prefix.empty()) params["QueueNamePrefix"] = options.prefix;
  auto answer = ctx.api.Invoke("ferry", "ListQueueStats", std::move(params));
  if (!answer.ok() && IsUnknownAction(answer.status())) {
    answer = QueueStatsFromSqs(ctx, options.prefix);
  }
  if (!answer.ok()) return answer.status();
  if (ctx.json) {
    PrintJsonLine(ctx.out, *answer);
    return Status::Ok();
  }
  const json::array& queues = ArrayOf(*answer, "Queues");
  // A dead-letter queue's depth beside its name, when it is in the list.
  std::map<std::string, int64_t> depth_by_arn;
  for (const json::value& q : queues) {
    if (!q.is_object()) continue;
    const auto& o = q.as_object();
    depth_by_arn[Str(o, "QueueArn")] = std::max<int64_t>(0, Int(o, "Visible")) +
                                       std::max<int64_t>(0, Int(o, "InFlight")) +
                                       std::max<int64_t>(0, Int(o, "Delayed"));
  }
  Table table({{"NAME"},
               {"VISIBLE", true},
               {"IN FLIGHT", true},
               {"DELAYED", true},
               {"OLDEST", true},
               {"DLQ"}});
  for (const json::value& q : queues) {
    if (!q.is_object()) continue;
    const auto& o = q.as_object();
    std::string dlq = "-";
    if (std::string arn = Str(o, "DeadLetterTargetArn"); !arn.empty()) {
      dlq = std::string(NameOf(arn));
      if (auto it = depth_by_arn.find(arn); it != depth_by_arn.end()) {
        dlq += " (" + std::to_string(it->second) + ")";
      }
    }
    const int64_t oldest = Int(o, "OldestMessageAgeSeconds");
    table.AddRow({Str(o, "QueueName"), Count(Int(o, "Visible")), Count(Int(o, "InFlight")),
                  Count(Int(o, "Delayed")), oldest <= 0 ? "-" : FormatAge(oldest), dlq});
  }
  PrintTable(ctx, table, "no queues");
  return Status::Ok();
}

Status RunSend(Context& ctx, const SendOptions& options) {
  auto params = MessageFields(ctx, options.body, "--body", "MessageBody", options.attributes,
                              options.group_id, options.dedup_id);
  if (!params.ok()) return params.status();
  auto url = ResolveQueueUrl(ctx.api, options.queue);
  if (!url.ok()) return url.status();
  (*params)["QueueUrl"] = *url;
  if (options.delay_seconds) (*params)["DelaySeconds"] = *options.delay_seconds;
  const std::string body(params->at("MessageBody").as_string());
  auto answer = ctx.api.Invoke("sqs", "SendMessage", std::move(*params));
  if (!answer.ok()) return answer.status();
  if (Str(*answer, "MD5OfMessageBody") != Md5Hex(body)) {
    return Status::Internal("the server's MD5OfMessageBody " + Str(*answer, "MD5OfMessageBody") +
                            " is not the body's " + Md5Hex(body));
  }
  if (ctx.json) {
    PrintJsonLine(ctx.out, *answer);
  } else {
    ctx.out << "sent " << Str(*answer, "MessageId") << " to " << NameOf(*url) << '\n';
  }
  return Status::Ok();
}

Status RunReceive(Context& ctx, const ReceiveOptions& options) {
  auto url = ResolveQueueUrl(ctx.api, options.queue);
  if (!url.ok()) return url.status();
  MessageTable table;
  int received = 0;
  while (received < options.max) {
    const int batch = std::min(kMaxReceiveBatch, options.max - received);
    auto messages = Receive(ctx, *url, batch, options.wait_seconds, options.visibility_timeout);
    if (!messages.ok()) return messages.status();
    if (messages->empty()) break;
    for (const json::value& m : *messages) {
      if (ctx.json) {
        PrintJsonLine(ctx.out, m);
      } else {
        table.Add(m.as_object());
      }
    }
    if (options.delete_after) FERRY_RETURN_IF_ERROR(DeleteAll(ctx, *url, *messages));
    received += static_cast<int>(messages->size());
  }
  if (!ctx.json) table.Print(ctx.out);
  return Status::Ok();
}

Status RunTail(Context& ctx, const TailOptions& options) {
  auto url = ResolveQueueUrl(ctx.api, options.queue);
  if (!url.ok()) return url.status();
  return options.delete_after ? TailByReceive(ctx, *url, options) : TailByPeek(ctx, *url, options);
}

Status RunRedrive(Context& ctx, const RedriveOptions& options) {
  auto source = ResolveQueueArn(ctx.api, options.source);
  if (!source.ok()) return source.status();
  json::object params{{"SourceArn", *source}};
  if (!options.destination.empty()) {
    auto destination = ResolveQueueArn(ctx.api, options.destination);
    if (!destination.ok()) return destination.status();
    params["DestinationArn"] = *destination;
  }
  if (options.max_per_second) params["MaxNumberOfMessagesPerSecond"] = *options.max_per_second;
  auto started = ctx.api.Invoke("sqs", "StartMessageMoveTask", std::move(params));
  if (!started.ok()) return started.status();
  const std::string handle = Str(*started, "TaskHandle");
  if (options.no_wait) {
    if (ctx.json) {
      PrintJsonLine(ctx.out, *started);
    } else {
      ctx.out << "started move task " << handle << '\n';
    }
    return Status::Ok();
  }
  const auto began = ctx.now();
  std::string last_line;
  for (;;) {
    auto task = LatestTask(ctx, *source);
    if (!task.ok()) return task.status();
    const std::string status = Str(*task, "Status");
    const int64_t moved = std::max<int64_t>(0, Int(*task, "ApproximateNumberOfMessagesMoved"));
    const int64_t total = std::max<int64_t>(0, Int(*task, "ApproximateNumberOfMessagesToMove"));
    const double elapsed = std::chrono::duration<double>(ctx.now() - began).count();
    std::optional<double> rate;  // too early to tell at first
    if (elapsed >= kMinRateSeconds) rate = static_cast<double>(moved) / elapsed;
    const bool running = status == "RUNNING" || status == "CANCELLING";
    if (ctx.json) {
      PrintJsonLine(ctx.out, *task);
      ctx.out.flush();
    } else {
      std::string line =
          RenderProgress(static_cast<uint64_t>(moved), static_cast<uint64_t>(total), rate);
      if (ctx.stdout_is_tty) {
        ctx.out << '\r' << line << "\x1b[K" << (running ? "" : "\n");
        ctx.out.flush();
      } else if (line != last_line || !running) {
        ctx.out << line << '\n';  // a log or a pipe: one line per change
      }
      last_line = std::move(line);
    }
    if (!running) {
      if (status == "COMPLETED") {
        if (!ctx.json) {
          ctx.out << "moved " << moved << " messages from " << NameOf(*source) << " in "
                  << FormatAge(static_cast<int64_t>(elapsed)) << '\n';
        }
        return Status::Ok();
      }
      std::string reason = Str(*task, "FailureReason");
      return Status::Internal("move task " + handle + " " + status +
                              (reason.empty() ? "" : ": " + reason));
    }
    ctx.sleep(options.poll_interval);
  }
}

Status RunPurge(Context& ctx, const PurgeOptions& options) {
  auto url = ResolveQueueUrl(ctx.api, options.queue);
  if (!url.ok()) return url.status();
  if (ctx.stdin_is_tty && !options.yes) {
    ctx.err << "Delete every message of queue " << NameOf(*url) << "? [y/N] ";
    ctx.err.flush();
    std::string reply;
    std::getline(ctx.in, reply);
    if (reply != "y" && reply != "Y" && reply != "yes") {
      return Status::FailedPrecondition("purge cancelled");
    }
  }
  auto answer = ctx.api.Invoke("sqs", "PurgeQueue", {{"QueueUrl", *url}});
  if (!answer.ok()) return answer.status();
  if (ctx.json) {
    PrintJsonLine(ctx.out, json::object{{"QueueUrl", *url}, {"Purged", true}});
  } else {
    ctx.out << "purged " << NameOf(*url) << '\n';
  }
  return Status::Ok();
}

Status RunTopics(Context& ctx) {
  json::array topics;
  std::string next_token;
  do {
    json::object params;
    if (!next_token.empty()) params["NextToken"] = next_token;
    auto answer = ctx.api.Invoke("sns", "ListTopics", std::move(params));
    if (!answer.ok()) return answer.status();
    for (const json::value& t : ArrayOf(*answer, "Topics")) {
      if (!t.is_object()) continue;
      const std::string arn = Str(t.as_object(), "TopicArn");
      auto attrs = ctx.api.Invoke("sns", "GetTopicAttributes", {{"TopicArn", arn}});
      if (!attrs.ok()) return attrs.status();
      json::object attributes;
      if (const json::value* a = attrs->if_contains("Attributes"); a && a->is_object()) {
        attributes = a->as_object();
      }
      topics.push_back(
          json::object{{"TopicArn", arn},
                       {"Name", NameOf(arn)},
                       {"SubscriptionsConfirmed", Int(attributes, "SubscriptionsConfirmed")},
                       {"SubscriptionsPending", Int(attributes, "SubscriptionsPending")},
                       {"FifoTopic", Str(attributes, "FifoTopic") == "true"}});
    }
    next_token = Str(*answer, "NextToken");
  } while (!next_token.empty());
  if (ctx.json) {
    PrintJsonLine(ctx.out, json::object{{"Topics", std::move(topics)}});
    return Status::Ok();
  }
  Table table({{"NAME"}, {"SUBSCRIPTIONS", true}, {"PENDING", true}, {"ARN"}});
  for (const json::value& t : topics) {
    const auto& o = t.as_object();
    table.AddRow({Str(o, "Name"), Count(Int(o, "SubscriptionsConfirmed")),
                  Count(Int(o, "SubscriptionsPending")), Str(o, "TopicArn")});
  }
  PrintTable(ctx, table, "no topics");
  return Status::Ok();
}

Status RunSubscriptions(Context& ctx, const SubscriptionsOptions& options) {
  json::object base;
  std::string action = "ListSubscriptions";
  if (!options.topic.empty()) {
    auto arn = ResolveTopicArn(ctx.api, options.topic);
    if (!arn.ok()) return arn.status();
    base["TopicArn"] = *arn;
    action = "ListSubscriptionsByTopic";
  }
  json::array subscriptions;
  std::string next_token;
  do {
    json::object params = base;
    if (!next_token.empty()) params["NextToken"] = next_token;
    auto answer = ctx.api.Invoke("sns", action, std::move(params));
    if (!answer.ok()) return answer.status();
    for (const json::value& s : ArrayOf(*answer, "Subscriptions")) subscriptions.push_back(s);
    next_token = Str(*answer, "NextToken");
  } while (!next_token.empty());
  if (ctx.json) {
    PrintJsonLine(ctx.out, json::object{{"Subscriptions", std::move(subscriptions)}});
    return Status::Ok();
  }
  Table table({{"TOPIC"}, {"PROTOCOL"}, {"ENDPOINT"}, {"SUBSCRIPTION"}});
  for (const json::value& s : subscriptions) {
    if (!s.is_object()) continue;
    const auto& o = s.as_object();
    const std::string arn = Str(o, "SubscriptionArn");
    // A confirmed subscription's id is the last part of its ARN.
    table.AddRow({std::string(NameOf(Str(o, "TopicArn"))), Str(o, "Protocol"), Str(o, "Endpoint"),
                  arn.starts_with("arn:") ? std::string(NameOf(arn)) : arn});
  }
  PrintTable(ctx, table, "no subscriptions");
  return Status::Ok();
}

Status RunPublish(Context& ctx, const PublishOptions& options) {
  auto params = MessageFields(ctx, options.message, "--message", "Message", options.attributes,
                              options.group_id, options.dedup_id);
  if (!params.ok()) return params.status();
  auto arn = ResolveTopicArn(ctx.api, options.topic);
  if (!arn.ok()) return arn.status();
  (*params)["TopicArn"] = *arn;
  if (!options.subject.empty()) (*params)["Subject"] = options.subject;
  auto answer = ctx.api.Invoke("sns", "Publish", std::move(*params));
  if (!answer.ok()) return answer.status();
  if (ctx.json) {
    PrintJsonLine(ctx.out, *answer);
  } else {
    ctx.out << "published " << Str(*answer, "MessageId") << " to " << NameOf(*arn) << '\n';
  }
  return Status::Ok();
}

Status RunStatus(Context& ctx) {
  // The probes first: they answer even when the API does not.
  auto probe = [&](std::string_view path) -> std::string {
    if (!ctx.get) return "unknown";
    auto answer = ctx.get(path);
    if (!answer.ok()) return "unreachable";
    if (answer->first == 200) return "ok";
    if (answer->first == 404) return "not served";
    return "HTTP " + std::to_string(answer->first);
  };
  const std::string health = probe("/health");
  const std::string ready = probe("/ready");
  auto answer = ctx.api.Invoke("ferry", "GetServerStatus", {});
  if (!answer.ok()) return answer.status();
  json::object status = std::move(*answer);
  status["Health"] = health;
  status["ReadyProbe"] = ready;
  if (ctx.json) {
    PrintJsonLine(ctx.out, status);
    return Status::Ok();
  }
  auto field = [&](std::string_view key) -> std::string {
    const json::value* v = status.if_contains(key);
    if (v == nullptr) return "-";
    if (v->is_string()) return std::string(v->get_string());
    return json::serialize(*v);
  };
  Table table({{"FIELD"}, {"VALUE"}});  // printed without its header
  table.AddRow({"version", field("Version")});
  table.AddRow({"health", health});
  // The server's own word, and its probe's when it serves one.
  table.AddRow(
      {"ready", field("Ready") + (ready == "not served" ? "" : " (/ready: " + ready + ")")});
  table.AddRow({"mode", field("Mode")});
  const int64_t uptime = Int(status, "UptimeSeconds");
  table.AddRow({"uptime", uptime < 0 ? "-" : FormatAge(uptime)});
  table.AddRow({"region", field("Region")});
  table.AddRow({"account", field("AccountId")});
  table.AddRow({"engine", field("Engine")});
  table.AddRow({"data dir", Int(status, "InMemory") == 1 || field("InMemory") == "true"
                                ? "(in memory)"
                                : field("DataDir")});
  table.AddRow({"queues", field("Queues")});
  table.AddRow({"topics", field("Topics")});
  table.AddRow({"subscriptions", field("Subscriptions")});
  table.AddRow({"messages visible", field("Visible")});
  table.AddRow({"messages in flight", field("InFlight")});
  table.AddRow({"messages delayed", field("Delayed")});
  table.Print(ctx.out, /*header=*/false);
  return Status::Ok();
}

Status RunApply(Context& ctx, const ApplyFileOptions& options) {
  auto report = resources::ApplyFile(options.file, ctx.api, {.dry_run = options.dry_run});
  if (!report.ok()) return report.status();
  if (ctx.json) {
    json::array changes;
    for (const resources::Change& c : report->changes) {
      changes.push_back(json::object{
          {"Kind", resources::KindName(c.kind)}, {"Resource", c.resource}, {"Detail", c.detail}});
    }
    PrintJsonLine(ctx.out, json::object{{"Changes", std::move(changes)},
                                        {"Summary", report->Summary()},
                                        {"DryRun", options.dry_run}});
  } else {
    Table table({{"CHANGE"}, {"RESOURCE"}, {"DETAIL"}});
    for (const resources::Change& c : report->changes) {
      table.AddRow({std::string(resources::KindName(c.kind)), c.resource, c.detail});
    }
    PrintTable(ctx, table, "nothing declared");
    ctx.out << (options.dry_run ? "dry run: " : "") << report->Summary() << '\n';
  }
  if (!report->ok()) return Status::Internal("applying " + options.file + ": " + report->Summary());
  return Status::Ok();
}

}  // namespace ferry::cli
