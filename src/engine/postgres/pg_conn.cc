#include "engine/postgres/pg_conn.h"

#include <poll.h>

#include <cstring>

namespace ferry::engine::pg {
namespace {

// Type oids (pg_type.dat): fixed since PostgreSQL 7.
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kTextOid = 25;
constexpr Oid kUuidOid = 2950;
constexpr Oid kInt8ArrayOid = 1016;
constexpr Oid kByteaArrayOid = 1001;
constexpr Oid kTextArrayOid = 1009;
constexpr Oid kUuidArrayOid = 2951;

constexpr int kText = 0;
constexpr int kBinary = 1;

std::string BigEndian64(int64_t v) {
  std::string out(8, '\0');
  auto u = static_cast<uint64_t>(v);
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(u & 0xff);
    u >>= 8;
  }
  return out;
}

void PutBigEndian32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

int64_t FromBigEndian(const char* p, int n) {
  uint64_t u = 0;
  for (int i = 0; i < n; ++i) u = (u << 8) | static_cast<unsigned char>(p[i]);
  switch (n) {
    case 2:
      return static_cast<int16_t>(u);
    case 4:
      return static_cast<int32_t>(u);
    default:
      return static_cast<int64_t>(u);
  }
}

// An array literal's element, quoted: {"a","b\"c"}.
void AppendQuoted(std::string* out, std::string_view v) {
  out->push_back('"');
  for (char c : v) {
    if (c == '"' || c == '\\') out->push_back('\\');
    out->push_back(c);
  }
  out->push_back('"');
}

// SQLSTATEs after which the connection, or the server, is gone: class 08
// (connection exception), 57P01..57P03 (shutdown, crash shutdown, cannot
// connect now), 53300 (too many connections).
bool IsUnavailable(std::string_view sqlstate) {
  return sqlstate.starts_with("08") || sqlstate.starts_with("57P") || sqlstate == "53300";
}

}  // namespace

Params& Params::Add(Oid type, std::string value, int format) {
  types_.push_back(type);
  values_.push_back(std::move(value));
  formats_.push_back(format);
  return *this;
}

Params& Params::Int(int64_t v) { return Add(kInt8Oid, BigEndian64(v), kBinary); }
Params& Params::Bool(bool v) { return Add(kBoolOid, std::string(1, v ? '\1' : '\0'), kBinary); }
Params& Params::Text(std::string_view v) { return Add(kTextOid, std::string(v), kBinary); }
Params& Params::Bytes(std::string_view v) { return Add(kByteaOid, std::string(v), kBinary); }
Params& Params::Uuid(const std::array<uint8_t, 16>& id) {
  return Add(kUuidOid, std::string(reinterpret_cast<const char*>(id.data()), id.size()), kBinary);
}

Params& Params::IntArray(const std::vector<int64_t>& v) {
  std::string text = "{";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) text.push_back(',');
    text += std::to_string(v[i]);
  }
  text.push_back('}');
  return Add(0, std::move(text), kText);
}

Params& Params::TextArray(const std::vector<std::string>& v) {
  std::string text = "{";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) text.push_back(',');
    AppendQuoted(&text, v[i]);
  }
  text.push_back('}');
  return Add(0, std::move(text), kText);
}

Params& Params::AddArray(Oid array_type, Oid element_type, size_t n,
                         const std::function<void(size_t, std::string*)>& each) {
  // The binary array format (array_send): dimensions, a null flag, the
  // element type, each dimension's length and lower bound, then each
  // element as a length and its bytes.
  std::string out;
  PutBigEndian32(&out, n == 0 ? 0 : 1);
  PutBigEndian32(&out, 0);
  PutBigEndian32(&out, element_type);
  if (n > 0) {
    PutBigEndian32(&out, static_cast<uint32_t>(n));
    PutBigEndian32(&out, 1);
  }
  std::string element;
  for (size_t i = 0; i < n; ++i) {
    element.clear();
    each(i, &element);
    PutBigEndian32(&out, static_cast<uint32_t>(element.size()));
    out += element;
  }
  return Add(array_type, std::move(out), kBinary);
}

Params& Params::Int8ArrayBinary(const std::vector<int64_t>& v) {
  return AddArray(kInt8ArrayOid, kInt8Oid, v.size(),
                  [&](size_t i, std::string* out) { *out = BigEndian64(v[i]); });
}

Params& Params::UuidArrayBinary(const std::vector<std::array<uint8_t, 16>>& v) {
  return AddArray(kUuidArrayOid, kUuidOid, v.size(), [&](size_t i, std::string* out) {
    out->assign(reinterpret_cast<const char*>(v[i].data()), v[i].size());
  });
}

Params& Params::BytesArrayBinary(const std::vector<std::string_view>& v) {
  return AddArray(kByteaArrayOid, kByteaOid, v.size(),
                  [&](size_t i, std::string* out) { out->assign(v[i]); });
}

Params& Params::TextArrayBinary(const std::vector<std::string_view>& v) {
  return AddArray(kTextArrayOid, kTextOid, v.size(),
                  [&](size_t i, std::string* out) { out->assign(v[i]); });
}

int64_t PgResult::Int(int row, int col) const {
  if (IsNull(row, col)) return 0;
  return FromBigEndian(PQgetvalue(r_.get(), row, col), PQgetlength(r_.get(), row, col));
}

bool PgResult::Bool(int row, int col) const {
  if (IsNull(row, col)) return false;
  return PQgetlength(r_.get(), row, col) == 1 && PQgetvalue(r_.get(), row, col)[0] != 0;
}

std::string PgResult::Str(int row, int col) const {
  if (IsNull(row, col)) return {};
  return std::string(PQgetvalue(r_.get(), row, col),
                     static_cast<size_t>(PQgetlength(r_.get(), row, col)));
}

