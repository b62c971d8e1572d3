// Answer checks end to end: the emulator answers with valid and deliberately
// invalid tool-call arguments and structured output (directives tool_args=,
// content=); seedgate reports each check on the response, fails strict calls
// that asked for it, and counts every check in /metrics.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "google/protobuf/util/json_util.h"
#include "tests/e2e/stack.h"
#include "tests/support/http_client.h"
#include "tests/support/prometheus_text.h"

namespace seedgate::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// response_format json_schema "person" {name: string, age: integer >= 0},
// both required; the emulator's valid answer is {"name": "...", "age": 1}.
v1::CreateChatCompletionRequest PersonRequest(const std::string& text, bool strict,
                                              bool fail_on_violation) {
  v1::CreateChatCompletionRequest request = UserRequest(text);
  v1::ResponseFormat format;
  auto parsed = google::protobuf::util::JsonStringToMessage(R"({
      "type": "RESPONSE_FORMAT_TYPE_JSON_SCHEMA",
      "jsonSchema": {"name": "person", "schema": {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
        "required": ["name", "age"], "additionalProperties": false}}})",
                                                            &format);
  EXPECT_TRUE(parsed.ok()) << parsed.ToString();
  format.mutable_json_schema()->set_strict(strict);
  *request.mutable_response_format() = format;
  request.set_fail_on_schema_violation(fail_on_violation);
  return request;
}

class AnswerChecksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config::ServerConfig config;
    config.metrics_listen = "127.0.0.1:0";
    stack_ = Stack::Start({}, config);
    ASSERT_NE(stack_, nullptr);
  }

  grpc::Status Unary(const v1::CreateChatCompletionRequest& request, v1::ChatCompletion* response) {
    grpc::ClientContext context;
    return stack_->stub->CreateChatCompletion(&context, request, response);
  }

  // seedgate_schema_validations_total by "subject/outcome", for the pro model.
  std::map<std::string, double> Validations() {
    HttpResult result =
        HttpGet("http://127.0.0.1:" + std::to_string(stack_->server->metrics_port()) + "/metrics");
    EXPECT_EQ(result.status, 200);
    std::map<std::string, double> counts;
    for (const Sample& sample : ParsePrometheusText(result.body)) {
      if (sample.name != "seedgate_schema_validations_total") continue;
      if (sample.labels.at("model") != "doubao-seed-2.0-pro") continue;
      counts[sample.labels.at("subject") + "/" + sample.labels.at("outcome")] = sample.value;
    }
    return counts;
  }

  std::map<std::string, double> ValidationsMoved(const std::map<std::string, double>& before) {
    std::map<std::string, double> moved;
    for (const auto& [key, value] : Validations()) {
      if (value != before.at(key)) moved[key] = value - before.at(key);
    }
    return moved;
  }

  std::unique_ptr<Stack> stack_;
};

