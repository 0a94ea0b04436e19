// Test helpers for the write-ahead log: a temporary directory, send records
// with recognisable bodies, and reading files byte for byte.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "common/temp_dir_test_util.h"
#include "storage/log.h"
#include "storage/log_reader.h"

namespace ferry::storage::testing {

using ::ferry::testing::TempDir;

// A send to queue 1; its body is a view of `body`.
inline Record SendRecord(uint64_t seq, const std::string& body) {
  return storage::Send{
      .queue_id = 1,
      .message = {.seq = seq, .sent_ms = 1000 + static_cast<int64_t>(seq), .body = body}};
}

inline std::string BodyOf(uint64_t seq) {
  return "body-" + std::to_string(seq) + std::string(seq % 50, 'x');
}

// Appends n send records (sequences 1..n) and returns their LSNs.
inline std::vector<Lsn> Fill(Log& log, uint64_t n) {
  std::vector<Lsn> lsns;
  for (uint64_t i = 1; i <= n; ++i) {
    std::string body = BodyOf(i);
    auto lsn = log.Append(SendRecord(i, body));
    EXPECT_TRUE(lsn.ok());
    lsns.push_back(*lsn);
  }
  EXPECT_TRUE(log.Flush().ok());
  return lsns;
}

// The sequences of the records a replay from the start visits, each checked
// against its body.
inline std::vector<uint64_t> ReplayedSeqs(const std::string& dir, ReplayResult* result = nullptr) {
  std::vector<uint64_t> seqs;
  auto r = ReplayLog(dir, 0, [&](Lsn, const Record& rec) {
    const std::optional<RecordedBody> body = BodyIn(rec);
    EXPECT_TRUE(body.has_value());
    if (!body) return Status::Ok();
    EXPECT_EQ(body->body, BodyOf(body->seq));
    seqs.push_back(body->seq);
    return Status::Ok();
  });
  EXPECT_TRUE(r.ok()) << r.status().message();
  if (result && r.ok()) *result = *r;
  return seqs;
}

inline LogOptions Options(const std::string& dir, uint64_t segment_bytes = 1 << 16) {
  LogOptions o;
  o.dir = dir;
  o.segment_bytes = segment_bytes;
  return o;
}

inline std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// XORs one byte of a file with `mask`.
inline void FlipByte(const std::string& path, uint64_t offset, char mask = '\x01') {
  std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.get(c);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(c ^ mask));
}

}  // namespace ferry::storage::testing
