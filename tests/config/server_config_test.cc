#include "server/config/server_config.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace seedgate::config {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

using Env = std::map<std::string, std::string>;
using Args = std::vector<std::string>;

EnvLookup FakeEnv(Env env) {
  return [env = std::move(env)](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
}

absl::StatusOr<ServerConfig> Parse(const Args& args, const Env& env = {}) {
  return ParseServerConfig(args, FakeEnv(env));
}

// The error message of a parse that must fail.
std::string ErrorOf(const Args& args, const Env& env = {}) {
  absl::StatusOr<ServerConfig> config = Parse(args, env);
  EXPECT_FALSE(config.ok()) << "parsed although it should not";
  if (config.ok()) return "";
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(config.status().message());
}

// Files for the key and CA tests, in a directory removed afterwards.
class TempFiles {
 public:
  TempFiles() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "seedgate_config_test.XXXXXX").string();
    dir_ = mkdtemp(pattern.data());
  }
  ~TempFiles() { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& contents) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << contents;
    return path;
  }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  std::string Dir() const { return dir_.string(); }

 private:
  std::filesystem::path dir_;
};

TEST(ServerConfigTest, Defaults) {
  absl::StatusOr<ServerConfig> config = Parse({});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->listen, "0.0.0.0:50051");
  EXPECT_THAT(config->upstream_base_urls,
              ElementsAre("https://direct.evolink.ai", "https://api.evolink.ai"));
  EXPECT_EQ(config->api_key, "");
  EXPECT_EQ(config->api_key_file, "");
  EXPECT_EQ(config->upstream_ca_file, "");
  EXPECT_EQ(config->upstream_http_version, "2");
  EXPECT_EQ(config->connect_timeout, absl::Seconds(10));
  EXPECT_EQ(config->request_timeout, absl::Minutes(10));
  EXPECT_FALSE(config->allow_unknown_models);
  EXPECT_FALSE(config->require_api_key);
  EXPECT_EQ(config->emulator_path, "");
}

// --- every flag, from each source -------------------------------------------

// A flag, a good value for it, and how to see that it took effect.
struct FlagCase {
  std::string flag;
  std::string value;
  std::function<void(const ServerConfig&)> expect_set;
  std::function<void(const ServerConfig&)> expect_default;
};