TEST_F(AnswerChecksTest, UnaryToolCallsValidAndInvalidSideBySide) {
  auto before = Validations();
  v1::ChatCompletion response;
  grpc::Status status = Unary(
      CityToolsRequest("weather? #fake:parallel=2 #fake:tool_args=schema_violation"), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const auto& calls = response.choices(0).message().tool_calls();
  ASSERT_THAT(calls, SizeIs(2));
  const v1::ArgumentsValidation& spoiled = calls[0].arguments_validation();
  EXPECT_TRUE(spoiled.valid_json());
  EXPECT_FALSE(spoiled.schema_valid());
  EXPECT_FALSE(spoiled.unknown_tool());
  ASSERT_THAT(spoiled.violations(), SizeIs(1));
  EXPECT_EQ(spoiled.violations(0).pointer(), "");
  EXPECT_THAT(spoiled.violations(0).message(), HasSubstr("'city'"));
  EXPECT_TRUE(calls[1].arguments_validation().schema_valid());
  EXPECT_THAT(calls[1].arguments_validation().violations(), IsEmpty());
  EXPECT_FALSE(response.choices(0).has_content_validation());
  EXPECT_EQ(ValidationsMoved(before),
            (std::map<std::string, double>{{"tool_arguments/schema_violation", 1},
                                           {"tool_arguments/valid", 1}}));
}

TEST_F(AnswerChecksTest, UnaryUnknownToolAndInvalidJson) {
  auto before = Validations();
  v1::ChatCompletion response;
  ASSERT_TRUE(Unary(CityToolsRequest("weather? #fake:tool_args=unknown_tool"), &response).ok());
  const v1::ToolCall& call = response.choices(0).message().tool_calls(0);
  EXPECT_EQ(call.function().name(), "undeclared_function");
  EXPECT_TRUE(call.arguments_validation().unknown_tool());
  EXPECT_FALSE(call.arguments_validation().schema_valid());

  ASSERT_TRUE(Unary(CityToolsRequest("weather? #fake:tool_args=invalid_json"), &response).ok());
  const v1::ArgumentsValidation& broken =
      response.choices(0).message().tool_calls(0).arguments_validation();
  EXPECT_FALSE(broken.valid_json());
  ASSERT_THAT(broken.violations(), SizeIs(1));
  EXPECT_THAT(broken.violations(0).message(), HasSubstr("not valid JSON"));
  EXPECT_EQ(ValidationsMoved(before),
            (std::map<std::string, double>{{"tool_arguments/unknown_tool", 1},
                                           {"tool_arguments/invalid_json", 1}}));
}

TEST_F(AnswerChecksTest, StreamAttachesToolCallChecksToTheFinishChunk) {
  auto before = Validations();
  StreamResult stream = ReadStream(
      *stack_->stub, CityToolsRequest("weather? #fake:parallel=3 #fake:tool_args=invalid_json"));
  ASSERT_TRUE(stream.status.ok()) << stream.status.error_message();
  const v1::ChunkChoice* finish = nullptr;
  int fragments = 0;
  for (const v1::ChatCompletionChunk& chunk : stream.chunks) {
    for (const v1::ChunkChoice& choice : chunk.choices()) {
      fragments += choice.delta().tool_calls_size();
      if (choice.finish_reason() != v1::FINISH_REASON_UNSPECIFIED) {
        finish = &choice;
      } else {
        EXPECT_THAT(choice.tool_call_validations(), IsEmpty());
      }
    }
  }
  EXPECT_GT(fragments, 6) << "the arguments should have come in many fragments";
  ASSERT_NE(finish, nullptr);
  ASSERT_THAT(finish->tool_call_validations(), SizeIs(3));
  for (int i = 0; i < 3; ++i) {
    const v1::ToolCallValidation& v = finish->tool_call_validations(i);
    EXPECT_EQ(v.index(), i);
    EXPECT_THAT(v.id(), HasSubstr("call_"));
    EXPECT_FALSE(v.name().empty());
    EXPECT_EQ(v.arguments_validation().valid_json(), i != 0) << i;
    EXPECT_EQ(v.arguments_validation().schema_valid(), i != 0) << i;
  }
  EXPECT_EQ(ValidationsMoved(before),
            (std::map<std::string, double>{{"tool_arguments/invalid_json", 1},
                                           {"tool_arguments/valid", 2}}));
}

TEST_F(AnswerChecksTest, StructuredOutputIsCheckedUnaryAndStream) {
  v1::ChatCompletion response;
  ASSERT_TRUE(Unary(PersonRequest("who?", false, false), &response).ok());
  EXPECT_TRUE(response.choices(0).content_validation().valid_json());
  EXPECT_TRUE(response.choices(0).content_validation().schema_valid());

  ASSERT_TRUE(
      Unary(PersonRequest("who? #fake:content=schema_violation", false, false), &response).ok());
  const v1::ContentValidation& unary = response.choices(0).content_validation();
  EXPECT_TRUE(unary.valid_json());
  EXPECT_FALSE(unary.schema_valid());
  ASSERT_THAT(unary.violations(), SizeIs(1));
  EXPECT_THAT(unary.violations(0).message(), HasSubstr("'name'"));

  StreamResult stream =
      ReadStream(*stack_->stub, PersonRequest("who? #fake:content=json_invalid", false, false));
  ASSERT_TRUE(stream.status.ok()) << stream.status.error_message();
  int checked = 0;
  for (const v1::ChatCompletionChunk& chunk : stream.chunks) {
    for (const v1::ChunkChoice& choice : chunk.choices()) {
      if (!choice.has_content_validation()) continue;
      ++checked;
      EXPECT_NE(choice.finish_reason(), v1::FINISH_REASON_UNSPECIFIED);
      EXPECT_FALSE(choice.content_validation().valid_json());
    }
  }
  EXPECT_EQ(checked, 1);
  EXPECT_FALSE(nlohmann::json::accept(stream.content)) << stream.content;
}

TEST_F(AnswerChecksTest, StrictUnaryFailsWithTheViolationsInBadRequest) {
  auto before = Validations();
  v1::ChatCompletion response;
  grpc::Status status =
      Unary(PersonRequest("who? #fake:content=schema_violation", true, true), &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("\"person\""));
  Details details = DecodeDetails(status);
  ASSERT_TRUE(details.has_bad_request);
  ASSERT_EQ(details.bad_request.field_violations_size(), 1);
  EXPECT_EQ(details.bad_request.field_violations(0).field(), "");
  EXPECT_THAT(details.bad_request.field_violations(0).description(),
              HasSubstr("Missing required property 'name'"));
  ASSERT_TRUE(details.has_error_info);
  EXPECT_EQ(details.error_info.reason(), "SCHEMA_VIOLATION");
  EXPECT_EQ(details.error_info.domain(), "seedgate");
  EXPECT_EQ(details.error_info.metadata().at("schema"), "person");
  EXPECT_EQ(ValidationsMoved(before),
            (std::map<std::string, double>{{"content/schema_violation", 1}}));

  // The option is seedgate's own: never sent upstream.
  auto requests = stack_->emulator->recent_requests();
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(requests.back().body.find("fail_on"), std::string::npos);

  // A valid answer passes; without strict the option does nothing.
  EXPECT_TRUE(Unary(PersonRequest("who?", true, true), &response).ok());
  EXPECT_TRUE(
      Unary(PersonRequest("who? #fake:content=schema_violation", false, true), &response).ok());
}

TEST_F(AnswerChecksTest, StrictStreamDeliversEverythingThenFails) {
  StreamResult stream =
      ReadStream(*stack_->stub, PersonRequest("who? #fake:content=json_invalid", true, true));
  EXPECT_EQ(stream.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  Details details = DecodeDetails(stream.status);
  ASSERT_TRUE(details.has_bad_request);
  EXPECT_THAT(details.bad_request.field_violations(0).description(), HasSubstr("not valid JSON"));
  EXPECT_EQ(details.error_info.reason(), "SCHEMA_VIOLATION");
  // Nothing was held back: the whole (broken) content arrived, and the
  // choice's last chunk says why the stream is about to fail.
  EXPECT_EQ(stream.content.front(), '{');
  ASSERT_FALSE(stream.chunks.empty());
  bool flagged = false;
  for (const auto& chunk : stream.chunks) {
    for (const auto& choice : chunk.choices()) {
      if (choice.has_content_validation()) flagged = !choice.content_validation().valid_json();
    }
  }
  EXPECT_TRUE(flagged);

  StreamResult valid = ReadStream(*stack_->stub, PersonRequest("who?", true, true));
  EXPECT_TRUE(valid.status.ok()) << valid.status.error_message();
}

TEST_F(AnswerChecksTest, SchemaThatCannotBeCompiledIsRefusedBeforeTheUpstream) {
  v1::CreateChatCompletionRequest request = CityToolsRequest("weather?");
  (*request.mutable_tools(1)->mutable_function()->mutable_parameters()->mutable_fields())["type"]
      .set_number_value(5);
  size_t upstream_calls = stack_->emulator->recent_requests().size();
  v1::ChatCompletion response;
  grpc::Status status = Unary(request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  Details details = DecodeDetails(status);
  ASSERT_TRUE(details.has_bad_request);
  EXPECT_EQ(details.bad_request.field_violations(0).field(), "tools[1].function.parameters");
  StreamResult stream = ReadStream(*stack_->stub, request);
  EXPECT_EQ(stream.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(stack_->emulator->recent_requests().size(), upstream_calls);
}

}  // namespace
}  // namespace seedgate::testing
