// Queue settings and tags as the log's field lists, and back.
#pragma once

#include <map>
#include <string>

#include "engine/types.h"
#include "storage/record.h"

namespace ferry::engine {

storage::Fields SettingsToFields(const QueueSettings& s);
QueueSettings SettingsFromFields(const storage::Fields& fields);
storage::Fields TagsToFields(const std::map<std::string, std::string>& tags);
std::map<std::string, std::string> TagsFromFields(const storage::Fields& fields);

}  // namespace ferry::engine