std::vector<FlagCase> FlagCases(TempFiles& files) {
  const std::string ca = files.Write("ca.pem", "-----BEGIN CERTIFICATE-----\n");
  const std::string key = files.Write("key", "sk-from-file\n");
  const std::string tokens = files.Write("tokens", "alpha tok-aaaaaaaaaaaaaaaa\n");
  return {
      {"listen", "127.0.0.1:6000", [](auto& c) { EXPECT_EQ(c.listen, "127.0.0.1:6000"); },
       [](auto& c) { EXPECT_EQ(c.listen, "0.0.0.0:50051"); }},
      {"upstream_base_urls", "http://localhost:8080/",
       [](auto& c) { EXPECT_THAT(c.upstream_base_urls, ElementsAre("http://localhost:8080")); },
       [](auto& c) { EXPECT_EQ(c.upstream_base_urls.size(), 2u); }},
      {"api_key_file", key,
       [key](auto& c) {
         EXPECT_EQ(c.api_key_file, key);
         EXPECT_EQ(c.api_key, "sk-from-file");
       },
       [](auto& c) { EXPECT_EQ(c.api_key, ""); }},
      {"upstream_ca_file", ca, [ca](auto& c) { EXPECT_EQ(c.upstream_ca_file, ca); },
       [](auto& c) { EXPECT_EQ(c.upstream_ca_file, ""); }},
      {"upstream_http_version", "1.1", [](auto& c) { EXPECT_EQ(c.upstream_http_version, "1.1"); },
       [](auto& c) { EXPECT_EQ(c.upstream_http_version, "2"); }},
      {"connect_timeout", "1500ms",
       [](auto& c) { EXPECT_EQ(c.connect_timeout, absl::Milliseconds(1500)); },
       [](auto& c) { EXPECT_EQ(c.connect_timeout, absl::Seconds(10)); }},
      {"request_timeout", "90", [](auto& c) { EXPECT_EQ(c.request_timeout, absl::Seconds(90)); },
       [](auto& c) { EXPECT_EQ(c.request_timeout, absl::Minutes(10)); }},
      {"allow_unknown_models", "true", [](auto& c) { EXPECT_TRUE(c.allow_unknown_models); },
       [](auto& c) { EXPECT_FALSE(c.allow_unknown_models); }},
      {"require_api_key", "yes", [](auto& c) { EXPECT_TRUE(c.require_api_key); },
       [](auto& c) { EXPECT_FALSE(c.require_api_key); }},
      {"emulator_path", "/opt/fake-upstream",
       [](auto& c) { EXPECT_EQ(c.emulator_path, "/opt/fake-upstream"); },
       [](auto& c) { EXPECT_EQ(c.emulator_path, ""); }},
      // Security.
      {"client_auth", "none", [](auto& c) { EXPECT_EQ(c.client_auth, "none"); },
       [](auto& c) { EXPECT_EQ(c.client_auth, ""); }},
      {"client_tokens_file", tokens,
       [tokens](auto& c) {
         EXPECT_EQ(c.client_tokens_file, tokens);
         EXPECT_EQ(c.client_auth, "tokens") << "inferred from the file";
       },
       [](auto& c) { EXPECT_EQ(c.client_tokens_file, ""); }},
      {"client_limits_file", tokens,
       [tokens](auto& c) {
         EXPECT_EQ(c.client_limits_file, tokens);
         EXPECT_EQ(c.client_auth, "") << "a limits file chooses no mode";
       },
       [](auto& c) { EXPECT_EQ(c.client_limits_file, ""); }},
      {"client_requests_per_minute", "600",
       [](auto& c) { EXPECT_EQ(c.client_requests_per_minute, 600); },
       [](auto& c) { EXPECT_EQ(c.client_requests_per_minute, 0); }},
      {"client_concurrent_streams", "20",
       [](auto& c) { EXPECT_EQ(c.client_concurrent_streams, 20); },
       [](auto& c) { EXPECT_EQ(c.client_concurrent_streams, 0); }},
      {"client_tokens_per_minute", "100000",
       [](auto& c) { EXPECT_EQ(c.client_tokens_per_minute, 100000); },
       [](auto& c) { EXPECT_EQ(c.client_tokens_per_minute, 0); }},
      {"access_log", "off", [](auto& c) { EXPECT_EQ(c.access_log, "off"); },
       [](auto& c) { EXPECT_EQ(c.access_log, "stderr"); }},
      {"log_content", "true", [](auto& c) { EXPECT_TRUE(c.log_content); },
       [](auto& c) { EXPECT_FALSE(c.log_content); }},
      {"upstream_insecure_skip_verify", "true",
       [](auto& c) { EXPECT_TRUE(c.upstream_insecure_skip_verify); },
       [](auto& c) { EXPECT_FALSE(c.upstream_insecure_skip_verify); }},
  };
}

std::string EnvVar(const std::string& flag) {
  std::string upper = flag;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "SEEDGATE_" + upper;
}

// require_api_key needs a key to parse at all.
const Env kKeyEnv = {{"EVOLINK_API_KEY", "sk-env"}};

Env WithKey(Env env) {
  env.insert(kKeyEnv.begin(), kKeyEnv.end());
  return env;
}

TEST(ServerConfigTest, EveryFlagFromEqualsSyntax) {
  TempFiles files;
  for (const FlagCase& c : FlagCases(files)) {
    SCOPED_TRACE(c.flag);
    const Env env = c.flag == "require_api_key" ? kKeyEnv : Env{};
    absl::StatusOr<ServerConfig> config = Parse({"--" + c.flag + "=" + c.value}, env);
    ASSERT_TRUE(config.ok()) << config.status();
    c.expect_set(*config);
  }
}

TEST(ServerConfigTest, EveryFlagFromSpaceSyntax) {
  TempFiles files;
  for (const FlagCase& c : FlagCases(files)) {
    SCOPED_TRACE(c.flag);
    const Env env = c.flag == "require_api_key" ? kKeyEnv : Env{};
    absl::StatusOr<ServerConfig> config = Parse({"--" + c.flag, c.value}, env);
    ASSERT_TRUE(config.ok()) << config.status();
    c.expect_set(*config);
  }
}

TEST(ServerConfigTest, EveryFlagFromEnvironment) {
  TempFiles files;
  for (const FlagCase& c : FlagCases(files)) {
    SCOPED_TRACE(c.flag);
    Env env = {{EnvVar(c.flag), c.value}};
    if (c.flag == "require_api_key") env = WithKey(env);
    absl::StatusOr<ServerConfig> config = Parse({}, env);
    ASSERT_TRUE(config.ok()) << config.status();
    c.expect_set(*config);
  }
}

