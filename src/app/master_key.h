// The master key of encryption at rest, as the command line names it
// (storage/keyring.h holds the keys themselves), and `ferry
// rotate-master-key`.
#pragma once

#include <string>

namespace ferry::app {

// The master key file a command uses: FERRY_MASTER_KEY_FILE when set and
// not empty, else `flag` when not empty, else <data_dir>/master.key.
std::string MasterKeyFileFor(const std::string& data_dir, const std::string& flag);

struct RotateConfig {
  std::string data_dir = "./ferry-data";
  std::string master_key_file;  // as ServeConfig::master_key_file
};

// `ferry rotate-master-key`: with the server stopped (it takes the data
// directory's lock), adds a new master key version, rewraps every data key
// under it and drops the older versions (storage::RotateMasterKey). Returns
// the exit status: 0 done, 1 not done (the reason on stderr; nothing lost).
int RunRotateMasterKey(const RotateConfig& config);

}  // namespace ferry::app
