// Micro-benchmarks of the pure functions on seedgate's hot paths: per
// streamed chunk (SSE parsing, JSON -> ChatCompletionChunk) and per request
// (validation, proto -> upstream JSON text). Results: bench/RESULTS.md.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "google/protobuf/util/json_util.h"
#include "seedgate/v1/chat.pb.h"
#include "server/translate/json_schema.h"
#include "server/translate/request_json.h"
#include "server/translate/request_schemas.h"
#include "server/translate/request_validation.h"
#include "server/translate/response_json.h"
#include "server/translate/tool_call_validation.h"
#include "server/upstream/sse_parser.h"
#include "server/upstream/stream_decoder.h"

namespace {

using seedgate::v1::ChatCompletionChunk;
using seedgate::v1::CreateChatCompletionRequest;

// One chunk exactly as the emulator (and the reference) sends it.
std::string ChunkJson(int i) {
  return R"({"id":"0211795575075665000055a8e2b6c42800000002","object":"chat.completion.chunk",)"
         R"("created":1795575075,"model":"doubao-seed-2-0-pro-260215","service_tier":"default",)"
         R"("choices":[{"index":0,"delta":{"role":"assistant","content":"t)" +
         std::to_string(i) + R"( "},"finish_reason":null,"logprobs":null}],"usage":null})";
}

// `n` events as an upstream would send them.
std::string SseStream(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += "data: " + ChunkJson(i) + "\n\n";
  s += "data: [DONE]\n\n";
  return s;
}

// SSE parsing alone, the stream fed in reads of `read_size` bytes (a TCP read
// usually holds one or a few events; 16 KiB is curl's buffer).
void BM_SseParse(benchmark::State& state) {
  const std::string stream = SseStream(100);
  const auto read_size = static_cast<size_t>(state.range(0));
  int64_t events = 0;
  for (auto _ : state) {
    seedgate::upstream::SseParser parser;
    for (size_t off = 0; off < stream.size(); off += read_size) {
      parser.Feed(std::string_view(stream).substr(off, read_size),
                  [&](seedgate::upstream::SseEvent&& e) {
                    benchmark::DoNotOptimize(e.data.data());
                    ++events;
                  });
    }
  }
  state.SetItemsProcessed(events);  // per event (= per chunk)
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * stream.size()));
}
BENCHMARK(BM_SseParse)->Arg(7)->Arg(64)->Arg(512)->Arg(16384);

