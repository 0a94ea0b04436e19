// One libpq connection (PgConn), the parameters of a statement (Params) and
// its result (PgResult). Every statement is sent with binary parameters of
// explicit types and asks for binary results, so that bytea payloads and
// uuids travel as raw bytes; each distinct statement text is prepared once
// per connection and executed by name afterwards (one round trip).
//
// Errors become Status: a lost connection, a server shutting down or one not
// accepting connections yet is kUnavailable (the API answers 503 and the
// client retries); a foreign key violation (a change to a queue another
// node deleted) is kNotFound; anything else the server refuses is kInternal. After a
// kUnavailable the connection is broken() and its pool replaces it.
//
// Thread-safety: a PgConn is used by one thread at a time (a pool lease);
// Params and PgResult are plain values.
#pragma once

#include <libpq-fe.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace ferry::engine::pg {

// The parameters of one statement, $1, $2, ... in the order added.
class Params {
 public:
  Params& Int(int64_t v);
  Params& Bool(bool v);
  Params& Text(std::string_view v);
  Params& Bytes(std::string_view v);
  Params& Uuid(const std::array<uint8_t, 16>& id);
  // An int8[] (sent in text form: cast it, `$n::bigint[]`).
  Params& IntArray(const std::vector<int64_t>& v);
  // A text[] (sent in text form: cast it, `$n::text[]`).
  Params& TextArray(const std::vector<std::string>& v);
  // Arrays in binary form, any bytes in their elements: int8[], uuid[],
  // bytea[], text[].
  Params& Int8ArrayBinary(const std::vector<int64_t>& v);
  Params& UuidArrayBinary(const std::vector<std::array<uint8_t, 16>>& v);
  Params& BytesArrayBinary(const std::vector<std::string_view>& v);
  Params& TextArrayBinary(const std::vector<std::string_view>& v);

  int size() const { return static_cast<int>(values_.size()); }

 private:
  friend class PgConn;
  Params& Add(Oid type, std::string value, int format);
  // A one-dimensional array of `n` elements appended by `each(i, out)`.
  Params& AddArray(Oid array_type, Oid element_type, size_t n,
                   const std::function<void(size_t, std::string*)>& each);

  std::vector<Oid> types_;
  std::vector<std::string> values_;
  std::vector<int> formats_;
};

// The rows of a statement, read by row and column index. Accessors expect
// the column's type (int2/int4/int8, bool, text/bytea, uuid); a NULL reads
// as 0, false or empty.
class PgResult {
 public:
  explicit PgResult(PGresult* r) : r_(r, &PQclear) {}

  int rows() const { return PQntuples(r_.get()); }
  bool IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  int64_t Int(int row, int col) const;
  bool Bool(int row, int col) const;
  std::string Str(int row, int col) const;
  std::array<uint8_t, 16> Uuid(int row, int col) const;
  // Rows an INSERT, UPDATE or DELETE changed.
  int64_t affected() const;
  const PGresult* get() const { return r_.get(); }

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> r_;
};

// How long a connection attempt may take, unless the URL says otherwise
// (connect_timeout).
inline constexpr int kConnectTimeoutS = 5;

class PgConn {
 public:
  // Connects to `url` (a libpq connection string or URI) and runs
  // `setup_sql` (simple protocol, may hold several statements).
  static Result<std::unique_ptr<PgConn>> Connect(const std::string& url,
                                                 const std::string& setup_sql);
  ~PgConn();
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  // Runs one statement with parameters (prepared on first use).
  Result<PgResult> Exec(const std::string& sql, const Params& params = {});
  // Runs statements without parameters (simple protocol: several may be
  // separated by semicolons), e.g. BEGIN, COMMIT, LISTEN.
  Status Run(const std::string& sql);

  // Lost: every further call fails; the pool reconnects.
  bool broken() const { return broken_; }
  // For a connection with no statement running: false when the server
  // has closed it or sent anything since (a shutdown's notice), so that a
  // pool replaces it before a call is lost on it. No round trip.
  bool IdleAndAlive();
  PGconn* raw() { return conn_; }

  // The status of a failed result (or of the connection when r is null):
  // kUnavailable for connection failures and shutdowns, kInternal else.
  // Marks the connection broken when it is lost.
  Status ErrorOf(const PGresult* r);

 private:
  explicit PgConn(PGconn* conn) : conn_(conn) {}

  PGconn* conn_;
  bool broken_ = false;
  std::unordered_map<std::string, std::string> prepared_;  // text → statement name
};

// Runs `body` between BEGIN and COMMIT on `conn`; rolls back when it fails.
Status InTransaction(PgConn& conn, const std::function<Status()>& body);

}  // namespace ferry::engine::pg
