// The admin CLI's subcommands on the `ferry` command line (docs/cli.md):
// queues, send, receive, peek, tail, redrive, purge, topics, subscriptions,
// publish, status, apply. Each takes the connection flags of the aws CLI
// (--endpoint-url, --region, --profile, --ca-bundle, --no-verify-ssl) and
// --json. main() registers them beside serve, and after parsing asks
// RunParsed() whether one of them was chosen.
//
// Exit status: 0 done, 1 an error (printed as "ferry: <message>" on
// stderr), 2 a usage error (CLI11's own).
//
// Thread-safety: none; main's thread only.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <vector>

#include "cli/aws_config.h"
#include "cli/commands.h"

namespace ferry::cli {

class AdminCommands {
 public:
  // Adds the subcommands to `app`; the object must outlive parsing.
  explicit AdminCommands(CLI::App& app);
  AdminCommands(const AdminCommands&) = delete;
  AdminCommands& operator=(const AdminCommands&) = delete;

  // The exit status of the admin command the parsed command line chose, or
  // nullopt when it chose another (serve, repair, ...).
  std::optional<int> RunParsed();

  // The exit status of a command line CLI11 refused (after printing why):
  // 2 for the admin commands' usage errors, CLI11's own otherwise (and 0
  // for --help).
  int Exit(CLI::App& app, const CLI::ParseError& error) const;

 private:
  struct Command {
    CLI::App* app;
    std::function<Status(Context&)> run;
  };
  CLI::App* Add(CLI::App& app, const char* name, const char* description,
                std::function<Status(Context&)> run);

  ConfigFlags flags_;
  bool json_ = false;
  std::vector<Command> commands_;

  QueuesOptions queues_;
  SendOptions send_;
  std::string send_body_;
  ReceiveOptions receive_;
  PeekOptions peek_;
  JourneyOptions journey_;
  TailOptions tail_;
  uint64_t tail_count_ = 0;
  RedriveOptions redrive_;
  int redrive_rate_ = 0;
  PurgeOptions purge_;
  CancelOptions cancel_;
  SubscriptionsOptions subscriptions_;
  PublishOptions publish_;
  std::string publish_message_;
  ApplyFileOptions apply_;
  int send_delay_ = -1;
  int receive_visibility_ = -1;
};

}  // namespace ferry::cli
