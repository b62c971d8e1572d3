// Tests of the upstream emulator over real sockets.
#include "tools/fake_upstream/emulator.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/http_client.h"
#include "tests/support/tls_cert.h"

namespace seedgate::fake_upstream {
namespace {

using json = nlohmann::json;
using seedgate::testing::HttpGet;
using seedgate::testing::HttpPost;
using seedgate::testing::HttpResult;
using seedgate::testing::ParseSse;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr char kKey[] = "test-key";

json UserRequest(const std::string& prompt, bool stream = false) {
  json body = {{"model", "doubao-seed-2.0-pro"},
               {"messages", json::array({{{"role", "user"}, {"content", prompt}}})}};
  if (stream) body["stream"] = true;
  return body;
}

// The JSON chunks of a stream (without [DONE]); sets *done when [DONE] was last.
std::vector<json> Chunks(const HttpResult& r, bool* done = nullptr) {
  std::vector<json> chunks;
  if (done) *done = false;
  for (const auto& ev : ParseSse(r.body)) {
    if (ev.data == "[DONE]") {
      if (done) *done = true;
      continue;
    }
    if (done) *done = false;
    chunks.push_back(json::parse(ev.data));
  }
  return chunks;
}

std::string StreamedContent(const std::vector<json>& chunks, const char* field = "content") {
  std::string out;
  for (const auto& c : chunks) {
    if (c["choices"].empty()) continue;
    const auto& d = c["choices"][0]["delta"];
    if (d.contains(field) && d[field].is_string()) out += d[field].get<std::string>();
  }
  return out;
}

class EmulatorTest : public ::testing::Test {
 protected:
  void SetUp() override { StartWith(EmulatorOptions()); }

  void StartWith(EmulatorOptions options) {
    if (options.api_key.empty()) options.api_key = kKey;
    emu_.reset();
    emu_ = std::make_unique<Emulator>(options);
    absl::Status s = emu_->Start();
    ASSERT_TRUE(s.ok()) << s;
  }

  std::string Url() const { return emu_->base_url() + "/v1/chat/completions"; }

  HttpResult Chat(const json& body, std::chrono::milliseconds timeout = 20s,
                  const std::string& key = kKey) {
    std::map<std::string, std::string> headers;
    if (!key.empty()) headers["Authorization"] = "Bearer " + key;
    return HttpPost(Url(), body.dump(), headers, "", timeout);
  }

  json ChatJson(const json& body) {
    HttpResult r = Chat(body);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body);
  }

  std::unique_ptr<Emulator> emu_;
};

// ---------------------------------------------------------------------------
// Unary

TEST_F(EmulatorTest, UnaryAnswerShape) {
  HttpResult r = Chat(UserRequest("Please introduce yourself"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.headers["content-type"], HasSubstr("application/json"));
  ASSERT_FALSE(r.headers["x-request-id"].empty());
  json j = json::parse(r.body);
  EXPECT_EQ(j["id"], r.headers["x-request-id"]);
  EXPECT_EQ(j["object"], "chat.completion");
  EXPECT_TRUE(j["created"].is_number_integer());
  EXPECT_EQ(j["model"], "doubao-seed-2-0-pro-260215");
  EXPECT_EQ(j["service_tier"], "default");
  ASSERT_EQ(j["choices"].size(), 1u);
  const json& c = j["choices"][0];
  EXPECT_EQ(c["index"], 0);
  EXPECT_EQ(c["message"]["role"], "assistant");
  std::string content = c["message"]["content"];
  EXPECT_EQ(content.rfind("Emulated answer to: Please introduce yourself", 0), 0u) << content;
  EXPECT_FALSE(c["message"].contains("reasoning_content"));
  EXPECT_FALSE(c["message"].contains("tool_calls"));
  EXPECT_EQ(c["finish_reason"], "stop");
  EXPECT_TRUE(c["logprobs"].is_null());
  const json& u = j["usage"];
  EXPECT_GT(u["prompt_tokens"].get<int>(), 0);
  EXPECT_EQ(u["completion_tokens"], 12);
  EXPECT_EQ(u["total_tokens"], u["prompt_tokens"].get<int>() + 12);
  EXPECT_EQ(u["prompt_tokens_details"]["cached_tokens"], 0);
  EXPECT_EQ(u["completion_tokens_details"]["reasoning_tokens"], 0);
  // 12 tokens = 12 words.
  int words = 0;
  for (size_t i = 0; i < content.size(); ++i) {
    if (content[i] != ' ' && (i == 0 || content[i - 1] == ' ')) ++words;
  }
  EXPECT_EQ(words, 12);
}

TEST_F(EmulatorTest, DeterministicAnswer) {
  json a = ChatJson(UserRequest("same prompt"));
  json b = ChatJson(UserRequest("same prompt"));
  EXPECT_EQ(a["choices"][0]["message"]["content"], b["choices"][0]["message"]["content"]);
  EXPECT_EQ(a["usage"], b["usage"]);
  EXPECT_NE(a["id"], b["id"]);
}

TEST_F(EmulatorTest, ModelNamesAreVersioned) {
  for (auto [in, out] : std::vector<std::pair<std::string, std::string>>{
           {"doubao-seed-2.0-lite", "doubao-seed-2-0-lite-260215"},
           {"doubao-seed-2.0-mini", "doubao-seed-2-0-mini-260215"},
           {"doubao-seed-2.0-code", "doubao-seed-2-0-code-preview-260215"}}) {
    json body = UserRequest("hi");
    body["model"] = in;
    EXPECT_EQ(ChatJson(body)["model"], out);
  }
  json body = UserRequest("hi");
  body.erase("model");
  EXPECT_EQ(ChatJson(body)["model"], "doubao-seed-2-0-pro-260215");
}

TEST_F(EmulatorTest, TokensAndNumberTokensDirectives) {
  json j = ChatJson(UserRequest("count #fake:tokens=5 #fake:number_tokens=1"));
  EXPECT_EQ(j["choices"][0]["message"]["content"], "t0 t1 t2 t3 t4");
  EXPECT_EQ(j["usage"]["completion_tokens"], 5);
  // Directives are stripped from the prompt.
  j = ChatJson(UserRequest("hello #fake:tokens=6 world"));
  EXPECT_EQ(j["choices"][0]["message"]["content"], "Emulated answer to: hello world w1");
}

TEST_F(EmulatorTest, DirectivesInTextParts) {
  json body = UserRequest("x");
  body["messages"][0]["content"] =
      json::array({{{"type", "text"}, {"text", "describe #fake:tokens=4"}},
                   {{"type", "image_url"}, {"image_url", {{"url", "https://example.com/a.png"}}}}});
  json j = ChatJson(body);
  EXPECT_EQ(j["choices"][0]["message"]["content"], "Emulated answer to: describe");
  // Only the last user message carries directives.
  json body2 = {{"messages",
                 {{{"role", "user"}, {"content", "old #fake:error=500"}},
                  {{"role", "assistant"}, {"content", "ok"}},
                  {{"role", "user"}, {"content", "new"}}}}};
  EXPECT_EQ(Chat(body2).status, 200);
}

TEST_F(EmulatorTest, UnknownDirectiveIs400) {
  HttpResult r = Chat(UserRequest("hi #fake:bogus=1"));
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("bogus"));
}

// ---------------------------------------------------------------------------
// Streaming

TEST_F(EmulatorTest, StreamShape) {
  HttpResult r = Chat(UserRequest("stream me", true));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.headers["content-type"], HasSubstr("text/event-stream"));
  EXPECT_FALSE(r.headers["x-request-id"].empty());
  bool done = false;
  std::vector<json> chunks = Chunks(r, &done);
  EXPECT_TRUE(done) << "[DONE] must be the last event";
  ASSERT_EQ(chunks.size(), 13u);  // 12 tokens + the finish chunk
  for (size_t i = 0; i < chunks.size(); ++i) {
    const json& c = chunks[i];
    EXPECT_EQ(c["object"], "chat.completion.chunk");
    EXPECT_EQ(c["id"], r.headers["x-request-id"]);
    EXPECT_EQ(c["model"], "doubao-seed-2-0-pro-260215");
    EXPECT_EQ(c["service_tier"], "default");
    EXPECT_TRUE(c["usage"].is_null());
    ASSERT_EQ(c["choices"].size(), 1u);
    EXPECT_EQ(c["choices"][0]["delta"]["role"], "assistant") << "role repeated in every delta";
    EXPECT_TRUE(c["choices"][0]["logprobs"].is_null());
    if (i + 1 < chunks.size()) {
      EXPECT_TRUE(c["choices"][0]["finish_reason"].is_null());
    } else {
      EXPECT_EQ(c["choices"][0]["finish_reason"], "stop");
    }
  }
  json unary = ChatJson(UserRequest("stream me"));
  EXPECT_EQ(StreamedContent(chunks), unary["choices"][0]["message"]["content"]);
  EXPECT_TRUE(emu_->WaitFor([](const EmulatorStats& s) { return s.streams_completed == 1; }, 2s));
}