std::array<uint8_t, 16> PgResult::Uuid(int row, int col) const {
  std::array<uint8_t, 16> out{};
  if (!IsNull(row, col) && PQgetlength(r_.get(), row, col) == 16) {
    std::memcpy(out.data(), PQgetvalue(r_.get(), row, col), out.size());
  }
  return out;
}

int64_t PgResult::affected() const {
  const char* n = PQcmdTuples(r_.get());
  return n == nullptr || *n == '\0' ? 0 : std::strtoll(n, nullptr, 10);
}

Result<std::unique_ptr<PgConn>> PgConn::Connect(const std::string& url,
                                                const std::string& setup_sql) {
  // Defaults first: a value in the URL itself overrides them. A server that
  // stops answering (a network partition) must not hold a call forever:
  // keepalives find a silent peer of an idle or waiting connection in about
  // 25 s, and tcp_user_timeout closes one whose sent data stays
  // unacknowledged for 30 s; statement_timeout (the session's setup) bounds
  // a statement the server is still running.
  const std::string connect_timeout = std::to_string(kConnectTimeoutS);
  const char* keys[] = {
      "connect_timeout",  "keepalives",       "keepalives_idle", "keepalives_interval",
      "keepalives_count", "tcp_user_timeout", "dbname",          nullptr};
  const char* values[] = {
      connect_timeout.c_str(), "1", "10", "5", "3", "30000", url.c_str(), nullptr};
  PGconn* raw = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (raw == nullptr) return Status::Unavailable("postgres: out of memory connecting");
  std::unique_ptr<PgConn> conn(new PgConn(raw));
  // Notices (and a server's farewell) become Status where they matter;
  // libpq would print them on stderr otherwise.
  PQsetNoticeProcessor(
      raw, [](void*, const char*) {}, nullptr);
  if (PQstatus(raw) != CONNECTION_OK) {
    std::string why = PQerrorMessage(raw);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return Status::Unavailable("postgres: cannot connect: " + why);
  }
  if (!setup_sql.empty()) FERRY_RETURN_IF_ERROR(conn->Run(setup_sql));
  return conn;
}

PgConn::~PgConn() { PQfinish(conn_); }

Status PgConn::ErrorOf(const PGresult* r) {
  const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state != nullptr ? state : "";
  std::string message = r != nullptr ? PQresultErrorMessage(r) : "";
  if (message.empty()) message = PQerrorMessage(conn_);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (PQstatus(conn_) != CONNECTION_OK || IsUnavailable(sqlstate) || r == nullptr) {
    broken_ = true;
    return Status::Unavailable("postgres: " + message);
  }
  // The statement ran past the session's statement_timeout (a lock held
  // by a stuck session, an overloaded server): the connection stays good;
  // the caller may try again.
  if (sqlstate == "57014") {
    return Status::Unavailable("postgres: the database did not answer in time: " + message);
  }
  // A foreign key violation: a message for a queue that another node has
  // deleted meanwhile.
  if (sqlstate == "23503") return Status::NotFound("the queue no longer exists");
  // Class 40 (transaction rollback: a deadlock the server broke, a
  // serialization failure): nothing of the call was stored, and trying
  // again may succeed, so the client is told to retry (503), as SDKs do.
  if (sqlstate.starts_with("40")) {
    return Status::Unavailable("postgres: " + message + " [" + sqlstate + "]");
  }
  return Status::Internal("postgres: " + message + (sqlstate.empty() ? "" : " [" + sqlstate + "]"));
}

Result<PgResult> PgConn::Exec(const std::string& sql, const Params& params) {
  if (broken_) return Status::Unavailable("postgres: the connection was lost");
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "f" + std::to_string(prepared_.size() + 1);
    PgResult prepared(PQprepare(conn_, name.c_str(), sql.c_str(), params.size(),
                                params.types_.empty() ? nullptr : params.types_.data()));
    if (PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) {
      return ErrorOf(prepared.get());
    }
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  std::vector<const char*> values(params.values_.size());
  std::vector<int> lengths(params.values_.size());
  for (size_t i = 0; i < values.size(); ++i) {
    values[i] = params.values_[i].data();
    lengths[i] = static_cast<int>(params.values_[i].size());
  }
  PgResult result(PQexecPrepared(conn_, it->second.c_str(), params.size(), values.data(),
                                 lengths.data(), params.formats_.data(), kBinary));
  const ExecStatusType st = PQresultStatus(result.get());
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) return ErrorOf(result.get());
  return result;
}

Status PgConn::Run(const std::string& sql) {
  if (broken_) return Status::Unavailable("postgres: the connection was lost");
  PGresult* r = PQexec(conn_, sql.c_str());
  const ExecStatusType st = r != nullptr ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  Status status = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? Status::Ok() : ErrorOf(r);
  PQclear(r);
  return status;
}

bool PgConn::IdleAndAlive() {
  if (broken_ || PQstatus(conn_) != CONNECTION_OK) return false;
  pollfd fd{PQsocket(conn_), POLLIN, 0};
  if (fd.fd < 0) return false;
  // Nothing arrives on an idle connection that does not LISTEN unless the
  // server is leaving (an error, then the end of the stream).
  if (::poll(&fd, 1, 0) != 0) broken_ = true;
  return !broken_;
}

Status InTransaction(PgConn& conn, const std::function<Status()>& body) {
  FERRY_RETURN_IF_ERROR(conn.Run("BEGIN"));
  Status st = body();
  if (st.ok()) return conn.Run("COMMIT");
  if (!conn.broken()) (void)conn.Run("ROLLBACK");
  return st;
}

}  // namespace ferry::engine::pg
