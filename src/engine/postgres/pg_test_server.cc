#include "engine/postgres/pg_test_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>

#include "engine/postgres/pg_conn.h"

namespace ferry::engine::pg::testing {
namespace {

std::string& Failure() {
  static std::string failure;
  return failure;
}

// A loopback port nobody listens on now (the kernel's choice for port 0).
int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

}  // namespace

std::string PgBinDir() {
  const char* dir = std::getenv("FERRY_PG_BIN_DIR");
  return dir != nullptr && *dir != '\0' ? dir : kPgBinDir;
}

bool PgTestServer::Available() { return std::filesystem::exists(PgBinDir() + "/initdb"); }

const std::string& PgTestServer::StartFailure() { return Failure(); }

PgTestServer* PgTestServer::Get() {
  static std::once_flag once;
  static std::unique_ptr<PgTestServer> server;
  std::call_once(once, [] {
    if (!Available()) {
      Failure() = PgBinDir() + "/initdb is not installed";
      return;
    }
    std::unique_ptr<PgTestServer> s(new PgTestServer());
    if (Status st = s->Init(); !st.ok()) {
      Failure() = st.message();
      return;
    }
    server = std::move(s);
  });
  return server.get();
}

Status PgTestServer::RunTool(const std::string& args) const {
  return RunShell(PgBinDir() + "/" + args);
}

Status PgTestServer::Init() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "ferry-pg-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) return Status::Internal("cannot make a temporary dir");
  dir_ = tmpl;
  if (::geteuid() == 0) {
    const std::string chown = "chown postgres:postgres " + dir_;
    if (std::system(chown.c_str()) != 0) return Status::Internal("cannot chown " + dir_);
  }
  port_ = FreePort();
  if (port_ == 0) return Status::Internal("no free loopback port");
  FERRY_RETURN_IF_ERROR(CopyTemplate());
  return Start();
}

// initdb takes a second or two, and ctest runs each test in a process of its
// own: the cluster is made once per machine (under a file lock, so parallel
// test processes wait for the first) and copied for each server.
Status PgTestServer::CopyTemplate() {
  const std::string tmp = std::filesystem::temp_directory_path().string();
  const std::string templ = tmp + "/ferry-pg15-template";
  const int lock = ::open((templ + ".lock").c_str(), O_CREAT | O_RDWR, 0644);
  if (lock < 0) return Status::Internal("cannot open " + templ + ".lock");
  ::flock(lock, LOCK_EX);
  Status st;
  if (!std::filesystem::exists(templ + "/ready")) {
    std::error_code ec;
    std::filesystem::remove_all(templ, ec);
    std::string mk = "mkdir -p " + templ + " && chmod 700 " + templ;
    if (::geteuid() == 0) mk += " && chown postgres:postgres " + templ;
    st = std::system(mk.c_str()) == 0 ? Status::Ok() : Status::Internal("cannot make " + templ);
    if (st.ok()) {
      st = RunTool("initdb -D " + templ + "/data -A trust -U ferry --no-sync -E UTF8 --locale=C");
    }
    if (st.ok()) st = RunShell("touch " + templ + "/ready");
  }
  if (st.ok()) st = RunShell("cp -a " + templ + "/data " + dir_ + "/data");
  ::flock(lock, LOCK_UN);
  ::close(lock);
  return st;
}

Status PgTestServer::RunShell(const std::string& cmd) const {
  const std::string as = ::geteuid() == 0 ? "runuser -u postgres -- " : "";
  const std::string full = as + cmd + " >>" + dir_ + "/tool.log 2>&1";
  if (std::system(full.c_str()) != 0) {
    return Status::Internal("`" + cmd + "` failed; see " + dir_ + "/tool.log");
  }
  return Status::Ok();
}

Status PgTestServer::Start() {
  if (running_) return Status::Ok();
  FERRY_RETURN_IF_ERROR(RunTool(
      "pg_ctl -D " + dir_ + "/data -l " + dir_ + "/server.log -w -t 60 -o \"-k " + dir_ + " -p " +
      std::to_string(port_) + " -c listen_addresses=127.0.0.1 -c fsync=on\" start"));
  running_ = true;
  return Status::Ok();
}

Status PgTestServer::Stop() {
  if (!running_) return Status::Ok();
  running_ = false;
  return RunTool("pg_ctl -D " + dir_ + "/data -w -m fast stop");
}

Status PgTestServer::Restart() {
  FERRY_RETURN_IF_ERROR(Stop());
  return Start();
}

PgTestServer::~PgTestServer() {
  if (running_) (void)RunTool("pg_ctl -D " + dir_ + "/data -w -m immediate stop");
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

Result<std::string> PgTestServer::NewDatabase() {
  const std::string base = "postgresql://ferry@127.0.0.1:" + std::to_string(port_) + "/";
  Result<std::unique_ptr<PgConn>> admin = PgConn::Connect(base + "postgres", "");
  if (!admin.ok()) return admin.status();
  const std::string name = "t_" + std::to_string(++databases_);
  FERRY_RETURN_IF_ERROR((*admin)->Run("CREATE DATABASE " + name));
  return base + name;
}

}  // namespace ferry::engine::pg::testing
