#include "server/service/token_store.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"

namespace seedgate::service {
namespace {

constexpr char kTokenA[] = "tok-aaaaaaaaaaaaaaaa1";
constexpr char kTokenB[] = "tok-bbbbbbbbbbbbbbbb2";

TEST(TokenTableTest, LinesWithCommentsAndLimits) {
  auto table =
      TokenTable::Parse(absl::StrCat("# clients\n\nalpha ", kTokenA, "  # the first\nbeta\t",
                                     kTokenB, " requests_per_minute=60 tokens_per_minute=0\n"));
  ASSERT_TRUE(table.ok()) << table.status();
  ASSERT_EQ(table->size(), 2u);
  const TokenTable::Client* a = table->Find(kTokenA);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->name, "alpha");
  EXPECT_FALSE(a->limits.requests_per_minute.has_value());
  const TokenTable::Client* b = table->Find(kTokenB);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->name, "beta");
  EXPECT_EQ(b->limits.requests_per_minute, 60);
  EXPECT_EQ(b->limits.tokens_per_minute, 0);
  ClientLimits merged = b->limits.Over({1, 2, 3});
  EXPECT_EQ(merged.requests_per_minute, 60);
  EXPECT_EQ(merged.concurrent_streams, 2);
  EXPECT_EQ(merged.tokens_per_minute, 0);
  EXPECT_EQ(table->Find("tok-aaaaaaaaaaaaaaaa"), nullptr) << "a prefix is not the token";
  EXPECT_EQ(table->Find(""), nullptr);
}

TEST(TokenTableTest, Json) {
  auto table = TokenTable::Parse(absl::StrCat(R"({"clients": [{"name": "alpha", "token": ")",
                                              kTokenA, R"(", "concurrent_streams": 4}]})"));
  ASSERT_TRUE(table.ok()) << table.status();
  const TokenTable::Client* a = table->Find(kTokenA);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->limits.concurrent_streams, 4);
}

TEST(TokenTableTest, BadFilesSayWhereAndNeverQuoteATokenBack) {
  struct Case {
    std::string text;
    std::string expected;
  };
  const std::string secret = kTokenA;
  for (const Case& c : std::vector<Case>{
           {"alpha\n", "line 1"},
           {"alpha short\n", "at least 16"},
           {"al/pha " + secret + "\n", "client name"},
           {"alpha " + secret + "\nalpha " + kTokenB + "\n", "listed twice"},
           {"alpha " + secret + "\nbeta " + secret + "\n", "another client"},
           {"alpha " + secret + " burst=5\n", "unknown limit"},
           {"alpha " + secret + " requests_per_minute=-1\n", ">= 0"},
           {"{\"clients\": 3}", "expected a JSON object"},
           {"{\"clients\": [{\"name\": \"a\"}]}", "clients[0]"},
           {"{", "not valid JSON"},
       }) {
    auto table = TokenTable::Parse(c.text);
    ASSERT_FALSE(table.ok()) << c.text;
    EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StrContains(table.status().message(), c.expected)) << table.status();
    EXPECT_FALSE(absl::StrContains(table.status().message(), secret)) << table.status();
  }
}

}  // namespace
}  // namespace seedgate::service
