// The admin CLI's commands (`ferry queues`, `ferry send`, ... in
// docs/cli.md), each a function of its options and a Context: the
// ActionInvoker it calls the server through and the streams it writes to.
// They know nothing of the command line (cli_app.h parses it) or of HTTP
// (remote_invoker.h), so tests drive them with a fake invoker and string
// streams.
//
// Every command prints a table or lines for people, or with --json one JSON
// document (for lists: one object holding the list) or, for the streaming
// commands receive, peek, tail and redrive, one JSON document per line. An
// error is returned, not printed: the caller prints "ferry: <message>" and
// exits 1.
//
// Thread-safety: a command runs on the calling thread and blocks it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "api/invoker.h"
#include "common/status.h"

namespace ferry::cli {

struct Context {
  api::ActionInvoker& api;
  std::ostream& out;
  std::ostream& err;
  std::istream& in;
  bool json = false;
  bool stdin_is_tty = false;   // purge asks before it purges
  bool stdout_is_tty = false;  // the redrive progress line is redrawn in place
  // Waits between polls (tail, redrive); tests pass one that only advances
  // their clock.
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<std::chrono::steady_clock::time_point()> now;
  // An unsigned GET of a path on the server (/health, /ready): the HTTP
  // status and body. Null where there is no server to ask.
  std::function<Result<std::pair<unsigned, std::string>>(std::string_view path)> get;
  // The process's exit status when the command succeeds: a command whose
  // answer is a "no" (cancel: kNotCancelledExit) or that found nothing to
  // show (journey: kExitNothingKnown) sets it; 0 otherwise.
  int exit_status = 0;
};

inline constexpr int kExitNothingKnown = 3;

struct QueuesOptions {
  std::string prefix;
};
Status RunQueues(Context& ctx, const QueuesOptions& options);

struct SendOptions {
  std::string queue;
  std::optional<std::string> body;  // nullopt: read stdin
  // "name=value" (String), "name:Number=42", "name:Binary=<base64>".
  std::vector<std::string> attributes;
  std::optional<int> delay_seconds;
  std::string group_id;
  std::string dedup_id;
};
Status RunSend(Context& ctx, const SendOptions& options);

struct ReceiveOptions {
  std::string queue;
  int max = 1;  // messages in all; more than 10 takes several receives
  int wait_seconds = 0;
  std::optional<int> visibility_timeout;
  bool delete_after = false;
};
Status RunReceive(Context& ctx, const ReceiveOptions& options);

// Looks at a queue's messages without receiving them (PeekMessages), a
// table of them or JSON lines; peek.h builds the request and the table.
struct PeekOptions {
  std::string queue;
  int max = 10;
  bool all = false;   // every message, page after page (max does not apply)
  std::string after;  // start after this sequence (a NextSequence)
  bool include_in_flight = true;
  bool include_delayed = true;
  // "visible", "inflight", "delayed", each entry possibly a comma-separated
  // list; when given, replaces include_in_flight and include_delayed.
  std::vector<std::string> states;
  // "NAME=VALUE" (equals), "NAME^=PREFIX", or "NAME" with `exists`.
  std::vector<std::string> filters;
  bool exists = false;
  std::string contains;            // BodyContains
  bool dead_letter_queue = false;  // the queue's dead-letter queue instead
};
Status RunPeek(Context& ctx, const PeekOptions& options);

// A message's journey (Ferry.GetMessageJourney): every opted-in queue of
// the account, or only `queue`. Nothing known: a message on err and
// ctx.exit_status kExitNothingKnown (journey_command.cc).
struct JourneyOptions {
  std::string message_id;
  std::string queue;  // name, URL or ARN; empty: every queue
};
Status RunJourney(Context& ctx, const JourneyOptions& options);
// "2026-12-07T12:35:11.042Z".
std::string FormatUtcMillis(int64_t ms);

// Follows a queue. By default it looks without receiving (PeekMessages from
// the oldest message on, then each new one as it arrives): consumers are
// not disturbed and nothing is lost. With delete_after it consumes: long-poll
// receives, each message printed and then deleted.
struct TailOptions {
  std::string queue;
  bool delete_after = false;
  bool only_new = false;          // peek mode: skip the messages already there
  std::optional<uint64_t> count;  // stop after this many messages
  std::chrono::milliseconds poll_interval{1000};
  int wait_seconds = 20;  // delete mode: the long poll
};
Status RunTail(Context& ctx, const TailOptions& options);

// Starts a message move task from a dead-letter queue (to its sources, or
// to `destination`) and, unless no_wait, follows it to the end with a
// progress line; a task that fails or is cancelled is an error.
struct RedriveOptions {
  std::string source;
  std::string destination;
  std::optional<int> max_per_second;
  bool no_wait = false;
  std::chrono::milliseconds poll_interval{500};
};
Status RunRedrive(Context& ctx, const RedriveOptions& options);

struct PurgeOptions {
  std::string queue;
  bool yes = false;  // do not ask, even on a terminal
};
Status RunPurge(Context& ctx, const PurgeOptions& options);

// Cancels a scheduled message (Ferry.CancelMessage, cancel_command.cc):
// prints what happened; when it was not cancelled (already visible, not
// found) the reason goes to stderr and the exit status is kNotCancelledExit.
struct CancelOptions {
  std::string queue;
  std::string message_id;
};
inline constexpr int kNotCancelledExit = 3;
Status RunCancel(Context& ctx, const CancelOptions& options);

Status RunTopics(Context& ctx);

struct SubscriptionsOptions {
  std::string topic;  // "": every topic's
};
Status RunSubscriptions(Context& ctx, const SubscriptionsOptions& options);

struct PublishOptions {
  std::string topic;
  std::optional<std::string> message;  // nullopt: read stdin
  std::string subject;
  std::vector<std::string> attributes;  // as SendOptions::attributes
  std::string group_id;
  std::string dedup_id;
};
Status RunPublish(Context& ctx, const PublishOptions& options);

Status RunStatus(Context& ctx);

// Applies a declarative resources file (docs/resources.md) to the server:
// one line per queue, topic and subscription (created, updated, unchanged,
// failed) and a summary; any failed entry makes it an error.
struct ApplyFileOptions {
  std::string file;
  bool dry_run = false;
};
Status RunApply(Context& ctx, const ApplyFileOptions& options);

// "name=value", "name:Number=42", "name:Binary=aGk=" as a message
// attribute in the service model's shape, with its name.
Result<std::pair<std::string, boost::json::object>> ParseAttribute(std::string_view text);

}  // namespace ferry::cli