TEST_F(EmulatorTest, StreamIsIncremental) {
  HttpResult r = Chat(UserRequest("slow #fake:tokens=6 #fake:delay_ms=100", true));
  ASSERT_EQ(r.status, 200);
  ASSERT_GE(r.body_pieces.size(), 2u);
  auto first = r.body_pieces.front().first;
  auto last = r.body_pieces.back().first;
  EXPECT_GE(last - first, 400ms) << "the first chunk must arrive long before the last";
  EXPECT_THAT(r.body_pieces.front().second, HasSubstr("Emulated"));
}

// stamp_tokens: each streamed token carries the emulator's steady clock at the
// moment its event was written, which seedgate-bench turns into per-chunk delay.
TEST_F(EmulatorTest, StampTokensCarryTheWriteTime) {
  const auto before = std::chrono::steady_clock::now().time_since_epoch();
  HttpResult r = Chat(UserRequest(
      "x #fake:tokens=4 #fake:number_tokens=1 #fake:stamp_tokens=1 #fake:delay_ms=30", true));
  const auto after = std::chrono::steady_clock::now().time_since_epoch();
  ASSERT_EQ(r.status, 200) << r.body;
  bool done = false;
  std::vector<json> chunks = Chunks(r, &done);
  ASSERT_TRUE(done);
  const std::regex token(R"(t(\d+)@(\d+)( ?))");
  std::vector<std::chrono::nanoseconds> stamps;
  for (const json& c : chunks) {
    std::string content = c["choices"][0]["delta"].value("content", "");
    if (content.empty()) continue;  // the finish chunk
    std::smatch m;
    ASSERT_TRUE(std::regex_match(content, m, token)) << content;
    EXPECT_EQ(std::stoi(m[1]), static_cast<int>(stamps.size()));
    EXPECT_EQ(m[3].length() == 0, stamps.size() == 3) << "only the last token has no separator";
    stamps.emplace_back(std::stoll(m[2]));
  }
  ASSERT_EQ(stamps.size(), 4u);
  EXPECT_GE(stamps.front(), before);
  EXPECT_LE(stamps.back(), after);
  for (size_t i = 1; i < stamps.size(); ++i) {
    EXPECT_GE(stamps[i] - stamps[i - 1], 30ms) << "stamped when written, after the delay";
  }
  // Only streamed tokens are stamped: a unary answer is the plain text.
  json unary = ChatJson(UserRequest("x #fake:tokens=2 #fake:number_tokens=1 #fake:stamp_tokens=1"));
  EXPECT_EQ(unary["choices"][0]["message"]["content"], "t0 t1");
}

TEST_F(EmulatorTest, TokenDelayOption) {
  EmulatorOptions o;
  o.token_delay = 40ms;
  StartWith(o);
  auto t0 = std::chrono::steady_clock::now();
  HttpResult r = Chat(UserRequest("x #fake:tokens=6", true));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 190ms);
  EXPECT_EQ(r.status, 200);
}

TEST_F(EmulatorTest, FirstDelay) {
  auto t0 = std::chrono::steady_clock::now();
  HttpResult r = Chat(UserRequest("x #fake:first_delay_ms=300"));
  EXPECT_EQ(r.status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 300ms);
}