TEST(ServerConfigTest, EmptyEnvironmentVariableCountsAsUnset) {
  TempFiles files;
  for (const FlagCase& c : FlagCases(files)) {
    SCOPED_TRACE(c.flag);
    absl::StatusOr<ServerConfig> config = Parse({}, {{EnvVar(c.flag), ""}});
    ASSERT_TRUE(config.ok()) << config.status();
    c.expect_default(*config);
  }
}

TEST(ServerConfigTest, CommandLineWinsOverEnvironment) {
  absl::StatusOr<ServerConfig> config =
      Parse({"--listen=127.0.0.1:1", "--connect_timeout", "3s", "--allow_unknown_models=false"},
            {{"SEEDGATE_LISTEN", "127.0.0.1:2"},
             {"SEEDGATE_CONNECT_TIMEOUT", "4s"},
             {"SEEDGATE_ALLOW_UNKNOWN_MODELS", "true"},
             {"SEEDGATE_REQUEST_TIMEOUT", "5s"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->listen, "127.0.0.1:1");
  EXPECT_EQ(config->connect_timeout, absl::Seconds(3));
  EXPECT_FALSE(config->allow_unknown_models);
  EXPECT_EQ(config->request_timeout, absl::Seconds(5));  // env over default
}

TEST(ServerConfigTest, CommandLineWinsOverABadEnvironmentValue) {
  // The bad variable is never looked at: the flag overrides it.
  EXPECT_TRUE(Parse({"--connect_timeout=3s"}, {{"SEEDGATE_CONNECT_TIMEOUT", "abc"}}).ok());
}

TEST(ServerConfigTest, LastRepeatedFlagWins) {
  absl::StatusOr<ServerConfig> config = Parse({"--listen=127.0.0.1:1", "--listen", "[::]:2"});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->listen, "[::]:2");
}

TEST(ServerConfigTest, DashesMayStandForUnderscores) {
  absl::StatusOr<ServerConfig> config = Parse({"--connect-timeout=2s"});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->connect_timeout, absl::Seconds(2));
}

// --- bools -------------------------------------------------------------------

TEST(ServerConfigTest, BoolForms) {
  const auto allow = [](const Args& args) {
    absl::StatusOr<ServerConfig> config = Parse(args);
    EXPECT_TRUE(config.ok()) << config.status();
    return config.ok() && config->allow_unknown_models;
  };
  EXPECT_TRUE(allow({"--allow_unknown_models"}));
  EXPECT_TRUE(allow({"--allow_unknown_models", "--listen=127.0.0.1:1"}));
  for (const char* yes : {"true", "1", "yes", "TRUE", "Yes"}) {
    EXPECT_TRUE(allow({absl::StrCat("--allow_unknown_models=", yes)})) << yes;
    EXPECT_TRUE(allow({"--allow_unknown_models", yes})) << yes;
  }
  for (const char* no : {"false", "0", "no", "False"}) {
    EXPECT_FALSE(allow({absl::StrCat("--allow_unknown_models=", no)})) << no;
    EXPECT_FALSE(allow({"--allow_unknown_models", no})) << no;
  }
}

TEST(ServerConfigTest, BadBool) {
  EXPECT_EQ(ErrorOf({"--allow_unknown_models=maybe"}),
            "--allow_unknown_models: \"maybe\" is not a boolean (expected true, false, 1, 0, "
            "yes or no)");
  EXPECT_THAT(ErrorOf({}, {{"SEEDGATE_REQUIRE_API_KEY", "si"}}),
              StartsWith("SEEDGATE_REQUIRE_API_KEY: \"si\" is not a boolean"));
}

// --- bad values ----------------------------------------------------------------

TEST(ServerConfigTest, ListenForms) {
  for (const char* good : {"0.0.0.0:50051", "[::]:50051", "[::1]:0", "localhost:65535",
                           "my-host.example:1", "[fe80::1%eth0]:80"}) {
    absl::StatusOr<ServerConfig> config = Parse({absl::StrCat("--listen=", good)});
    ASSERT_TRUE(config.ok()) << good << ": " << config.status();
    EXPECT_EQ(config->listen, good);
  }
  for (const char* bad : {"abc", "host:65536", ":50051", "::1:50051", "host:-1", "host:port",
                          "host:", "", "[]:1", "a b:1"}) {
    EXPECT_THAT(
        ErrorOf({absl::StrCat("--listen=", bad)}),
        AllOf(StartsWith("--listen: \""), HasSubstr("is not host:port"), HasSubstr("[::]:50051")))
        << bad;
  }
  EXPECT_THAT(ErrorOf({}, {{"SEEDGATE_LISTEN", "nope"}}),
              StartsWith("SEEDGATE_LISTEN: \"nope\" is not host:port"));
}