// JSON text -> ChatCompletionChunk: nlohmann parse + translation.
void BM_ChunkJsonToProto(benchmark::State& state) {
  const std::string text = ChunkJson(42);
  for (auto _ : state) {
    nlohmann::json json = nlohmann::json::parse(text);
    auto chunk = seedgate::translate::ChunkFromJson(json);
    benchmark::DoNotOptimize(chunk);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ChunkJsonToProto);

// The translation alone, on an already parsed document.
void BM_ChunkFromParsedJson(benchmark::State& state) {
  const nlohmann::json json = nlohmann::json::parse(ChunkJson(42));
  for (auto _ : state) {
    auto chunk = seedgate::translate::ChunkFromJson(json);
    benchmark::DoNotOptimize(chunk);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ChunkFromParsedJson);

// One event as the upstream loop handles it: SSE event -> decoded chunk
// (DecodeStreamEvent: JSON parse, error checks, translation).
void BM_DecodeStreamEvent(benchmark::State& state) {
  seedgate::upstream::SseEvent event;
  event.data = ChunkJson(42);
  for (auto _ : state) {
    auto decoded = seedgate::upstream::DecodeStreamEvent(event);
    benchmark::DoNotOptimize(decoded);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeStreamEvent);

// The whole per-chunk path of the upstream loop: bytes -> SSE -> proto, with
// the proto serialised as gRPC will write it.
void BM_ChunkBytesToWire(benchmark::State& state) {
  const std::string stream = SseStream(100);
  int64_t chunks = 0;
  std::string wire;
  for (auto _ : state) {
    seedgate::upstream::SseParser parser;
    parser.Feed(stream, [&](seedgate::upstream::SseEvent&& e) {
      auto decoded = seedgate::upstream::DecodeStreamEvent(e);
      if (decoded.kind == seedgate::upstream::StreamEvent::Kind::kChunk) {
        decoded.chunk.SerializeToString(&wire);
        ++chunks;
      }
    });
  }
  state.SetItemsProcessed(chunks);
}
BENCHMARK(BM_ChunkBytesToWire);

CreateChatCompletionRequest SmallRequest() {
  CreateChatCompletionRequest r;
  r.set_model("doubao-seed-2.0-pro");
  auto* m = r.add_messages();
  m->set_role(seedgate::v1::ROLE_USER);
  m->set_content_text("Please introduce yourself #fake:tokens=12");
  return r;
}

// A larger, realistic request: a system prompt, a few turns, two tools with
// JSON Schema parameters, sampling options.
CreateChatCompletionRequest ToolRequest() {
  CreateChatCompletionRequest r;
  r.set_model("doubao-seed-2.0-pro");
  auto* sys = r.add_messages();
  sys->set_role(seedgate::v1::ROLE_SYSTEM);
  sys->set_content_text(std::string(400, 's'));
  for (int i = 0; i < 3; ++i) {
    auto* u = r.add_messages();
    u->set_role(seedgate::v1::ROLE_USER);
    u->set_content_text("What is the weather in city number " + std::to_string(i) + "?");
    auto* a = r.add_messages();
    a->set_role(seedgate::v1::ROLE_ASSISTANT);
    a->set_content_text("It is sunny, 21 degrees, light wind from the west.");
  }
  auto* u = r.add_messages();
  u->set_role(seedgate::v1::ROLE_USER);
  u->set_content_text("And tomorrow?");
  for (const char* name : {"get_weather", "get_forecast"}) {
    auto* tool = r.add_tools();
    tool->mutable_function()->set_name(name);
    tool->mutable_function()->set_description("Looks the weather up for one city.");
    auto& params = *tool->mutable_function()->mutable_parameters()->mutable_fields();
    params["type"].set_string_value("object");
    auto& props = *params["properties"].mutable_struct_value()->mutable_fields();
    auto& city = *props["city"].mutable_struct_value()->mutable_fields();
    city["type"].set_string_value("string");
    auto& days = *props["days"].mutable_struct_value()->mutable_fields();
    days["type"].set_string_value("integer");
    days["maximum"].set_number_value(10);
    params["required"].mutable_list_value()->add_values()->set_string_value("city");
  }
  r.set_temperature(0.7);
  r.set_max_tokens(1024);
  return r;
}

CreateChatCompletionRequest RequestFor(int64_t kind) {
  return kind == 0 ? SmallRequest() : ToolRequest();
}

// Request proto -> upstream JSON text (what seedgate does once per RPC, after
// validation).
void BM_RequestToJsonText(benchmark::State& state) {
  const CreateChatCompletionRequest request = RequestFor(state.range(0));
  size_t bytes = 0;
  for (auto _ : state) {
    std::string body = seedgate::translate::RequestToJson(request, /*stream=*/true).dump();
    bytes = body.size();
    benchmark::DoNotOptimize(body.data());
  }
  state.SetLabel(std::to_string(bytes) + " B body");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RequestToJsonText)->Arg(0)->Arg(1)->ArgName("tools");

// Validation (CheckRequest) of a valid request.
void BM_ValidateRequest(benchmark::State& state) {
  const CreateChatCompletionRequest request = RequestFor(state.range(0));
  seedgate::translate::ValidationOptions options;
  options.streaming = true;
  for (auto _ : state) {
    auto status = seedgate::translate::CheckRequest(request, options);
    benchmark::DoNotOptimize(status);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValidateRequest)->Arg(0)->Arg(1)->ArgName("tools");

// A whole unary answer: JSON text -> ChatCompletion.
void BM_CompletionJsonToProto(benchmark::State& state) {
  std::string content;
  for (int i = 0; i < 200; ++i) content += "t" + std::to_string(i) + " ";
  const std::string text =
      R"({"id":"0211795575075606000055a8e2b6c42800000001","object":"chat.completion",)"
      R"("created":1795575075,"model":"doubao-seed-2-0-pro-260215","service_tier":"default",)"
      R"("choices":[{"index":0,"message":{"role":"assistant","content":")" +
      content +
      R"("},"finish_reason":"stop","logprobs":null}],"usage":{"prompt_tokens":5,)"
      R"("completion_tokens":200,"total_tokens":205,"prompt_tokens_details":{"cached_tokens":0},)"
      R"("completion_tokens_details":{"reasoning_tokens":0}}})";
  for (auto _ : state) {
    auto completion = seedgate::translate::CompletionFromJson(nlohmann::json::parse(text));
    benchmark::DoNotOptimize(completion);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CompletionJsonToProto);

// An order-entry tool's parameters: nested objects, arrays of objects, enums,
// required fields, patterns, additionalProperties: false.
const char kOrderSchema[] = R"({
  "type": "object",
  "properties": {
    "customer": {"type": "object", "additionalProperties": false,
      "properties": {"id": {"type": "string", "pattern": "^C[0-9]{6}$"},
                     "tier": {"enum": ["gold", "silver", "bronze"]},
                     "email": {"type": "string", "minLength": 3}},
      "required": ["id", "tier"]},
    "lines": {"type": "array", "minItems": 1, "maxItems": 1000,
      "items": {"type": "object", "additionalProperties": false,
        "properties": {"sku": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"},
                       "qty": {"type": "integer", "minimum": 1, "maximum": 999},
                       "unit_price": {"type": "number", "minimum": 0},
                       "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 8},
                       "gift": {"type": "boolean"}},
        "required": ["sku", "qty", "unit_price"]}},
    "shipping": {"enum": ["standard", "express", "pickup"]},
    "note": {"type": "string", "maxLength": 500}
  },
  "required": ["customer", "lines", "shipping"],
  "additionalProperties": false
})";