TEST_F(EmulatorTest, Thinking) {
  json body = UserRequest("Prove it");
  body["thinking"] = {{"type", "enabled"}};
  json j = ChatJson(body);
  std::string reasoning = j["choices"][0]["message"]["reasoning_content"];
  EXPECT_EQ(reasoning, "Let me think about this carefully.");
  EXPECT_EQ(j["usage"]["completion_tokens_details"]["reasoning_tokens"], 6);
  EXPECT_EQ(j["usage"]["completion_tokens"], 18);

  body["stream"] = true;
  std::vector<json> chunks = Chunks(Chat(body));
  ASSERT_EQ(chunks.size(), 19u);
  for (int i = 0; i < 6; ++i) {
    EXPECT_TRUE(chunks[i]["choices"][0]["delta"]["reasoning_content"].is_string());
  }
  EXPECT_EQ(StreamedContent(chunks, "reasoning_content"), reasoning);
  EXPECT_EQ(StreamedContent(chunks), j["choices"][0]["message"]["content"]);

  json a = UserRequest("Why is the sky blue?");
  a["thinking"] = {{"type", "auto"}};
  EXPECT_TRUE(ChatJson(a)["choices"][0]["message"].contains("reasoning_content"));
  a["messages"][0]["content"] = "Say hi";
  EXPECT_FALSE(ChatJson(a)["choices"][0]["message"].contains("reasoning_content"));
  json d = UserRequest("x");
  d["thinking"] = {{"type", "disabled"}};
  EXPECT_FALSE(ChatJson(d)["choices"][0]["message"].contains("reasoning_content"));
  json m = UserRequest("x");
  m["thinking"] = {{"type", "enabled"}};
  m["reasoning_effort"] = "minimal";
  EXPECT_FALSE(ChatJson(m)["choices"][0]["message"].contains("reasoning_content"));
}

TEST_F(EmulatorTest, StreamUsageOptions) {
  json body = UserRequest("x #fake:tokens=3", true);
  body["stream_options"] = {{"include_usage", true}};
  bool done = false;
  std::vector<json> chunks = Chunks(Chat(body), &done);
  EXPECT_TRUE(done);
  ASSERT_EQ(chunks.size(), 5u);  // 3 tokens + finish + usage
  for (size_t i = 0; i + 1 < chunks.size(); ++i) EXPECT_TRUE(chunks[i]["usage"].is_null());
  EXPECT_TRUE(chunks.back()["choices"].empty());
  EXPECT_EQ(chunks.back()["usage"]["completion_tokens"], 3);
  EXPECT_EQ(chunks.back()["usage"]["total_tokens"],
            chunks.back()["usage"]["prompt_tokens"].get<int>() + 3);

  body["stream_options"] = {{"chunk_include_usage", true}};
  chunks = Chunks(Chat(body));
  ASSERT_EQ(chunks.size(), 4u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(chunks[i]["usage"]["completion_tokens"], i + 1);
  EXPECT_EQ(chunks[3]["usage"]["completion_tokens"], 3);
}

// ---------------------------------------------------------------------------
// Tools, structured output, logprobs, limits

json WeatherTools() {
  return json::array(
      {{{"type", "function"},
        {"function",
         {{"name", "get_weather"},
          {"parameters",
           {{"type", "object"},
            {"properties",
             {{"city", {{"type", "string"}}},
              {"unit", {{"type", "string"}, {"enum", {"celsius", "fahrenheit"}}}},
              {"days", {{"type", "integer"}, {"minimum", 1}}}}},
            {"required", {"city"}}}}}}},
       {{"type", "function"},
        {"function",
         {{"name", "get_time"},
          {"parameters", {{"type", "object"}, {"properties", {{"tz", {{"type", "string"}}}}}}}}}}});
}

TEST_F(EmulatorTest, ToolCallUnary) {
  json body = UserRequest("weather in Paris");
  body["tools"] = WeatherTools();
  json j = ChatJson(body);
  const json& c = j["choices"][0];
  EXPECT_EQ(c["finish_reason"], "tool_calls");
  EXPECT_TRUE(c["message"]["content"].is_null());
  ASSERT_EQ(c["message"]["tool_calls"].size(), 1u);
  const json& call = c["message"]["tool_calls"][0];
  EXPECT_THAT(call["id"].get<std::string>(), HasSubstr("call_"));
  EXPECT_EQ(call["type"], "function");
  EXPECT_EQ(call["function"]["name"], "get_weather");
  json args = json::parse(call["function"]["arguments"].get<std::string>());
  EXPECT_TRUE(args["city"].is_string());
  EXPECT_EQ(args["unit"], "celsius");
  EXPECT_EQ(args["days"], 1);

  body["tool_choice"] = {{"type", "function"}, {"function", {{"name", "get_time"}}}};
  EXPECT_EQ(ChatJson(body)["choices"][0]["message"]["tool_calls"][0]["function"]["name"],
            "get_time");
  body["tool_choice"] = "none";
  EXPECT_EQ(ChatJson(body)["choices"][0]["finish_reason"], "stop");
}

TEST_F(EmulatorTest, ToolCallStreamFragments) {
  json body = UserRequest("weather #fake:parallel=2", true);
  body["tools"] = WeatherTools();
  bool done = false;
  std::vector<json> chunks = Chunks(Chat(body), &done);
  ASSERT_TRUE(done);
  std::map<int, std::string> args, names;
  std::map<int, int> deltas;
  for (size_t i = 0; i + 1 < chunks.size(); ++i) {
    const json& d = chunks[i]["choices"][0]["delta"];
    EXPECT_EQ(d["content"], "");
    ASSERT_EQ(d["tool_calls"].size(), 1u);
    const json& tc = d["tool_calls"][0];
    int idx = tc["index"];
    if (deltas[idx]++ == 0) {
      EXPECT_TRUE(tc["id"].is_string());
      EXPECT_EQ(tc["type"], "function");
      EXPECT_EQ(tc["function"]["arguments"], "");
      names[idx] = tc["function"]["name"];
    } else {
      EXPECT_FALSE(tc.contains("id"));
      EXPECT_FALSE(tc["function"].contains("name"));
      std::string frag = tc["function"]["arguments"];
      EXPECT_LE(frag.size(), 8u);
      args[idx] += frag;
    }
  }
  EXPECT_EQ(chunks.back()["choices"][0]["finish_reason"], "tool_calls");
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0], "get_weather");
  EXPECT_EQ(names[1], "get_time");
  EXPECT_EQ(json::parse(args[0])["unit"], "celsius");
  EXPECT_TRUE(json::parse(args[1])["tz"].is_string());

  body["parallel_tool_calls"] = false;
  chunks = Chunks(Chat(body));
  std::set<int> indexes;
  for (const auto& c : chunks) {
    const json& d = c["choices"][0]["delta"];
    if (d.contains("tool_calls")) indexes.insert(d["tool_calls"][0]["index"].get<int>());
  }
  EXPECT_EQ(indexes.size(), 1u);
}