TEST(ServerConfigTest, BaseUrlForms) {
  absl::StatusOr<ServerConfig> config = Parse(
      {"--upstream_base_urls= https://a.example/ , HTTP://127.0.0.1:8080,https://[::1]:8443"});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_THAT(config->upstream_base_urls,
              ElementsAre("https://a.example", "http://127.0.0.1:8080", "https://[::1]:8443"));
}

TEST(ServerConfigTest, BadBaseUrls) {
  for (const char* bad :
       {"ftp://a.example", "a.example", "https://", "https://a b", "https://a.example:0",
        "https://a.example:99999", "https://a.example:x"}) {
    EXPECT_THAT(ErrorOf({absl::StrCat("--upstream_base_urls=", bad)}),
                AllOf(StartsWith("--upstream_base_urls: \""), HasSubstr("is not a base URL"),
                      HasSubstr("http:// or https://")))
        << bad;
  }
  for (const char* bad : {"https://a.example/v1", "https://a.example/v1/", "https://a.example?x",
                          "https://a.example#x"}) {
    EXPECT_THAT(ErrorOf({absl::StrCat("--upstream_base_urls=", bad)}),
                AllOf(StartsWith("--upstream_base_urls: \""), HasSubstr("has a path")))
        << bad;
  }
  for (const char* bad : {",", "https://a.example,", ""}) {
    EXPECT_THAT(ErrorOf({absl::StrCat("--upstream_base_urls=", bad)}),
                HasSubstr("has an empty entry"))
        << bad;
  }
  EXPECT_THAT(ErrorOf({}, {{"SEEDGATE_UPSTREAM_BASE_URLS", "ftp://x"}}),
              StartsWith("SEEDGATE_UPSTREAM_BASE_URLS: \"ftp://x\" is not a base URL"));
}

TEST(ServerConfigTest, BaseUrlWithCredentialsIsRefusedWithoutEchoingThem) {
  const std::string message = ErrorOf({"--upstream_base_urls=https://user:hunter2@a.example"});
  EXPECT_THAT(message, AllOf(HasSubstr("credentials"), Not(HasSubstr("hunter2"))));
}

TEST(ServerConfigTest, BadHttpVersion) {
  EXPECT_EQ(ErrorOf({"--upstream_http_version=3"}),
            "--upstream_http_version: \"3\" must be 2 or 1.1");
  EXPECT_THAT(ErrorOf({}, {{"SEEDGATE_UPSTREAM_HTTP_VERSION", "2.0"}}),
              StartsWith("SEEDGATE_UPSTREAM_HTTP_VERSION: \"2.0\" must be 2 or 1.1"));
}

TEST(ServerConfigTest, DurationForms) {
  const std::vector<std::pair<std::string, absl::Duration>> cases = {
      {"10s", absl::Seconds(10)}, {"1500ms", absl::Milliseconds(1500)},
      {"10m", absl::Minutes(10)}, {"1h30m", absl::Minutes(90)},
      {"30", absl::Seconds(30)},  {"0.5s", absl::Milliseconds(500)},
  };
  for (const auto& [text, want] : cases) {
    absl::StatusOr<ServerConfig> config =
        Parse({"--connect_timeout=" + text, "--request_timeout", text});
    ASSERT_TRUE(config.ok()) << text << ": " << config.status();
    EXPECT_EQ(config->connect_timeout, want) << text;
    EXPECT_EQ(config->request_timeout, want) << text;
  }
}

TEST(ServerConfigTest, BadDurations) {
  EXPECT_THAT(ErrorOf({"--connect_timeout=abc"}),
              StartsWith("--connect_timeout: \"abc\" is not a duration (examples: 10s, 1500ms"));
  for (const char* bad : {"10 s", "s", "1.5", "10x", ""}) {
    EXPECT_THAT(ErrorOf({absl::StrCat("--request_timeout=", bad)}),
                StartsWith(absl::StrCat("--request_timeout: \"", bad, "\" is not a duration")))
        << bad;
  }
  for (const char* not_positive : {"0", "0s", "-5s", "inf"}) {
    EXPECT_THAT(ErrorOf({absl::StrCat("--connect_timeout=", not_positive)}),
                HasSubstr("must be a finite duration > 0"))
        << not_positive;
  }
  EXPECT_THAT(ErrorOf({"--connect_timeout=99999999999999999999999"}), HasSubstr("too large"));
  EXPECT_THAT(ErrorOf({}, {{"SEEDGATE_REQUEST_TIMEOUT", "soon"}}),
              StartsWith("SEEDGATE_REQUEST_TIMEOUT: \"soon\" is not a duration"));
}

