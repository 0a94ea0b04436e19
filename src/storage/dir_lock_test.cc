#include "storage/dir_lock.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>

namespace ferry::storage {
namespace {

namespace fs = std::filesystem;

class DirLockTest : public ::testing::Test {
 protected:
  DirLockTest() {
    std::string tmpl = (fs::temp_directory_path() / "ferry-lock-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
  }
  ~DirLockTest() override { fs::remove_all(dir_); }
  std::string dir_;
};

// flock locks belong to an open file description, so a second Acquire in
// the same process conflicts just as another process's would.
TEST_F(DirLockTest, ASecondLockOnTheSameDirectoryIsRefused) {
  auto first = DirLock::Acquire(dir_);
  ASSERT_TRUE(first.ok()) << first.status().message();
  auto second = DirLock::Acquire(dir_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("in use by another ferry"), std::string::npos);
}

TEST_F(DirLockTest, RemovingTheLockFileDoesNotReleaseTheDirectory) {
  auto first = DirLock::Acquire(dir_);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(fs::remove(dir_ + "/LOCK"));
  auto second = DirLock::Acquire(dir_);
  EXPECT_EQ(second.status().code(), Code::kFailedPrecondition);
  // Nor does the refused attempt leave the directory unusable later.
  { DirLock released = std::move(*first); }
  EXPECT_TRUE(DirLock::Acquire(dir_).ok());
}

TEST_F(DirLockTest, ReleasedWhenDestroyed) {
  { auto first = DirLock::Acquire(dir_); ASSERT_TRUE(first.ok()); }
  EXPECT_TRUE(DirLock::Acquire(dir_).ok());
}

// An older binary locks only LOCK; it must still keep a new one out.
TEST_F(DirLockTest, ALockFileHeldByAnOlderBinaryIsRespected) {
  int fd = ::open((dir_ + "/LOCK").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  EXPECT_EQ(DirLock::Acquire(dir_).status().code(), Code::kFailedPrecondition);
  ::close(fd);
  EXPECT_TRUE(DirLock::Acquire(dir_).ok());
}

TEST_F(DirLockTest, AMissingDirectoryIsAnError) {
  EXPECT_EQ(DirLock::Acquire(dir_ + "/absent").status().code(), Code::kUnavailable);
}

}  // namespace
}  // namespace ferry::storage