TEST_F(EmulatorTest, ToolCallStreamWhole) {
  json body = UserRequest("weather #fake:tool_calls=whole #fake:parallel=2", true);
  body["tools"] = WeatherTools();
  std::vector<json> chunks = Chunks(Chat(body));
  ASSERT_EQ(chunks.size(), 3u);  // two calls + finish
  for (int i = 0; i < 2; ++i) {
    const json& tc = chunks[i]["choices"][0]["delta"]["tool_calls"][0];
    EXPECT_EQ(tc["index"], i);
    EXPECT_TRUE(tc["id"].is_string());
    EXPECT_TRUE(json::accept(tc["function"]["arguments"].get<std::string>()));
  }
}

TEST_F(EmulatorTest, AnswersAfterToolResult) {
  json body = {{"messages",
                {{{"role", "user"}, {"content", "weather?"}},
                 {{"role", "assistant"},
                  {"content", nullptr},
                  {"tool_calls",
                   {{{"id", "call_1"},
                     {"type", "function"},
                     {"function", {{"name", "get_weather"}, {"arguments", "{}"}}}}}}},
                 {{"role", "tool"}, {"tool_call_id", "call_1"}, {"content", "sunny"}}}}};
  body["tools"] = WeatherTools();
  json j = ChatJson(body);
  EXPECT_EQ(j["choices"][0]["finish_reason"], "stop");
  EXPECT_TRUE(j["choices"][0]["message"]["content"].is_string());
}

