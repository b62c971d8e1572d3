// The access log's writer thread: every line queued reaches the file, whole
// and in order, whoever wrote it, by Flush or at the latest when the log
// closes.

#include "server/metrics/access_log.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "tests/support/temp_file.h"

namespace seedgate::testing {
namespace {

using metrics::AccessLog;
using metrics::AccessLogEntry;

AccessLogEntry Entry(const std::string& model) {
  AccessLogEntry entry;
  entry.method = "CreateChatCompletion";
  entry.model = model;
  return entry;
}

// The "model" of each line in the file, in order.
std::vector<std::string> ModelsInFile(const std::string& path) {
  std::vector<std::string> models;
  for (absl::string_view line : absl::StrSplit(ReadWholeFile(path), '\n', absl::SkipEmpty())) {
    models.push_back(nlohmann::json::parse(line).at("model").get<std::string>());
  }
  return models;
}

class AccessLogTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = WriteTempFile(""); }
  void TearDown() override { std::remove(path_.c_str()); }
  std::string path_;
};

TEST_F(AccessLogTest, FlushWritesEveryQueuedLineInOrder) {
  auto log = AccessLog::Open(path_, /*log_content=*/false);
  ASSERT_TRUE(log.ok()) << log.status();
  std::vector<std::string> expected;
  // More than one batch's worth.
  for (int i = 0; i < 3000; ++i) {
    expected.push_back(absl::StrCat("m", i));
    (*log)->Write(Entry(expected.back()));
  }
  (*log)->Flush();
  EXPECT_EQ(ModelsInFile(path_), expected);
  // A second round after the writer went idle.
  (*log)->Write(Entry("after"));
  (*log)->Flush();
  expected.push_back("after");
  EXPECT_EQ(ModelsInFile(path_), expected);
  EXPECT_EQ((*log)->dropped_lines(), 0u);
}

TEST_F(AccessLogTest, ClosingWritesWhatIsQueued) {
  {
    auto log = AccessLog::Open(path_, /*log_content=*/false);
    ASSERT_TRUE(log.ok()) << log.status();
    for (int i = 0; i < 10; ++i) (*log)->Write(Entry(absl::StrCat("m", i)));
  }
  EXPECT_EQ(ModelsInFile(path_).size(), 10u);
}

TEST_F(AccessLogTest, LinesFromManyThreadsAreWholeAndInEachThreadsOrder) {
  auto log = AccessLog::Open(path_, /*log_content=*/false);
  ASSERT_TRUE(log.ok()) << log.status();
  constexpr int kThreads = 4, kLines = 500;
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kLines; ++i) (*log)->Write(Entry(absl::StrCat(t, "-", i)));
    });
  }
  for (auto& writer : writers) writer.join();
  (*log)->Flush();
  std::vector<int> next(kThreads, 0);
  std::vector<std::string> models = ModelsInFile(path_);  // throws on a torn line
  ASSERT_EQ(models.size(), size_t{kThreads * kLines});
  for (const std::string& model : models) {
    std::vector<std::string> parts = absl::StrSplit(model, '-');
    ASSERT_EQ(parts.size(), 2u) << model;
    int t = std::stoi(parts[0]);
    EXPECT_EQ(std::stoi(parts[1]), next[t]++) << model;
  }
}

TEST(AccessLogOpenTest, AFileThatCannotBeOpenedIsAClearError) {
  auto log = AccessLog::Open("/nonexistent-dir-for-seedgate/access.log", false);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(log.status().message().find("--access_log: cannot open"), std::string::npos)
      << log.status();
}

}  // namespace
}  // namespace seedgate::testing
