// net::ConfinedRoot on a real tree in a temporary directory: regular files open, directories
// and FIFOs are refused without being opened, symlinks are followed only while they stay below
// the root (relative or absolute), and no symlink trick reaches the file outside it.

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "net/confined_file.hpp"

namespace pxemasq::net {
namespace {

namespace fs = std::filesystem;
using Components = std::vector<std::string>;

class ConfinedRootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "pxemasq-confined-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    top_ = pattern;
    root_ = top_ / "root";
    fs::create_directories(root_ / "sub" / "deep");
    fs::create_directories(top_ / "outside");
    write(root_ / "file.bin", "inside");
    write(root_ / "sub" / "file.bin", "sub file");
    write(root_ / "sub" / "deep" / "boot.cfg", "kernel=b.b00");
    write(top_ / "secret.txt", "outside the root");
    write(top_ / "outside" / "secret.txt", "outside the root");
    fs::create_symlink("sub/file.bin", root_ / "rel-in");
    fs::create_symlink(root_ / "sub" / "file.bin", root_ / "abs-in");
    fs::create_symlink("../file.bin", root_ / "sub" / "up-in");        // climbs, stays inside
    fs::create_symlink("../secret.txt", root_ / "rel-out");
    fs::create_symlink("../../secret.txt", root_ / "sub" / "rel-out2");
    fs::create_symlink(top_ / "secret.txt", root_ / "abs-out");
    fs::create_symlink(top_ / "outside", root_ / "dir-out");         // a directory outside
    fs::create_symlink("sub", root_ / "dir-in");
    fs::create_symlink(root_ / ".." / "secret.txt", root_ / "abs-dotdot");
    fs::create_symlink("loop-b", root_ / "loop-a");
    fs::create_symlink("loop-a", root_ / "loop-b");
    fs::create_symlink(".", root_ / "self");
    ASSERT_EQ(::mkfifo((root_ / "fifo").c_str(), 0644), 0);
  }
  void TearDown() override { fs::remove_all(top_); }

  static void write(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  }

  ConfinedRoot open_root(const fs::path& path) {
    auto root = ConfinedRoot::open(path.string());
    EXPECT_TRUE(std::holds_alternative<ConfinedRoot>(root));
    return std::move(std::get<ConfinedRoot>(root));
  }

  static std::string read_all(const ConfinedFile& file) {
    std::string text(file.size, '\0');
    const ssize_t got = ::pread(file.fd.get(), text.data(), text.size(), 0);
    return got < 0 ? std::string() : text.substr(0, static_cast<std::size_t>(got));
  }

  // The file's contents, or "error:KIND:ERRNO".
  static std::string fetch(const ConfinedRoot& root, const Components& components) {
    auto result = root.open_file(components);
    if (auto* file = std::get_if<ConfinedFile>(&result)) return read_all(*file);
    const auto& error = std::get<OpenError>(result);
    return "error:" + std::to_string(static_cast<int>(error.kind)) + ":" + std::to_string(error.error);
  }

  static std::string failure(OpenFailure kind, int error) {
    return "error:" + std::to_string(static_cast<int>(kind)) + ":" + std::to_string(error);
  }

  fs::path top_;
  fs::path root_;
};

TEST_F(ConfinedRootTest, OpensRegularFiles) {
  const auto root = open_root(root_);
  EXPECT_EQ(fetch(root, {"file.bin"}), "inside");
  EXPECT_EQ(fetch(root, {"sub", "file.bin"}), "sub file");
  EXPECT_EQ(fetch(root, {"sub", "deep", "boot.cfg"}), "kernel=b.b00");
  auto result = root.open_file(Components{"file.bin"});
  const auto& file = std::get<ConfinedFile>(result);
  EXPECT_EQ(file.size, 6U);
  EXPECT_TRUE(S_ISREG(file.mode));
}

TEST_F(ConfinedRootTest, MissingAndNotRegular) {
  const auto root = open_root(root_);
  EXPECT_EQ(fetch(root, {"nope"}), failure(OpenFailure::not_found, ENOENT));
  EXPECT_EQ(fetch(root, {"nope", "file.bin"}), failure(OpenFailure::not_found, ENOENT));
  EXPECT_EQ(fetch(root, {"sub"}), failure(OpenFailure::not_regular, EISDIR));
  EXPECT_EQ(fetch(root, {"fifo"}), failure(OpenFailure::not_regular, 0));  // and it did not hang
  EXPECT_EQ(fetch(root, {"file.bin", "x"}), failure(OpenFailure::other, ENOTDIR));
  EXPECT_EQ(fetch(root, {}), failure(OpenFailure::not_regular, EISDIR));
  EXPECT_EQ(fetch(root, {"self"}), failure(OpenFailure::not_regular, EISDIR));
  EXPECT_EQ(fetch(root, {"loop-a"}), failure(OpenFailure::other, ELOOP));
}