TEST_F(EmulatorTest, JsonObjectAndSchema) {
  json body = UserRequest("give json");
  body["response_format"] = {{"type", "json_object"}};
  json content = json::parse(ChatJson(body)["choices"][0]["message"]["content"].get<std::string>());
  EXPECT_TRUE(content["answer"].is_string());
  body["stream"] = true;
  std::vector<json> chunks = Chunks(Chat(body));
  EXPECT_GT(chunks.size(), 3u);
  EXPECT_EQ(json::parse(StreamedContent(chunks)), content);

  json schema = {{"type", "object"},
                 {"properties",
                  {{"name", {{"type", "string"}}},
                   {"age", {{"type", "integer"}}},
                   {"score", {{"type", "number"}}},
                   {"ok", {{"type", "boolean"}}},
                   {"tags", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                   {"level", {{"enum", {"high", "low"}}}},
                   {"addr",
                    {{"type", "object"},
                     {"properties", {{"zip", {{"type", "string"}}}}},
                     {"required", {"zip"}}}}}},
                 {"required", {"name", "age"}}};
  json body2 = UserRequest("give json");
  body2["response_format"] = {{"type", "json_schema"},
                              {"json_schema", {{"name", "person"}, {"schema", schema}}}};
  json inst = json::parse(ChatJson(body2)["choices"][0]["message"]["content"].get<std::string>());
  EXPECT_TRUE(inst["name"].is_string());
  EXPECT_TRUE(inst["age"].is_number_integer());
  EXPECT_TRUE(inst["score"].is_number());
  EXPECT_EQ(inst["ok"], true);
  ASSERT_EQ(inst["tags"].size(), 1u);
  EXPECT_TRUE(inst["tags"][0].is_string());
  EXPECT_EQ(inst["level"], "high");
  EXPECT_TRUE(inst["addr"]["zip"].is_string());
  body2["stream"] = true;
  EXPECT_EQ(json::parse(StreamedContent(Chunks(Chat(body2)))), inst);
}

// Directives tool_args / content spoil the first tool call's arguments or
// the structured content, each in its documented way.
TEST_F(EmulatorTest, AnswerCheckDirectives) {
  auto first_call = [&](const std::string& directive) {
    json body = UserRequest("weather #fake:parallel=2 " + directive);
    body["tools"] = WeatherTools();
    return ChatJson(body)["choices"][0]["message"]["tool_calls"];
  };
  json valid = first_call("#fake:tool_args=valid");
  EXPECT_TRUE(
      json::parse(valid[0]["function"]["arguments"].get<std::string>())["city"].is_string());

  json broken = first_call("#fake:tool_args=invalid_json");
  EXPECT_FALSE(json::accept(broken[0]["function"]["arguments"].get<std::string>()));
  EXPECT_TRUE(json::accept(broken[1]["function"]["arguments"].get<std::string>()))
      << "only the first call is spoiled";

  json missing = first_call("#fake:tool_args=schema_violation");
  json args = json::parse(missing[0]["function"]["arguments"].get<std::string>());
  EXPECT_FALSE(args.contains("city")) << args;
  EXPECT_EQ(args["unit"], "celsius");

  json unknown = first_call("#fake:tool_args=unknown_tool");
  EXPECT_EQ(unknown[0]["function"]["name"], "undeclared_function");
  EXPECT_EQ(unknown[1]["function"]["name"], "get_time");

  json body = UserRequest("json please #fake:content=json_invalid");
  body["response_format"] = {{"type", "json_object"}};
  std::string text = ChatJson(body)["choices"][0]["message"]["content"].get<std::string>();
  EXPECT_FALSE(json::accept(text)) << text;
  EXPECT_EQ(text.front(), '{');

  body = UserRequest("json please #fake:content=schema_violation", true);
  body["response_format"] = {{"type", "json_object"}};
  EXPECT_EQ(json::parse(StreamedContent(Chunks(Chat(body)))), "not an object");

  EXPECT_EQ(Chat(UserRequest("#fake:tool_args=maybe")).status, 400);
  EXPECT_EQ(Chat(UserRequest("#fake:content=yaml")).status, 400);
}

TEST_F(EmulatorTest, Logprobs) {
  json body = UserRequest("x #fake:tokens=4");
  body["logprobs"] = true;
  body["top_logprobs"] = 2;
  json j = ChatJson(body);
  const json& lp = j["choices"][0]["logprobs"]["content"];
  ASSERT_EQ(lp.size(), 4u);
  std::string joined;
  for (const auto& e : lp) {
    std::string tok = e["token"];
    joined += tok;
    ASSERT_EQ(e["bytes"].size(), tok.size());
    EXPECT_EQ(e["bytes"][0], static_cast<int>(static_cast<unsigned char>(tok[0])));
    EXPECT_LT(e["logprob"].get<double>(), 0);
    EXPECT_EQ(e["top_logprobs"].size(), 2u);
  }
  EXPECT_EQ(joined, j["choices"][0]["message"]["content"]);
  body["stream"] = true;
  std::vector<json> chunks = Chunks(Chat(body));
  ASSERT_EQ(chunks.size(), 5u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(chunks[i]["choices"][0]["logprobs"]["content"][0]["token"],
              chunks[i]["choices"][0]["delta"]["content"]);
  }
}

TEST_F(EmulatorTest, LengthAndStop) {
  json body = UserRequest("x");
  body["max_tokens"] = 4;
  json j = ChatJson(body);
  EXPECT_EQ(j["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(j["choices"][0]["message"]["content"], "Emulated answer to: x ");
  EXPECT_EQ(j["usage"]["completion_tokens"], 4);

  body["stream"] = true;
  std::vector<json> chunks = Chunks(Chat(body));
  ASSERT_EQ(chunks.size(), 5u);
  EXPECT_EQ(chunks.back()["choices"][0]["finish_reason"], "length");

  json t = UserRequest("x");
  t["thinking"] = {{"type", "enabled"}};
  t["max_completion_tokens"] = 8;
  j = ChatJson(t);
  EXPECT_EQ(j["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(j["usage"]["completion_tokens"], 8);
  EXPECT_EQ(j["usage"]["completion_tokens_details"]["reasoning_tokens"], 6);

  json s = UserRequest("x");
  s["stop"] = json::array({"w2", "zzz"});
  j = ChatJson(s);
  EXPECT_EQ(j["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(j["choices"][0]["message"]["content"], "Emulated answer to: x w1 ");
}

// ---------------------------------------------------------------------------
// Errors

void ExpectError(HttpResult r, int status, const std::string& type, const std::string& param = "") {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_THAT(r.headers["content-type"], HasSubstr("application/json"));
  EXPECT_FALSE(r.headers["x-request-id"].empty());
  json j = json::parse(r.body);
  EXPECT_EQ(j["error"]["code"], status);
  EXPECT_EQ(j["error"]["type"], type) << r.body;
  EXPECT_TRUE(j["error"]["message"].is_string());
  if (!param.empty()) {
    EXPECT_EQ(j["error"]["param"], param) << r.body;
  }
}

TEST_F(EmulatorTest, Authentication) {
  HttpResult r = Chat(UserRequest("x"), 5s, "wrong");
  ExpectError(r, 401, "authentication_error");
  EXPECT_EQ(
      r.body,
      R"({"error":{"code":401,"message":"Invalid or expired token","type":"authentication_error"}})");
  ExpectError(Chat(UserRequest("x"), 5s, ""), 401, "authentication_error");
}

TEST_F(EmulatorTest, AnyKeyWhenNoneConfigured) {
  EmulatorOptions o;
  o.api_key = "";
  emu_.reset();
  emu_ = std::make_unique<Emulator>(o);
  ASSERT_TRUE(emu_->Start().ok());
  EXPECT_EQ(Chat(UserRequest("x"), 5s, "anything").status, 200);
  EXPECT_EQ(Chat(UserRequest("x"), 5s, "").status, 401);
}

TEST_F(EmulatorTest, UnknownModel) {
  json body = UserRequest("x");
  body["model"] = "gpt-4";
  HttpResult r = Chat(body);
  ExpectError(r, 404, "not_found_error", "model");
  EXPECT_EQ(json::parse(r.body)["error"]["fallback_suggestion"], "doubao-seed-2.0-pro");
}

TEST_F(EmulatorTest, Validation) {
  std::map<std::string, std::string> headers = {{"Authorization", std::string("Bearer ") + kKey}};
  ExpectError(HttpPost(Url(), "not json", headers), 400, "invalid_request_error", "body");
  ExpectError(Chat(json{{"model", "doubao-seed-2.0-pro"}}), 400, "invalid_request_error",
              "messages");
  ExpectError(Chat(json{{"messages", json::array()}}), 400, "invalid_request_error", "messages");
  struct Case {
    const char* field;
    json value;
  };
  for (const Case& c : std::vector<Case>{{"temperature", 2.5},
                                         {"temperature", -0.1},
                                         {"top_p", 1.5},
                                         {"frequency_penalty", 3},
                                         {"presence_penalty", -2.5},
                                         {"max_completion_tokens", 70000},
                                         {"top_logprobs", 21},
                                         {"logit_bias", {{"123", 101}}},
                                         {"stop", {"a", "b", "c", "d", "e"}},
                                         {"thinking", {{"type", "sometimes"}}},
                                         {"reasoning_effort", "max"}}) {
    json body = UserRequest("x");
    body[c.field] = c.value;
    if (std::string(c.field) == "top_logprobs") body["logprobs"] = true;
    HttpResult r = Chat(body);
    EXPECT_EQ(r.status, 400) << c.field << " " << c.value;
    json j = json::parse(r.body);
    EXPECT_EQ(j["error"]["type"], "invalid_request_error");
    EXPECT_THAT(j["error"]["param"].get<std::string>(), HasSubstr(c.field));
  }
  json both = UserRequest("x");
  both["max_tokens"] = 10;
  both["max_completion_tokens"] = 10;
  EXPECT_EQ(Chat(both).status, 400);
  json fps = UserRequest("x");
  fps["messages"][0]["content"] = json::array(
      {{{"type", "video_url"}, {"video_url", {{"url", "https://e/v.mp4"}, {"fps", 9}}}}});
  HttpResult r = Chat(fps);
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("fps"));
  // Valid edge values pass.
  json ok = UserRequest("x");
  ok["temperature"] = 2;
  ok["top_p"] = 0;
  ok["max_completion_tokens"] = 65536;
  ok["logit_bias"] = {{"42", -100}};
  EXPECT_EQ(Chat(ok).status, 200);
}

struct DocumentedError {
  int status;
  const char* message;
  const char* type;
  const char* param;
  const char* fallback;
};

TEST_F(EmulatorTest, ErrorDirectiveForEachStatus) {
  const DocumentedError kErrors[] = {
      {400, "Invalid request parameters", "invalid_request_error", nullptr, nullptr},
      {401, "Invalid or expired token", "authentication_error", nullptr, nullptr},
      {402, "Insufficient quota", "insufficient_quota_error", nullptr,
       "https://evolink.ai/dashboard/billing"},
      {403, "Access denied for this model", "permission_error", "model", nullptr},
      {404, "Specified model not found", "not_found_error", "model", "doubao-seed-2.0-pro"},
      {413, "Image file too large", "request_too_large_error", "content",
       "compress image to under 10MB"},
      {429, "Rate limit exceeded", "rate_limit_error", nullptr, "retry after 60 seconds"},
      {500, "Internal server error", "internal_server_error", nullptr, "try again later"},
      {502, "Upstream AI service unavailable", "upstream_error", nullptr, "try different model"},
      {503, "Service temporarily unavailable", "service_unavailable_error", nullptr,
       "retry after 30 seconds"},
  };
  for (const auto& e : kErrors) {
    for (bool stream : {false, true}) {
      HttpResult r = Chat(UserRequest("x #fake:error=" + std::to_string(e.status), stream));
      ASSERT_EQ(r.status, e.status);
      EXPECT_THAT(r.headers["content-type"], HasSubstr("application/json"));
      json expected = {{"code", e.status}, {"message", e.message}, {"type", e.type}};
      if (e.param) expected["param"] = e.param;
      if (e.fallback) expected["fallback_suggestion"] = e.fallback;
      EXPECT_EQ(json::parse(r.body), json({{"error", expected}})) << r.body;
    }
  }
}

TEST_F(EmulatorTest, ErrorShapesAndRetryAfter) {
  HttpResult r = Chat(UserRequest("x #fake:error=429 #fake:retry_after=7"));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.headers["retry-after"], "7");

  r = Chat(UserRequest("x #fake:error=429 #fake:error_shape=string_code"));
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "RateLimitExceeded");
  r = Chat(UserRequest("x #fake:error=400 #fake:error_shape=string_code"));
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "InvalidParameter");

  r = Chat(UserRequest("x #fake:error=429 #fake:error_shape=reason_phrase"));
  EXPECT_EQ(json::parse(r.body)["error"]["type"], "Too Many Requests");

  r = Chat(UserRequest("x #fake:error=403 #fake:error_shape=empty_param"));
  EXPECT_EQ(json::parse(r.body)["error"]["param"], "");

  r = Chat(UserRequest("x #fake:error=502 #fake:error_shape=html"));
  EXPECT_EQ(r.status, 502);
  EXPECT_THAT(r.headers["content-type"], HasSubstr("text/html"));
  EXPECT_THAT(r.body, HasSubstr("<html>"));

  r = Chat(UserRequest("x #fake:error=503 #fake:error_shape=text"));
  EXPECT_THAT(r.headers["content-type"], HasSubstr("text/plain"));
  EXPECT_THAT(r.body, HasSubstr("Service temporarily unavailable"));

  r = Chat(UserRequest("x #fake:error=500 #fake:error_shape=bare_message"));
  EXPECT_EQ(json::parse(r.body), json({{"message", "Internal server error"}}));
}

// ---------------------------------------------------------------------------
// Faults

TEST_F(EmulatorTest, FaultReset) {
  HttpResult r = Chat(UserRequest("x #fake:fault=reset #fake:after=2 #fake:delay_ms=20", true));
  EXPECT_NE(r.curl_code, 0) << r.body;
  EXPECT_THAT(r.body, ::testing::Not(HasSubstr("[DONE]")));
  EXPECT_TRUE(
      emu_->WaitFor([](const EmulatorStats& s) { return s.streams_ended_by_fault == 1; }, 2s));
  HttpResult u = Chat(UserRequest("x #fake:fault=reset"));
  EXPECT_NE(u.curl_code, 0);
}

TEST_F(EmulatorTest, FaultTruncate) {
  HttpResult r = Chat(UserRequest("x #fake:fault=truncate #fake:after=3", true));
  EXPECT_EQ(r.curl_code, 0) << r.error;
  EXPECT_EQ(r.status, 200);
  bool done = true;
  std::vector<json> chunks = Chunks(r, &done);
  EXPECT_FALSE(done);
  EXPECT_EQ(chunks.size(), 3u);
  EXPECT_TRUE(
      emu_->WaitFor([](const EmulatorStats& s) { return s.streams_ended_by_fault == 1; }, 2s));
  // Unary: the body is shorter than Content-Length.
  HttpResult u = Chat(UserRequest("x #fake:fault=truncate"));
  EXPECT_NE(u.curl_code, 0);
}

TEST_F(EmulatorTest, FaultStallFirstByte) {
  auto t0 = std::chrono::steady_clock::now();
  HttpResult r = Chat(UserRequest("x #fake:fault=stall_first_byte", true), 400ms);
  EXPECT_EQ(r.curl_code, CURLE_OPERATION_TIMEDOUT);
  EXPECT_EQ(r.status, 0);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 390ms);
  EXPECT_TRUE(
      emu_->WaitFor([](const EmulatorStats& s) { return s.streams_aborted_by_client == 1; }, 2s))
      << emu_->stats().streams_aborted_by_client;
  HttpResult u = Chat(UserRequest("x #fake:fault=stall_first_byte"), 300ms);
  EXPECT_EQ(u.curl_code, CURLE_OPERATION_TIMEDOUT);
  EXPECT_TRUE(
      emu_->WaitFor([](const EmulatorStats& s) { return s.unary_aborted_by_client == 1; }, 2s));
}

TEST_F(EmulatorTest, FaultStallMidStream) {
  HttpResult r = Chat(UserRequest("x #fake:fault=stall #fake:after=2", true), 500ms);
  EXPECT_EQ(r.curl_code, CURLE_OPERATION_TIMEDOUT);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Chunks(r).size(), 2u);
  EXPECT_TRUE(
      emu_->WaitFor([](const EmulatorStats& s) { return s.streams_aborted_by_client == 1; }, 2s));
}

TEST_F(EmulatorTest, ClientAbortMidStreamIsCounted) {
  HttpResult r = Chat(UserRequest("x #fake:tokens=100 #fake:delay_ms=50", true), 300ms);
  EXPECT_EQ(r.curl_code, CURLE_OPERATION_TIMEDOUT);
  EXPECT_TRUE(emu_->WaitFor(
      [](const EmulatorStats& s) {
        return s.streams_aborted_by_client == 1 && s.connections_open == 0;
      },
      2s));
  EXPECT_EQ(emu_->stats().streams_completed, 0);
}

TEST_F(EmulatorTest, FaultErrorEventAndChunk) {
  HttpResult r = Chat(UserRequest("x #fake:fault=error_event #fake:after=2", true));
  EXPECT_EQ(r.curl_code, 0);
  auto events = ParseSse(r.body);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].event, "error");
  EXPECT_EQ(json::parse(events[2].data)["error"]["code"], 500);

  r = Chat(UserRequest("x #fake:fault=error_chunk #fake:after=1", true));
  events = ParseSse(r.body);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].event, "");
  EXPECT_EQ(json::parse(events[1].data)["error"]["code"], 500);
}

