// seedctl's command line.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/seedctl/flags.h"

namespace seedgate::seedctl {
namespace {

using ::testing::HasSubstr;

bool Parse(const std::vector<std::string>& args, Flags* flags, std::string* error,
           Flags defaults = {}) {
  return ParseFlags(args, defaults, flags, error);
}

TEST(SeedctlFlagsTest, ChatWithEveryFlag) {
  Flags f;
  std::string error;
  ASSERT_TRUE(Parse({"--target",
                     "h:1",
                     "chat",
                     "--model=doubao-seed-2.0-lite",
                     "--system",
                     "be brief",
                     "--thinking",
                     "enabled",
                     "--reasoning-effort",
                     "high",
                     "--max-tokens",
                     "100",
                     "--temperature",
                     "0",
                     "--image",
                     "http://a/1.png",
                     "--video",
                     "http://a/2.mp4",
                     "--image",
                     "http://a/3.png",
                     "--tools",
                     "t.json",
                     "--tool-choice",
                     "get_weather",
                     "--response-format",
                     "r.json",
                     "--no-stream",
                     "--json",
                     "--timeout",
                     "1.5m",
                     "--token",
                     "tok",
                     "what is this?"},
                    &f, &error))
      << error;
  EXPECT_EQ(f.command, Command::kChat);
  EXPECT_EQ(f.target, "h:1");
  EXPECT_EQ(f.prompt, "what is this?");
  EXPECT_EQ(f.model, "doubao-seed-2.0-lite");
  EXPECT_EQ(f.system, "be brief");
  EXPECT_EQ(f.thinking, "enabled");
  EXPECT_EQ(f.reasoning_effort, "high");
  EXPECT_EQ(f.max_tokens, 100);
  EXPECT_EQ(f.temperature, 0.0);
  ASSERT_EQ(f.media.size(), 3u);
  EXPECT_EQ(f.media[1].kind, Media::kVideo);
  EXPECT_EQ(f.media[2].url, "http://a/3.png");
  EXPECT_EQ(f.tools_file, "t.json");
  EXPECT_EQ(f.tool_choice, "get_weather");
  EXPECT_EQ(f.response_format_file, "r.json");
  EXPECT_EQ(f.stream, false);
  EXPECT_TRUE(f.json);
  EXPECT_EQ(f.timeout, std::chrono::milliseconds(90000));
  EXPECT_EQ(f.token, "tok");
}

TEST(SeedctlFlagsTest, TlsAndMutualTls) {
  Flags f;
  std::string error;
  ASSERT_TRUE(Parse({"models", "--tls-ca", "ca.pem", "--tls-cert=me.pem", "--tls-key", "me.key"},
                    &f, &error))
      << error;
  EXPECT_TRUE(f.tls);
  EXPECT_EQ(f.ca_file, "ca.pem");
  EXPECT_EQ(f.cert_file, "me.pem");
  EXPECT_EQ(f.key_file, "me.key");
  Flags old;
  ASSERT_TRUE(Parse({"health", "--ca-file", "ca.pem"}, &old, &error)) << error;
  EXPECT_TRUE(old.tls);
  EXPECT_EQ(old.ca_file, "ca.pem");
  Flags half;
  EXPECT_FALSE(Parse({"models", "--tls-cert", "me.pem"}, &half, &error));
  EXPECT_THAT(error, HasSubstr("--tls-key"));
}

TEST(SeedctlFlagsTest, EnvironmentDefaultsAndFlagsWin) {
  Flags defaults;
  defaults.target = "env:2";
  defaults.token = "env-token";
  Flags f;
  std::string error;
  ASSERT_TRUE(Parse({"models"}, &f, &error, defaults));
  EXPECT_EQ(f.target, "env:2");
  EXPECT_EQ(f.token, "env-token");
  ASSERT_TRUE(Parse({"health", "--target=cli:3"}, &f, &error, defaults));
  EXPECT_EQ(f.target, "cli:3");
  EXPECT_EQ(f.stream, std::nullopt);
}

TEST(SeedctlFlagsTest, Help) {
  Flags f;
  std::string error;
  ASSERT_TRUE(Parse({"--help"}, &f, &error));
  EXPECT_TRUE(f.help);
  EXPECT_EQ(f.command, Command::kNone);
  ASSERT_TRUE(Parse({"chat", "--help"}, &f, &error));
  EXPECT_TRUE(f.help);
  EXPECT_EQ(f.command, Command::kChat);
  ASSERT_TRUE(Parse({"help", "health"}, &f, &error));
  EXPECT_EQ(f.command, Command::kHealth);
  EXPECT_THAT(CommandHelp(Command::kChat), HasSubstr("--reasoning-effort"));
  EXPECT_THAT(MainHelp(), HasSubstr("SEEDGATE_TARGET"));
}

TEST(SeedctlFlagsTest, UsageErrorsSayWhatIsWrong) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {{}, "no command"},
           {{"frobnicate"}, "unknown command 'frobnicate'"},
           {{"chat"}, "needs a prompt"},
           {{"chat", "a", "b"}, "one prompt"},
           {{"chat", "--thinking", "maybe", "x"}, "--thinking must be one of enabled"},
           {{"chat", "--reasoning-effort=max", "x"}, "minimal, low, medium, high"},
           {{"chat", "--max-tokens", "ten", "x"}, "--max-tokens"},
           {{"chat", "--temperature", "hot", "x"}, "--temperature"},
           {{"chat", "--timeout", "soon", "x"}, "--timeout"},
           {{"chat", "x", "--model"}, "--model needs a value"},
           {{"chat", "--stream=yes", "x"}, "takes no value"},
           {{"chat", "--colour", "x"}, "unknown flag --colour"},
           {{"models", "--model", "m"}, "does not apply to 'models'"},
           {{"health", "extra"}, "takes no arguments"},
       }) {
    Flags f;
    std::string error;
    EXPECT_FALSE(Parse(c.args, &f, &error)) << c.message;
    EXPECT_THAT(error, HasSubstr(c.message));
  }
}

TEST(SeedctlFlagsTest, Timeouts) {
  EXPECT_EQ(ParseTimeout("30s"), std::chrono::milliseconds(30000));
  EXPECT_EQ(ParseTimeout("500ms"), std::chrono::milliseconds(500));
  EXPECT_EQ(ParseTimeout("2"), std::chrono::milliseconds(2000));
  EXPECT_EQ(ParseTimeout("0"), std::nullopt);
  EXPECT_EQ(ParseTimeout("-1s"), std::nullopt);
  EXPECT_EQ(ParseTimeout("inf"), std::nullopt);
}

}  // namespace
}  // namespace seedgate::seedctl