TEST_F(ConfinedRootTest, FollowsSymlinksThatStayInside) {
  const auto root = open_root(root_);
  EXPECT_EQ(fetch(root, {"rel-in"}), "sub file");
  EXPECT_EQ(fetch(root, {"abs-in"}), "sub file");
  EXPECT_EQ(fetch(root, {"sub", "up-in"}), "inside");
  EXPECT_EQ(fetch(root, {"dir-in", "file.bin"}), "sub file");
  EXPECT_EQ(fetch(root, {"self", "sub", "file.bin"}), "sub file");
}

TEST_F(ConfinedRootTest, RefusesSymlinksThatLeave) {
  const auto root = open_root(root_);
  const std::string escape = failure(OpenFailure::escapes_root, EXDEV);
  EXPECT_EQ(fetch(root, {"rel-out"}), escape);
  EXPECT_EQ(fetch(root, {"sub", "rel-out2"}), escape);
  EXPECT_EQ(fetch(root, {"abs-out"}), escape);
  EXPECT_EQ(fetch(root, {"dir-out", "secret.txt"}), escape);
  EXPECT_EQ(fetch(root, {"abs-dotdot"}), escape);
  // Components that are not plain names never reach the filesystem.
  EXPECT_EQ(fetch(root, {".."}), escape);
  EXPECT_EQ(fetch(root, {"sub", "..", "..", "secret.txt"}), escape);
  EXPECT_EQ(fetch(root, {"../secret.txt"}), escape);
  EXPECT_EQ(fetch(root, {""}), escape);
}

TEST_F(ConfinedRootTest, RootGivenThroughASymlinkAcceptsBothSpellings) {
  fs::create_symlink(root_, top_ / "alias");
  // An absolute link spelled with the alias path, in a root opened through the alias.
  fs::create_symlink(top_ / "alias" / "sub" / "file.bin", root_ / "abs-alias");
  const auto via_alias = open_root(top_ / "alias");
  EXPECT_EQ(fetch(via_alias, {"abs-alias"}), "sub file");
  EXPECT_EQ(fetch(via_alias, {"abs-in"}), "sub file");  // the canonical spelling
  const auto direct = open_root(root_);
  EXPECT_EQ(fetch(direct, {"abs-in"}), "sub file");
}

TEST_F(ConfinedRootTest, WholeFilesystemRootFollowsAbsoluteLinks) {
  const auto everything = open_root("/");
  const fs::path relative = fs::relative(top_ / "secret.txt", "/");
  Components components;
  for (const auto& part : relative) components.push_back(part.string());
  EXPECT_EQ(fetch(everything, components), "outside the root");
}

TEST_F(ConfinedRootTest, HasDirectory) {
  const auto root = open_root(root_);
  EXPECT_TRUE(root.has_directory("sub"));
  EXPECT_TRUE(root.has_directory("dir-in"));
  EXPECT_FALSE(root.has_directory("file.bin"));
  EXPECT_FALSE(root.has_directory("nope"));
  EXPECT_FALSE(root.has_directory(".."));
  EXPECT_FALSE(root.has_directory("sub/deep"));
}

TEST_F(ConfinedRootTest, RegularFilesListsTheTreeWithoutFollowingLinks) {
  const auto root = open_root(root_);
  const std::vector<std::string> expected{"file.bin", "sub/file.bin", "sub/deep/boot.cfg"};
  EXPECT_EQ(root.regular_files(WalkLimits{}), expected);
  WalkLimits shallow;
  shallow.max_depth = 1;
  EXPECT_EQ(root.regular_files(shallow), (std::vector<std::string>{"file.bin", "sub/file.bin"}));
  WalkLimits few;
  few.max_files = 2;
  EXPECT_EQ(root.regular_files(few).size(), 2U);
}

TEST(BelowPrefix, LexicalComponents) {
  std::vector<std::string> below;
  EXPECT_TRUE(below_prefix("/srv/tftp/a/b", "/srv/tftp", below));
  EXPECT_EQ(below, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(below_prefix("//srv/./tftp//a", "/srv/tftp/", below));
  EXPECT_EQ(below, (std::vector<std::string>{"a"}));
  EXPECT_TRUE(below_prefix("/srv/tftp/../x", "/srv/tftp", below));
  EXPECT_EQ(below, (std::vector<std::string>{"..", "x"}));  // the walk refuses the climb
  EXPECT_FALSE(below_prefix("/srv/tftpx/a", "/srv/tftp", below));
  EXPECT_FALSE(below_prefix("/srv", "/srv/tftp", below));
  EXPECT_TRUE(below_prefix("/etc/passwd", "/", below));
  EXPECT_EQ(below, (std::vector<std::string>{"etc", "passwd"}));
}

}  // namespace
}  // namespace pxemasq::net