TEST_F(EmulatorTest, FaultMalformedJson) {
  HttpResult r = Chat(UserRequest("x #fake:fault=malformed_json #fake:after=1", true));
  auto events = ParseSse(r.body);
  ASSERT_GE(events.size(), 2u);
  EXPECT_TRUE(json::accept(events[0].data));
  EXPECT_FALSE(json::accept(events[1].data));
  HttpResult u = Chat(UserRequest("x #fake:fault=malformed_json"));
  EXPECT_EQ(u.status, 200);
  EXPECT_FALSE(json::accept(u.body));
}

// ---------------------------------------------------------------------------
// SSE wire variants: all parse to the same events.

TEST_F(EmulatorTest, SseVariants) {
  HttpResult plain = Chat(UserRequest("x #fake:number_tokens=1", true));
  std::vector<std::string> want;
  for (const auto& ev : ParseSse(plain.body)) want.push_back(ev.data);
  ASSERT_EQ(want.size(), 14u);
  for (const char* v : {"crlf", "cr", "nospace", "multiline", "comments", "split"}) {
    HttpResult r = Chat(UserRequest(std::string("x #fake:number_tokens=1 #fake:sse=") + v, true));
    ASSERT_EQ(r.status, 200) << v;
    std::vector<std::string> got;
    for (const auto& ev : ParseSse(r.body)) {
      got.push_back(json::accept(ev.data) ? json::parse(ev.data).dump() : ev.data);
    }
    std::vector<std::string> want_norm;
    for (const auto& d : want) want_norm.push_back(json::accept(d) ? json::parse(d).dump() : d);
    // ids/created differ per request: compare the deltas only.
    ASSERT_EQ(got.size(), want_norm.size()) << v;
    for (size_t i = 0; i + 1 < got.size(); ++i) {
      EXPECT_EQ(json::parse(got[i])["choices"], json::parse(want_norm[i])["choices"]) << v;
    }
    EXPECT_EQ(got.back(), "[DONE]");
    if (std::string(v) == "crlf") {
      EXPECT_THAT(r.body, HasSubstr("\r\n\r\n"));
    }
    if (std::string(v) == "nospace") {
      EXPECT_THAT(r.body, HasSubstr("data:{"));
    }
    if (std::string(v) == "comments") {
      EXPECT_THAT(r.body, HasSubstr(": keep-alive"));
    }
    if (std::string(v) == "multiline") {
      EXPECT_GT(ParseSse(r.body)[0].data.find('\n'), 0u);
      EXPECT_NE(ParseSse(r.body)[0].data.find('\n'), std::string::npos);
    }
    if (std::string(v) == "split") {
      EXPECT_GT(r.body_pieces.size(), 20u);
    }
  }
}

