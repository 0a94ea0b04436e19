// Fuzzes reading a checkpoint back: the input is a data directory's
// `checkpoint` file, opened by LocalEngine::OpenDurable (storage's framing,
// then each record to its owner: queues, messages, FIFO state, move tasks,
// the catalog). The first byte says how: bit 0 clear, the CRC of each frame
// the bytes hold (walking by their claimed lengths) is made right before the
// file is written, so that mutations reach the record decoders and the
// engine's recovery instead of stopping at the checksum; bit 0 set, the
// bytes are written as they are. The rest is the file: a checkpoint a
// server wrote is a seed as it is.
//
// What must hold: opening answers an error (the damage named, kInternal) or
// an engine; never a crash, a sanitizer report, or an allocation the
// input's size does not bound (libFuzzer's -rss_limit_mb and -malloc_limit_mb
// catch those). An engine that opened must describe the same state (queues,
// their kind, tags, counts and times, every catalog entry) after it writes
// a checkpoint of its own and is opened again from it.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/coding.h"
#include "common/crc32c.h"
#include "engine/local_engine.h"
#include "storage/checkpoint.h"
#include "storage/log_format.h"
#include "storage/record_frame.h"

namespace {

using namespace ferry;
namespace fs = std::filesystem;

void Check(bool ok) {
  if (!ok) std::abort();
}

// One directory per process, emptied before each input and removed at
// exit; on tmpfs when there is one, since each input writes a checkpoint
// and a log segment.
struct ScratchDir {
  std::string path;
  ScratchDir() {
    const fs::path base = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    path = (base / "ferry-checkpoint-fuzz-XXXXXX").string();
    Check(mkdtemp(path.data()) != nullptr);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

const std::string& Dir() {
  static const ScratchDir dir;
  return dir.path;
}

// Rewrites the CRC of every frame whose claimed length fits the bytes.
void FixChecksums(std::string& file) {
  size_t off = storage::kCheckpointMagic.size();
  while (off + storage::kRecordHeaderSize <= file.size()) {
    const uint32_t len = DecodeFixed32(file.data() + off + 4);
    if (len > storage::kMaxRecordPayload || file.size() - off - storage::kRecordHeaderSize < len) {
      return;
    }
    const uint32_t crc = Crc32cExtend(0, file.data() + off + 8, len + 1);
    std::string fixed;
    PutFixed32(&fixed, crc);
    file.replace(off, 4, fixed);
    off += storage::kRecordHeaderSize + len;
  }
}

// Everything the services could observe of the engine, as text.
std::string Describe(engine::LocalEngine& e) {
  std::string out;
  for (const std::string& name : e.ListQueues("")) {
    auto q = e.FindQueue(name);
    Check(q != nullptr);
    const engine::QueueStats s = q->Stats();
    out += "queue " + name + (q->fifo() ? " fifo" : " std") + " created " +
           std::to_string(q->created_ms()) + " visible " + std::to_string(s.visible) +
           " in_flight " + std::to_string(s.in_flight) + " delayed " + std::to_string(s.delayed) +
           " oldest " + std::to_string(s.oldest_sent_ms) + "\n";
    for (const auto& [k, v] : q->tags()) out += " tag " + k + "=" + v + "\n";
  }
  for (int kind = 0; kind < 256; ++kind) {
    for (const auto& entry : e.Entries(static_cast<engine::CatalogKind>(kind))) {
      out += "entry " + std::to_string(kind) + " " + entry.key + "\n";
      for (const auto& [k, v] : entry.fields) out += " " + k + "=" + v + "\n";
    }
  }
  return out;
}

Result<std::unique_ptr<engine::LocalEngine>> Open(const Clock& clock) {
  engine::DurableOptions options;
  options.dir = Dir();
  options.fsync = storage::FsyncMode::kNever;
  options.segment_bytes = 1u << 20;
  return engine::LocalEngine::OpenDurable(clock, options);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string file(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((data[0] & 1) == 0) FixChecksums(file);

  for (const auto& entry : fs::directory_iterator(Dir())) fs::remove_all(entry.path());
  Check(storage::WriteCheckpoint(storage::FileOps::Default(), Dir(), file).ok());

  FakeClock clock;
  std::string before;
  {
    auto opened = Open(clock);
    if (!opened.ok()) return 0;  // refused: the damage is named
    before = Describe(**opened);
    Check((*opened)->Checkpoint().ok());
  }
  auto again = Open(clock);
  Check(again.ok());  // its own checkpoint must open
  Check(Describe(**again) == before);
  return 0;
}