TEST(ServerConfigTest, MaxRequestBytes) {
  EXPECT_EQ(Parse({})->max_request_bytes, 64 << 20);
  EXPECT_EQ(Parse({"--max_request_bytes=16MiB"})->max_request_bytes, 16 << 20);
  EXPECT_EQ(Parse({"--max_request_bytes", "512KiB"})->max_request_bytes, 512 << 10);
  EXPECT_EQ(Parse({}, {{"SEEDGATE_MAX_REQUEST_BYTES", "4194304"}})->max_request_bytes, 4194304);
  for (const char* bad : {"0", "-1", "12MB", "2048MiB", "100", "lots"}) {
    EXPECT_THAT(ErrorOf({absl::StrCat("--max_request_bytes=", bad)}),
                StartsWith(absl::StrCat("--max_request_bytes: \"", bad, "\" is not a size")))
        << bad;
  }
}

TEST(ServerConfigTest, ShutdownConnectionAgeAndConcurrency) {
  absl::StatusOr<ServerConfig> defaults = Parse({});
  EXPECT_EQ(defaults->shutdown_grace, absl::Minutes(10));
  EXPECT_EQ(defaults->max_connection_age, absl::Minutes(30));
  EXPECT_EQ(defaults->max_concurrent_rpcs, 20000);
  absl::StatusOr<ServerConfig> set =
      Parse({"--shutdown_grace=90s", "--max_connection_age", "5m", "--max_concurrent_rpcs=64"});
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->shutdown_grace, absl::Seconds(90));
  EXPECT_EQ(set->max_connection_age, absl::Minutes(5));
  EXPECT_EQ(set->max_concurrent_rpcs, 64);
  EXPECT_EQ(Parse({}, {{"SEEDGATE_MAX_CONCURRENT_RPCS", "7"}})->max_concurrent_rpcs, 7);
  for (const char* bad : {"0", "-3", "many", "1.5"}) {
    EXPECT_THAT(
        ErrorOf({absl::StrCat("--max_concurrent_rpcs=", bad)}),
        StartsWith(absl::StrCat("--max_concurrent_rpcs: \"", bad, "\" is not a whole number")))
        << bad;
  }
}

TEST(ServerConfigTest, UpstreamThreads) {
  EXPECT_EQ(Parse({})->upstream_threads, 0);  // auto
  EXPECT_EQ(Parse({"--upstream_threads=3"})->upstream_threads, 3);
  EXPECT_EQ(Parse({"--upstream_threads=auto"})->upstream_threads, 0);
  EXPECT_EQ(Parse({}, {{"SEEDGATE_UPSTREAM_THREADS", "1"}})->upstream_threads, 1);
  for (const char* bad : {"0", "-1", "65", "two", "1.5"}) {
    EXPECT_THAT(ErrorOf({absl::StrCat("--upstream_threads=", bad)}),
                StartsWith(absl::StrCat("--upstream_threads: \"", bad, "\" is not auto or")))
        << bad;
  }
}

TEST(ServerConfigTest, ValueIsEscapedInMessages) {
  EXPECT_THAT(ErrorOf({"--upstream_http_version=2\n\x1b[31m"}), HasSubstr("\"2\\n\\033[31m\""));
}

TEST(ServerConfigTest, CaFile) {
  TempFiles files;
  const std::string ca = files.Write("ca.pem", "pem");
  ASSERT_TRUE(Parse({"--upstream_ca_file", ca}).ok());
  EXPECT_EQ(ErrorOf({"--upstream_ca_file=" + files.Path("missing.pem")}),
            absl::StrCat("--upstream_ca_file: CA bundle \"", files.Path("missing.pem"),
                         "\" does not exist; expected a readable PEM file"));
  EXPECT_THAT(ErrorOf({"--upstream_ca_file=" + files.Dir()}), HasSubstr("is not a regular file"));
  EXPECT_THAT(ErrorOf({}, {{"SEEDGATE_UPSTREAM_CA_FILE", files.Path("nope")}}),
              StartsWith("SEEDGATE_UPSTREAM_CA_FILE: CA bundle"));
}

TEST(ServerConfigTest, MissingValue) {
  EXPECT_EQ(ErrorOf({"--listen"}), "--listen needs a value (--listen=<value> or --listen <value>)");
  EXPECT_THAT(ErrorOf({"--emulator_path", "--listen=127.0.0.1:1"}),
              StartsWith("--emulator_path needs a value"));
}