// ---------------------------------------------------------------------------
// Plumbing

TEST_F(EmulatorTest, HealthStatsAndRecording) {
  EXPECT_EQ(HttpGet(emu_->base_url() + "/healthz").status, 200);
  Chat(UserRequest("record me"));
  HttpResult s = HttpGet(emu_->base_url() + "/_emulator/stats");
  ASSERT_EQ(s.status, 200);
  json st = json::parse(s.body);
  EXPECT_EQ(st["requests"], 1);
  EXPECT_EQ(st["unary_responses"], 1);
  auto recent = emu_->recent_requests();
  ASSERT_EQ(recent.size(), 1u);
  EXPECT_EQ(recent[0].method, "POST");
  EXPECT_EQ(recent[0].target, "/v1/chat/completions");
  EXPECT_EQ(recent[0].headers["authorization"], "Bearer <redacted>");
  EXPECT_THAT(recent[0].body, HasSubstr("record me"));
  EXPECT_EQ(HttpGet(emu_->base_url() + "/nope").status, 404);
}

TEST_F(EmulatorTest, KeepAliveReusesConnection) {
  CURL* curl = curl_easy_init();
  std::string url = Url(), body = UserRequest("x", true).dump(), sink;
  curl_slist* h = curl_slist_append(nullptr, "Authorization: Bearer test-key");
  h = curl_slist_append(h, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* d, size_t s, size_t n, void* u) {
        static_cast<std::string*>(u)->append(d, s * n);
        return s * n;
      });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(curl_easy_perform(curl), CURLE_OK);
  curl_slist_free_all(h);
  curl_easy_cleanup(curl);
  EXPECT_EQ(emu_->stats().connections_accepted, 1);
  EXPECT_EQ(emu_->stats().streams_completed, 3);
}

