#include "engine/postgres/pg_wake.h"

#include <poll.h>
#include <unistd.h>

#include <charconv>
#include <cstring>

#include "engine/postgres/pg_conn.h"

namespace ferry::engine::pg {

uint64_t Watchers::Add(uint64_t queue_id, std::function<void()> fn) {
  std::lock_guard lock(mu_);
  const uint64_t token = next_token_++;
  by_queue_[queue_id].emplace(token, std::move(fn));
  return token;
}

void Watchers::Remove(uint64_t queue_id, uint64_t token) {
  std::lock_guard lock(mu_);
  auto it = by_queue_.find(queue_id);
  if (it == by_queue_.end()) return;
  it->second.erase(token);
  if (it->second.empty()) by_queue_.erase(it);
}

void Watchers::Fire(uint64_t queue_id) {
  std::map<uint64_t, std::function<void()>> fns;
  {
    std::lock_guard lock(mu_);
    auto it = by_queue_.find(queue_id);
    if (it == by_queue_.end()) return;
    fns = std::move(it->second);
    by_queue_.erase(it);
  }
  for (auto& [token, fn] : fns) fn();
}

void Watchers::FireAll() {
  std::unordered_map<uint64_t, std::map<uint64_t, std::function<void()>>> all;
  {
    std::lock_guard lock(mu_);
    all.swap(by_queue_);
  }
  for (auto& [queue, fns] : all) {
    for (auto& [token, fn] : fns) fn();
  }
}

std::vector<uint64_t> Watchers::Watched() const {
  std::vector<uint64_t> out;
  std::lock_guard lock(mu_);
  out.reserve(by_queue_.size());
  for (const auto& [queue, fns] : by_queue_) out.push_back(queue);
  return out;
}

WakeListener::WakeListener(std::string url, Watchers& watchers)
    : url_(std::move(url)), watchers_(watchers) {
  if (::pipe(stop_pipe_) != 0) stop_pipe_[0] = stop_pipe_[1] = -1;
  thread_ = std::thread([this] { Run(); });
}

WakeListener::~WakeListener() {
  stop_ = true;
  if (stop_pipe_[1] >= 0) (void)!::write(stop_pipe_[1], "x", 1);
  thread_.join();
  for (int fd : stop_pipe_) {
    if (fd >= 0) ::close(fd);
  }
}

void WakeListener::Run() {
  std::unique_ptr<PgConn> conn;
  while (!stop_) {
    if (!conn) {
      Result<std::unique_ptr<PgConn>> opened =
          PgConn::Connect(url_, std::string("LISTEN ") + kWakeChannel);
      if (opened.ok()) {
        conn = std::move(*opened);
        // Whatever was sent while nobody listened is lost: every waiting
        // poll looks again, and the catalog's version is read again.
        watchers_.RaiseCatalog();
        watchers_.FireAll();
      }
    }
    pollfd fds[2] = {{stop_pipe_[0], POLLIN, 0}, {conn ? PQsocket(conn->raw()) : -1, POLLIN, 0}};
    // Without a connection, try again in a second.
    const int ready = ::poll(fds, conn ? 2 : 1, 1000);
    if (stop_ || ready <= 0 || !conn) continue;
    if (PQconsumeInput(conn->raw()) == 0 || PQstatus(conn->raw()) != CONNECTION_OK) {
      conn.reset();
      continue;
    }
    while (PGnotify* n = PQnotifies(conn->raw())) {
      uint64_t queue_id = 0;
      const char* extra = n->extra;
      if (std::strcmp(extra, kCatalogPayload) == 0) watchers_.RaiseCatalog();
      std::from_chars(extra, extra + std::strlen(extra), queue_id);
      PQfreemem(n);
      if (queue_id != 0) watchers_.Fire(queue_id);
    }
  }
}

}  // namespace ferry::engine::pg
