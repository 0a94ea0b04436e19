#include "storage/file_ops.h"

#include <unistd.h>

namespace ferry::storage {

ssize_t FileOps::Pwrite(int fd, const void* data, size_t n, off_t offset) {
  return ::pwrite(fd, data, n, offset);
}

int FileOps::Fdatasync(int fd) { return ::fdatasync(fd); }

FileOps& FileOps::Default() {
  static FileOps ops;
  return ops;
}

}  // namespace ferry::storage
