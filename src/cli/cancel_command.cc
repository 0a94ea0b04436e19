// `ferry cancel QUEUE MESSAGE_ID` (docs/cli.md): Ferry.CancelMessage.
#include <boost/json.hpp>
#include <ostream>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/resolve.h"

namespace ferry::cli {

Status RunCancel(Context& ctx, const CancelOptions& options) {
  auto url = ResolveQueueUrl(ctx.api, options.queue);
  if (!url.ok()) return url.status();
  auto answer = ctx.api.Invoke("ferry", "CancelMessage",
                               {{"QueueUrl", *url}, {"MessageId", options.message_id}});
  if (!answer.ok()) return answer.status();
  const boost::json::value* cancelled = answer->if_contains("Cancelled");
  const bool done = cancelled != nullptr && cancelled->is_bool() && cancelled->get_bool();
  std::string reason;
  if (const boost::json::value* r = answer->if_contains("Reason"); r && r->is_string()) {
    reason = std::string(r->get_string());
  }
  if (ctx.json) {
    PrintJsonLine(ctx.out, *answer);
  } else if (done) {
    ctx.out << "cancelled " << options.message_id << " in " << NameOf(*url) << '\n';
  }
  if (!done) {
    ctx.err << "not cancelled: " << (reason.empty() ? "unknown" : reason) << '\n';
    ctx.exit_status = kNotCancelledExit;
  }
  return Status::Ok();
}

}  // namespace ferry::cli
