#include "app/master_key.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "storage/dir_lock.h"
#include "storage/keyring.h"

namespace ferry::app {

std::string MasterKeyFileFor(const std::string& data_dir, const std::string& flag) {
  if (const char* env = std::getenv("FERRY_MASTER_KEY_FILE"); env != nullptr && *env != '\0') {
    return env;
  }
  return flag.empty() ? storage::DefaultMasterKeyFile(data_dir) : flag;
}

int RunRotateMasterKey(const RotateConfig& config) {
  if (!std::filesystem::is_directory(config.data_dir)) {
    std::fprintf(stderr, "ferry rotate-master-key: %s is not a directory\n",
                 config.data_dir.c_str());
    return 1;
  }
  auto lock = storage::DirLock::Acquire(config.data_dir);
  if (!lock.ok()) {
    std::fprintf(stderr, "ferry rotate-master-key: %s\n", lock.status().message().c_str());
    return 1;
  }
  std::string report;
  Status st = storage::RotateMasterKey(
      {.dir = config.data_dir,
       .master_key_file = MasterKeyFileFor(config.data_dir, config.master_key_file)},
      &report);
  if (!st.ok()) {
    std::fprintf(stderr, "ferry rotate-master-key: %s\n", st.message().c_str());
    return 1;
  }
  std::printf("%s\n", report.c_str());
  return 0;
}

}  // namespace ferry::app