// --- unknown flags and arguments ----------------------------------------------

TEST(ServerConfigTest, UnknownFlagSuggestsTheClosest) {
  EXPECT_EQ(ErrorOf({"--lsiten=0.0.0.0:1"}), "unknown flag --lsiten; did you mean --listen?");
  EXPECT_EQ(ErrorOf({"--conect_timeout", "3s"}),
            "unknown flag --conect_timeout; did you mean --connect_timeout?");
  EXPECT_EQ(ErrorOf({"--upstream_base_url=https://x"}),
            "unknown flag --upstream_base_url; did you mean --upstream_base_urls?");
  EXPECT_EQ(ErrorOf({"--verbose"}), "unknown flag --verbose; see --help");
}

TEST(ServerConfigTest, PositionalArgumentsAreRejected) {
  EXPECT_THAT(ErrorOf({"serve"}), StartsWith("unexpected argument \"serve\""));
  EXPECT_THAT(ErrorOf({"-listen=0.0.0.0:1"}), StartsWith("unexpected argument"));
  EXPECT_THAT(ErrorOf({"--"}), StartsWith("unexpected argument"));
  EXPECT_THAT(ErrorOf({"--listen=127.0.0.1:1", "extra"}), StartsWith("unexpected argument"));
}

// --- the API key -------------------------------------------------------------------

