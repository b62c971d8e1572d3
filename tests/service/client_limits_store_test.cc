#include "server/service/client_limits_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace seedgate::service {
namespace {

TEST(ClientLimitsTableTest, LinesWithCommentsKeyedByName) {
  auto table = ClientLimitsTable::Parse(
      "# per-client limits\n\n"
      "billing requests_per_minute=60 concurrent_streams=4  # the busy one\n"
      "svc@example.com\ttokens_per_minute=0\n"
      "plain\n");
  ASSERT_TRUE(table.ok()) << table.status();
  ASSERT_EQ(table->size(), 3u);
  EXPECT_EQ(table->names(), (std::vector<std::string>{"billing", "plain", "svc@example.com"}));
  const ClientLimitOverrides* billing = table->Find("billing");
  ASSERT_NE(billing, nullptr);
  EXPECT_EQ(billing->requests_per_minute, 60);
  EXPECT_EQ(billing->concurrent_streams, 4);
  EXPECT_FALSE(billing->tokens_per_minute.has_value());
  ClientLimits merged = billing->Over({1, 2, 3});
  EXPECT_EQ(merged.requests_per_minute, 60);
  EXPECT_EQ(merged.concurrent_streams, 4);
  EXPECT_EQ(merged.tokens_per_minute, 3) << "unset: from below";
  const ClientLimitOverrides* svc = table->Find("svc@example.com");
  ASSERT_NE(svc, nullptr);
  EXPECT_EQ(svc->tokens_per_minute, 0) << "0 is set: no limit";
  const ClientLimitOverrides* plain = table->Find("plain");
  ASSERT_NE(plain, nullptr);
  EXPECT_FALSE(plain->requests_per_minute.has_value());
  EXPECT_EQ(table->Find("bill"), nullptr);
  EXPECT_EQ(table->Find(""), nullptr);
}

TEST(ClientLimitsTableTest, Json) {
  auto table = ClientLimitsTable::Parse(
      R"({"clients": [{"name": "alpha", "concurrent_streams": 4},
                      {"name": "beta", "requests_per_minute": 0, "tokens_per_minute": 900}]})");
  ASSERT_TRUE(table.ok()) << table.status();
  ASSERT_NE(table->Find("alpha"), nullptr);
  EXPECT_EQ(table->Find("alpha")->concurrent_streams, 4);
  ASSERT_NE(table->Find("beta"), nullptr);
  EXPECT_EQ(table->Find("beta")->requests_per_minute, 0);
  EXPECT_EQ(table->Find("beta")->tokens_per_minute, 900);
}

TEST(ClientLimitsTableTest, BadFilesSayWhereAndNeverQuoteAToken) {
  struct Case {
    std::string text;
    std::string expected;
  };
  // A tokens file given as the limits file by mistake.
  const std::string token = "tok-aaaaaaaaaaaaaaaa1";
  for (const Case& c : std::vector<Case>{
           {"alpha " + token + "\n", "line 1: field 2 is not `limit=N`"},
           {"alpha requests_per_minute=x\n", "line 1: field 2"},
           {"al/pha requests_per_minute=5\n", "client name"},
           {"alpha\nbeta\nalpha concurrent_streams=1\n", "line 3: client alpha is listed twice"},
           {"alpha burst=5\n", "unknown limit \"burst\""},
           {"alpha tok-aaaaaaaaaaaaaaaa1=5\n", "line 1: unknown limit (expected"},
           {"alpha requests_per_minute=-1\n", ">= 0"},
           {"{\"clients\": 3}", "expected a JSON object"},
           {"{\"clients\": [{\"name\": \"a\", \"token\": \"" + token + "\"}]}",
            "clients[0]: \"token\" must be a whole number"},
           {"{\"clients\": [{\"requests_per_minute\": 1}]}", "clients[0]"},
           {"{", "not valid JSON"},
       }) {
    auto table = ClientLimitsTable::Parse(c.text);
    ASSERT_FALSE(table.ok()) << c.text;
    EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StrContains(table.status().message(), c.expected)) << table.status();
    EXPECT_FALSE(absl::StrContains(table.status().message(), token)) << table.status();
  }
}

TEST(ClientLimitsStoreTest, ABadReloadKeepsTheLimitsInForce) {
  char path[] = "/tmp/client_limits_store_test_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << "alpha requests_per_minute=5\n";
  auto store = ClientLimitsStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->current()->Find("alpha")->requests_per_minute, 5);

  std::ofstream(path) << "alpha requests_per_minute=oops\n";
  absl::Status reloaded = (*store)->Reload();
  EXPECT_EQ(reloaded.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(reloaded.message(), path)) << reloaded;
  EXPECT_EQ((*store)->current()->Find("alpha")->requests_per_minute, 5) << "the old limits stay";

  std::ofstream(path) << "alpha requests_per_minute=7\n";
  ASSERT_TRUE((*store)->Reload().ok());
  EXPECT_EQ((*store)->current()->Find("alpha")->requests_per_minute, 7);
  std::remove(path);

  auto missing = ClientLimitsStore::Open(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(absl::StrContains(missing.status().message(), "cannot be read"));
}

}  // namespace
}  // namespace seedgate::service