// Valid arguments for kOrderSchema with `lines` order lines (~70 bytes each).
std::string OrderArguments(int lines) {
  nlohmann::json order = {
      {"customer", {{"id", "C123456"}, {"tier", "gold"}, {"email", "a@example.com"}}},
      {"shipping", "express"},
      {"note", "leave at the door"}};
  for (int i = 0; i < lines; ++i) {
    char sku[16];
    std::snprintf(sku, sizeof(sku), "ABC-%04d", i % 10000);
    order["lines"].push_back({{"sku", sku},
                              {"qty", 1 + i % 50},
                              {"unit_price", 9.99},
                              {"tags", {"red", "xl"}},
                              {"gift", i % 2 == 0}});
  }
  return order.dump();
}

// Once per RPC: compiling a tool's parameters schema.
void BM_CompileSchema(benchmark::State& state) {
  const nlohmann::json schema = nlohmann::json::parse(kOrderSchema);
  for (auto _ : state) {
    auto compiled = seedgate::translate::CompiledSchema::Compile(schema);
    benchmark::DoNotOptimize(compiled.ok());
  }
}
BENCHMARK(BM_CompileSchema);

// Once per tool call: its whole arguments text parsed and validated with the
// compiled schema (what a unary answer or a stream's finish chunk costs).
void BM_ValidateToolCallArguments(benchmark::State& state) {
  seedgate::v1::CreateChatCompletionRequest request;
  auto* function = request.add_tools()->mutable_function();
  function->set_name("place_order");
  auto parsed =
      google::protobuf::util::JsonStringToMessage(kOrderSchema, function->mutable_parameters());
  if (!parsed.ok()) state.SkipWithError("bad schema");
  auto schemas = seedgate::translate::CompileRequestSchemas(request);
  if (!schemas.ok()) state.SkipWithError("schema does not compile");
  const std::string arguments = OrderArguments(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    seedgate::v1::ArgumentsValidation validation =
        seedgate::translate::ValidateToolCallArguments(*schemas, "place_order", arguments);
    if (!validation.schema_valid()) state.SkipWithError("arguments should be valid");
    benchmark::DoNotOptimize(validation);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * arguments.size()));
  state.counters["arguments_bytes"] = static_cast<double>(arguments.size());
}
BENCHMARK(BM_ValidateToolCallArguments)->Arg(10)->Arg(100)->ArgName("lines");

// The JSON parse alone, to tell it from the schema check.
void BM_ParseToolCallArguments(benchmark::State& state) {
  const std::string arguments = OrderArguments(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    seedgate::translate::ParsedJson parsed = seedgate::translate::ParseJsonText(arguments);
    benchmark::DoNotOptimize(parsed.ok);
  }
}
BENCHMARK(BM_ParseToolCallArguments)->Arg(10)->Arg(100)->ArgName("lines");

}  // namespace

BENCHMARK_MAIN();