TEST(ServerConfigTest, ApiKeyFromEnvironment) {
  absl::StatusOr<ServerConfig> config = Parse({}, {{"EVOLINK_API_KEY", " sk-env\n"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->api_key, "sk-env");
}

TEST(ServerConfigTest, ApiKeyFromFileIsTrimmed) {
  TempFiles files;
  const std::string key = files.Write("key", "\n  sk-file \r\n");
  absl::StatusOr<ServerConfig> config = Parse({"--api_key_file=" + key});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->api_key, "sk-file");
}

TEST(ServerConfigTest, ApiKeyEnvironmentWinsOverFile) {
  TempFiles files;
  const std::string key = files.Write("key", "sk-file");
  absl::StatusOr<ServerConfig> config =
      Parse({"--api_key_file=" + key}, {{"EVOLINK_API_KEY", "sk-env"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->api_key, "sk-env");
  EXPECT_EQ(config->api_key_file, key);
}

TEST(ServerConfigTest, EmptyApiKeyEnvironmentFallsBackToFile) {
  TempFiles files;
  const std::string key = files.Write("key", "sk-file");
  absl::StatusOr<ServerConfig> config = Parse({"--api_key_file=" + key}, {{"EVOLINK_API_KEY", ""}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->api_key, "sk-file");
}

TEST(ServerConfigTest, KeyFileIsNotReadWhenTheEnvironmentHasTheKey) {
  TempFiles files;
  absl::StatusOr<ServerConfig> config =
      Parse({"--api_key_file=" + files.Path("missing")}, {{"EVOLINK_API_KEY", "sk-env"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->api_key, "sk-env");
}

TEST(ServerConfigTest, MissingKeyFileNamesFlagAndPath) {
  TempFiles files;
  const std::string path = files.Path("missing");
  EXPECT_EQ(ErrorOf({"--api_key_file=" + path}),
            absl::StrCat("--api_key_file: key file \"", path, "\" does not exist"));
  EXPECT_EQ(ErrorOf({}, {{"SEEDGATE_API_KEY_FILE", path}}),
            absl::StrCat("SEEDGATE_API_KEY_FILE: key file \"", path, "\" does not exist"));
}

TEST(ServerConfigTest, UnreadableKeyFileNeverShowsItsContents) {
  if (geteuid() == 0) GTEST_SKIP() << "root reads any file";
  TempFiles files;
  const std::string path = files.Write("key", "sk-very-secret");
  std::filesystem::permissions(path, std::filesystem::perms::none);
  const std::string message = ErrorOf({"--api_key_file=" + path});
  EXPECT_THAT(message, AllOf(StartsWith("--api_key_file: key file"), HasSubstr(path),
                             HasSubstr("cannot be read"), Not(HasSubstr("sk-very-secret"))));
}

TEST(ServerConfigTest, KeyFileThatIsADirectory) {
  TempFiles files;
  EXPECT_THAT(ErrorOf({"--api_key_file=" + files.Dir()}),
              AllOf(StartsWith("--api_key_file: key file"), HasSubstr("is not a regular file")));
}

TEST(ServerConfigTest, EmptyKeyFile) {
  TempFiles files;
  const std::string path = files.Write("key", " \n\t\n");
  EXPECT_EQ(ErrorOf({"--api_key_file=" + path}),
            absl::StrCat("--api_key_file: key file \"", path,
                         "\" is empty; expected it to hold the API key"));
}

TEST(ServerConfigTest, KeyFileWithMoreThanAKeyNeverShowsItsContents) {
  TempFiles files;
  const std::string path = files.Write("key", "EVOLINK_API_KEY=sk-secret-1\nsk-secret-2\n");
  EXPECT_THAT(ErrorOf({"--api_key_file=" + path}),
              AllOf(HasSubstr("expected only the API key"), Not(HasSubstr("sk-secret"))));
}

TEST(ServerConfigTest, ApiKeyOnCommandLineIsRefusedWithoutEchoingIt) {
  for (const Args& args : std::vector<Args>{{"--api_key=sk-secret-xyz"},
                                            {"--api_key", "sk-secret-xyz"},
                                            {"--api-key=sk-secret-xyz"},
                                            {"--api-key", "sk-secret-xyz"},
                                            {"--listen=127.0.0.1:1", "--api_key=sk-secret-xyz"}}) {
    const std::string message = ErrorOf(args);
    EXPECT_THAT(message, AllOf(HasSubstr("never taken from the command line"), HasSubstr("ps"),
                               HasSubstr("EVOLINK_API_KEY"), HasSubstr("--api_key_file"),
                               Not(HasSubstr("sk-secret-xyz"))))
        << args[0];
  }
}

TEST(ServerConfigTest, LookAlikeKeyVariableIsRefusedWithoutEchoingIt) {
  EXPECT_THAT(ErrorOf({}, {{"SEEDGATE_API_KEY", "sk-secret-xyz"}}),
              AllOf(HasSubstr("EVOLINK_API_KEY"), Not(HasSubstr("sk-secret-xyz"))));
}

TEST(ServerConfigTest, RequireApiKeyWithoutKey) {
  EXPECT_THAT(ErrorOf({"--require_api_key"}),
              AllOf(StartsWith("--require_api_key: no API key"), HasSubstr("EVOLINK_API_KEY")));
  EXPECT_TRUE(Parse({"--require_api_key"}, kKeyEnv).ok());
}

// --- help ------------------------------------------------------------------------------

TEST(ServerConfigTest, ClientAuthModeIsInferredOrLeftUnsetForTheServerToRefuse) {
  TempFiles files;
  const std::string cert = files.Write("cert.pem", "x");
  const std::string key = files.Write("key.pem", "x");
  const std::string ca = files.Write("ca.pem", "x");
  absl::StatusOr<ServerConfig> config = Parse({});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->client_auth, "") << "nothing configured: the server refuses to start";
  EXPECT_THAT(NoClientAuthMessage(),
              AllOf(HasSubstr("--client_tokens_file"), HasSubstr("--tls_client_ca"),
                    HasSubstr("--client_auth=none")));
  config = Parse({"--tls_cert", cert, "--tls_key", key, "--tls_client_ca", ca});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->client_auth, "mtls");
  EXPECT_EQ(config->tls_cert, cert);
  EXPECT_EQ(config->tls_key, key);
  EXPECT_EQ(config->tls_client_ca, ca);
}

TEST(ServerConfigTest, SecurityFlagsThatDoNotFitTogether) {
  TempFiles files;
  const std::string cert = files.Write("cert.pem", "x");
  const std::string ca = files.Write("ca.pem", "x");
  EXPECT_THAT(ErrorOf({"--client_auth=everyone"}), HasSubstr("tokens, mtls or none"));
  EXPECT_THAT(ErrorOf({"--client_auth=tokens"}), HasSubstr("--client_tokens_file"));
  EXPECT_THAT(ErrorOf({"--client_auth=mtls"}), HasSubstr("--tls_client_ca"));
  EXPECT_THAT(ErrorOf({"--tls_cert", cert}), HasSubstr("--tls_key"));
  EXPECT_THAT(ErrorOf({"--tls_client_ca", ca}), HasSubstr("--tls_cert"));
  EXPECT_THAT(ErrorOf({"--client_tokens_file", files.Path("missing")}),
              AllOf(HasSubstr("--client_tokens_file"), HasSubstr("does not exist")));
  EXPECT_THAT(ErrorOf({"--client_limits_file", files.Path("missing")}),
              AllOf(HasSubstr("--client_limits_file"), HasSubstr("does not exist")));
  EXPECT_THAT(ErrorOf({"--client_requests_per_minute=-5"}), HasSubstr(">= 0"));
}

TEST(ServerConfigTest, IsHelpRequest) {
  EXPECT_TRUE(IsHelpRequest({"--help"}));
  EXPECT_TRUE(IsHelpRequest({"-h"}));
  EXPECT_TRUE(IsHelpRequest({"--listen=127.0.0.1:1", "--helpfull"}));
  EXPECT_FALSE(IsHelpRequest({}));
  EXPECT_FALSE(IsHelpRequest({"--listen=127.0.0.1:1"}));
}

TEST(ServerConfigTest, UsageTextMentionsEveryFlagAndItsVariable) {
  TempFiles files;
  const std::string usage = UsageText();
  for (const FlagCase& c : FlagCases(files)) {
    EXPECT_THAT(usage, HasSubstr("--" + c.flag)) << c.flag;
    EXPECT_THAT(usage, HasSubstr(EnvVar(c.flag))) << c.flag;
  }
  EXPECT_THAT(usage, HasSubstr("EVOLINK_API_KEY"));
  EXPECT_THAT(usage, HasSubstr("default 0.0.0.0:50051"));
  EXPECT_THAT(usage, HasSubstr("default 10s"));
}

TEST(ServerConfigTest, ProcessEnvReadsTheEnvironment) {
  setenv("SEEDGATE_CONFIG_TEST_VAR", "v", 1);
  unsetenv("SEEDGATE_CONFIG_TEST_UNSET");
  EXPECT_EQ(ProcessEnv()("SEEDGATE_CONFIG_TEST_VAR"), "v");
  EXPECT_EQ(ProcessEnv()("SEEDGATE_CONFIG_TEST_UNSET"), std::nullopt);
}

}  // namespace
}  // namespace seedgate::config

namespace seedgate::config {
namespace {

TEST(ReliabilityFlagsTest, ParseEachValue) {
  absl::StatusOr<ServerConfig> config = ParseServerConfig(
      {"--upstream_max_attempts=5", "--upstream_retry_on=429, 503",
       "--upstream_retry_initial_backoff=100ms", "--upstream_retry_max_backoff=3s",
       "--upstream_first_byte_timeout=off", "--upstream_idle_timeout=45s",
       "--upstream_eject_after=0", "--upstream_eject_time=1m", "--max_upstream_response_bytes=1MiB",
       "--max_upstream_event_bytes=64KiB", "--max_stream_chunks=10"},
      [](const std::string&) { return std::nullopt; });
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->upstream_max_attempts, 5);
  EXPECT_EQ(config->upstream_retry_on, (std::vector<int>{429, 503}));
  EXPECT_EQ(config->upstream_retry_initial_backoff, absl::Milliseconds(100));
  EXPECT_EQ(config->upstream_retry_max_backoff, absl::Seconds(3));
  EXPECT_EQ(config->upstream_first_byte_timeout, absl::ZeroDuration());
  EXPECT_EQ(config->upstream_idle_timeout, absl::Seconds(45));
  EXPECT_EQ(config->upstream_eject_after, 0);
  EXPECT_EQ(config->upstream_eject_time, absl::Minutes(1));
  EXPECT_EQ(config->max_upstream_response_bytes, 1 << 20);
  EXPECT_EQ(config->max_upstream_event_bytes, 64 << 10);
  EXPECT_EQ(config->max_stream_chunks, 10);
}

TEST(ReliabilityFlagsTest, EmptyRetrySetRetriesNoStatus) {
  absl::StatusOr<ServerConfig> config =
      ParseServerConfig({"--upstream_retry_on="}, [](const std::string&) { return std::nullopt; });
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->upstream_retry_on.empty());
}

TEST(ReliabilityFlagsTest, BadValuesNameTheFlag) {
  for (std::string arg :
       {"--upstream_max_attempts=0", "--upstream_max_attempts=11", "--upstream_retry_on=200",
        "--upstream_retry_on=429,abc", "--upstream_idle_timeout=-1s", "--upstream_eject_time=0",
        "--max_stream_chunks=0", "--max_upstream_event_bytes=12"}) {
    absl::StatusOr<ServerConfig> config =
        ParseServerConfig({arg}, [](const std::string&) { return std::nullopt; });
    ASSERT_FALSE(config.ok()) << arg;
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
    const std::string flag = arg.substr(0, arg.find('='));
    EXPECT_THAT(std::string(config.status().message()), HasSubstr(flag)) << arg;
  }
}

}  // namespace
}  // namespace seedgate::config