TEST_F(EmulatorTest, PipelinedRequestsAreServed) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(emu_->port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  auto request = [](const std::string& body, bool close) {
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer test-key\r\n"
           "Content-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n" +
           body;
  };
  std::string both =
      request(UserRequest("a #fake:tokens=3 #fake:delay_ms=30", true).dump(), false) +
      request(UserRequest("b #fake:tokens=2").dump(), true);
  ASSERT_EQ(write(fd, both.data(), both.size()), static_cast<ssize_t>(both.size()));
  std::string got;
  char buf[4096];
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  while (true) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  EXPECT_THAT(got, HasSubstr("[DONE]"));
  EXPECT_THAT(got, HasSubstr("\"content\":\"Emulated answer\""));
  EXPECT_EQ(emu_->stats().streams_completed, 1);
  EXPECT_EQ(emu_->stats().unary_responses, 1);
}

TEST_F(EmulatorTest, ManyConcurrentStreams) {
  EmulatorOptions o;
  o.threads = 2;
  StartWith(o);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 32; ++i) {
    threads.emplace_back([&] {
      HttpResult r = Chat(UserRequest("x #fake:tokens=20 #fake:delay_ms=10", true));
      bool done = false;
      if (r.status == 200 && Chunks(r, &done).size() == 21 && done) ok++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 32);
  EXPECT_EQ(emu_->stats().streams_completed, 32);
}

TEST(EmulatorTls, Https) {
  seedgate::testing::TlsFiles tls = seedgate::testing::MakeSelfSignedCert();
  EmulatorOptions o;
  o.api_key = kKey;
  o.tls_cert_file = tls.cert_file;
  o.tls_key_file = tls.key_file;
  Emulator emu(o);
  ASSERT_TRUE(emu.Start().ok());
  EXPECT_EQ(emu.base_url().rfind("https://127.0.0.1:", 0), 0u);
  std::map<std::string, std::string> headers = {{"Authorization", "Bearer test-key"}};
  HttpResult r = HttpPost(emu.base_url() + "/v1/chat/completions", UserRequest("x").dump(), headers,
                          tls.cert_file);
  EXPECT_EQ(r.status, 200) << r.error;
  r = HttpPost(emu.base_url() + "/v1/chat/completions",
               UserRequest("x #fake:tokens=3", true).dump(), headers, tls.cert_file);
  EXPECT_EQ(r.status, 200) << r.error;
  bool done = false;
  EXPECT_EQ(Chunks(r, &done).size(), 4u);
  EXPECT_TRUE(done);
  // Plain HTTP to the HTTPS port does not work.
  std::string http_url = "http://127.0.0.1:" + std::to_string(emu.port()) + "/healthz";
  EXPECT_NE(HttpGet(http_url, "", 2s).status, 200);
  // Stall + client timeout is noticed over TLS too.
  r = HttpPost(emu.base_url() + "/v1/chat/completions",
               UserRequest("x #fake:fault=stall #fake:after=1", true).dump(), headers,
               tls.cert_file, 400ms);
  EXPECT_EQ(r.curl_code, CURLE_OPERATION_TIMEDOUT);
  EXPECT_TRUE(
      emu.WaitFor([](const EmulatorStats& s) { return s.streams_aborted_by_client == 1; }, 2s));
}

TEST(EmulatorStart, BadTlsFilesFail) {
  EmulatorOptions o;
  o.tls_cert_file = "/nonexistent/cert.pem";
  o.tls_key_file = "/nonexistent/key.pem";
  Emulator emu(o);
  EXPECT_FALSE(emu.Start().ok());
}

// ---------------------------------------------------------------------------
// The binary

TEST(FakeUpstreamBinary, PrintsListeningLineAndStopsOnSigterm) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    close(out[1]);
    execl(FAKE_UPSTREAM_BIN, FAKE_UPSTREAM_BIN, "--listen", "127.0.0.1:0", "--api_key", "k",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  FILE* f = fdopen(out[0], "r");
  char line[256] = {0};
  ASSERT_NE(fgets(line, sizeof(line), f), nullptr);
  std::string l(line);
  const std::string prefix = "fake-upstream listening on http://127.0.0.1:";
  ASSERT_EQ(l.rfind(prefix, 0), 0u) << l;
  int port = std::stoi(l.substr(prefix.size()));
  EXPECT_GT(port, 0);
  std::string base = "http://127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(HttpGet(base + "/healthz").status, 200);
  HttpResult r = HttpPost(base + "/v1/chat/completions", UserRequest("x").dump(),
                          {{"Authorization", "Bearer k"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(HttpGet(base + "/_emulator/stats").body)["requests"], 1);
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  fclose(f);
}

TEST(FakeUpstreamBinary, BadFlagExits2AndHelpDocumentsDirectives) {
  std::string bin = FAKE_UPSTREAM_BIN;
  int rc = std::system((bin + " --bogus >/dev/null 2>&1").c_str());
  EXPECT_TRUE(WIFEXITED(rc));
  EXPECT_EQ(WEXITSTATUS(rc), 2);
  FILE* p = popen((bin + " --help").c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string help;
  char buf[512];
  while (fgets(buf, sizeof(buf), p)) help += buf;
  EXPECT_EQ(pclose(p), 0);
  for (const char* s : {"--listen", "--api_key", "--tls_cert", "--tls_key", "--threads",
                        "--token_delay_ms", "tokens=", "delay_ms=", "first_delay_ms=", "error=",
                        "error_shape=", "retry_after=", "fault=", "after=", "sse=", "tool_calls=",
                        "parallel=", "number_tokens=", "stamp_tokens="}) {
    EXPECT_THAT(help, HasSubstr(s));
  }
}

}  // namespace
}  // namespace seedgate::fake_upstream
