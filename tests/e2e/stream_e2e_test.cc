// StreamChatCompletion end to end: chunks forwarded as they arrive, every
// upstream stream shape translated, cancellation reaching the upstream.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/e2e/stack.h"

namespace seedgate::testing {
namespace {

using std::chrono::milliseconds;

class StreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stack_ = Stack::Start();
    ASSERT_NE(stack_, nullptr);
  }
  std::unique_ptr<Stack> stack_;
};

TEST_F(StreamTest, FirstChunkArrivesBeforeTheUpstreamSendsTheLast) {
  // 10 tokens, 150 ms apart: the emulator needs about 1.5 s to send them all.
  grpc::ClientContext context;
  auto reader = stack_->stub->StreamChatCompletion(
      &context, UserRequest("stream please #fake:tokens=10 #fake:delay_ms=150"));
  v1::ChatCompletionChunk chunk;
  ASSERT_TRUE(reader->Read(&chunk));
  auto first = std::chrono::steady_clock::now();
  // The upstream is still generating: seedgate did not wait for the end.
  EXPECT_EQ(stack_->emulator->stats().streams_completed, 0);
  int chunks = 1;
  while (reader->Read(&chunk)) ++chunks;
  auto last = std::chrono::steady_clock::now();
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_GE(chunks, 10);
  EXPECT_GE(last - first, milliseconds(1000)) << "chunks were buffered, not streamed";
  EXPECT_TRUE(StreamsCompleted(*stack_->emulator, 1))
      << stack_->emulator->stats().streams_completed;
}

TEST_F(StreamTest, ContentMatchesTheUnaryAnswer) {
  StreamResult stream = ReadStream(*stack_->stub, UserRequest("same answer both ways"));
  ASSERT_TRUE(stream.status.ok()) << stream.status.error_message();
  grpc::ClientContext context;
  v1::ChatCompletion unary;
  ASSERT_TRUE(
      stack_->stub->CreateChatCompletion(&context, UserRequest("same answer both ways"), &unary)
          .ok());
  EXPECT_EQ(stream.content, unary.choices(0).message().content());
  // Role in every delta, finish_reason only on the last content chunk.
  for (size_t i = 0; i < stream.chunks.size(); ++i) {
    const auto& chunk = stream.chunks[i];
    EXPECT_EQ(chunk.object(), "chat.completion.chunk");
    ASSERT_EQ(chunk.choices_size(), 1);
    EXPECT_EQ(chunk.choices(0).delta().role(), v1::ROLE_ASSISTANT);
    bool last = i + 1 == stream.chunks.size();
    EXPECT_EQ(chunk.choices(0).finish_reason(),
              last ? v1::FINISH_REASON_STOP : v1::FINISH_REASON_UNSPECIFIED);
  }
}

TEST_F(StreamTest, ReasoningStreamsBeforeTheAnswer) {
  v1::CreateChatCompletionRequest request = UserRequest("think first");
  request.mutable_thinking()->set_type(v1::THINKING_TYPE_ENABLED);
  StreamResult stream = ReadStream(*stack_->stub, request);
  ASSERT_TRUE(stream.status.ok());
  EXPECT_FALSE(stream.reasoning.empty());
  EXPECT_FALSE(stream.content.empty());
  bool seen_content = false;
  for (const auto& chunk : stream.chunks) {
    const auto& delta = chunk.choices(0).delta();
    if (!delta.content().empty()) seen_content = true;
    if (!delta.reasoning_content().empty()) {
      EXPECT_FALSE(seen_content) << "reasoning after the answer started";
    }
  }
}

TEST_F(StreamTest, UsageChunksAsRequested) {
  v1::CreateChatCompletionRequest request = UserRequest("usage please");
  request.mutable_stream_options()->set_include_usage(true);
  StreamResult stream = ReadStream(*stack_->stub, request);
  ASSERT_TRUE(stream.status.ok());
  ASSERT_FALSE(stream.chunks.empty());
  const auto& last = stream.chunks.back();
  EXPECT_EQ(last.choices_size(), 0) << "usage comes in a chunk with empty choices";
  EXPECT_GT(last.usage().total_tokens(), 0);
  EXPECT_FALSE(stream.chunks.front().has_usage());

  request.mutable_stream_options()->set_chunk_include_usage(true);
  stream = ReadStream(*stack_->stub, request);
  ASSERT_TRUE(stream.status.ok());
  int64_t previous = 0;
  for (const auto& chunk : stream.chunks) {
    ASSERT_TRUE(chunk.has_usage());
    EXPECT_GE(chunk.usage().completion_tokens(), previous) << "usage is cumulative";
    previous = chunk.usage().completion_tokens();
  }
}

// Reassembles tool calls from their deltas, as a client would.
std::map<int, v1::ToolCall> AssembleToolCalls(const StreamResult& stream) {
  std::map<int, v1::ToolCall> calls;
  for (const auto& chunk : stream.chunks) {
    for (const auto& choice : chunk.choices()) {
      for (const auto& delta : choice.delta().tool_calls()) {
        v1::ToolCall& call = calls[delta.index()];
        if (!delta.id().empty()) call.set_id(delta.id());
        if (delta.type() != v1::TOOL_TYPE_UNSPECIFIED) call.set_type(delta.type());
        if (!delta.function().name().empty()) {
          call.mutable_function()->set_name(delta.function().name());
        }
        call.mutable_function()->mutable_arguments()->append(delta.function().arguments());
      }
    }
  }
  return calls;
}

TEST_F(StreamTest, ToolCallArgumentFragmentsReassemble) {
  StreamResult stream = ReadStream(*stack_->stub, CityToolsRequest("weather? #fake:parallel=2"));
  ASSERT_TRUE(stream.status.ok()) << stream.status.error_message();
  auto calls = AssembleToolCalls(stream);
  ASSERT_EQ(calls.size(), 2u);
  int fragments = 0;
  for (const auto& chunk : stream.chunks) {
    if (chunk.choices_size() > 0) fragments += chunk.choices(0).delta().tool_calls_size();
  }
  EXPECT_GT(fragments, 4) << "arguments should have come in several fragments";
  for (const auto& [index, call] : calls) {
    EXPECT_FALSE(call.id().empty());
    EXPECT_EQ(call.type(), v1::TOOL_TYPE_FUNCTION);
    EXPECT_TRUE(nlohmann::json::parse(call.function().arguments())["city"].is_string());
  }
  EXPECT_EQ(stream.chunks.back().choices(0).finish_reason(), v1::FINISH_REASON_TOOL_CALLS);
}

TEST_F(StreamTest, WholeToolCallsInOneChunk) {
  StreamResult stream =
      ReadStream(*stack_->stub, CityToolsRequest("weather? #fake:tool_calls=whole"));
  ASSERT_TRUE(stream.status.ok());
  auto calls = AssembleToolCalls(stream);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_TRUE(nlohmann::json::parse(calls[0].function().arguments()).is_object());
}

// Every wire variant of SSE the standard allows gives the same answer.
class SseVariantTest : public StreamTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(SseVariantTest, SameAnswerWhateverTheFraming) {
  StreamResult plain = ReadStream(*stack_->stub, UserRequest("framing test"));
  ASSERT_TRUE(plain.status.ok());
  StreamResult variant =
      ReadStream(*stack_->stub, UserRequest("framing test #fake:sse=" + GetParam()));
  ASSERT_TRUE(variant.status.ok()) << variant.status.error_message();
  EXPECT_EQ(variant.content, plain.content);
  EXPECT_EQ(variant.chunks.size(), plain.chunks.size());
}

INSTANTIATE_TEST_SUITE_P(Framings, SseVariantTest,
                         ::testing::Values("crlf", "cr", "nospace", "multiline", "comments",
                                           "split"));

TEST_F(StreamTest, ClientCancelClosesTheUpstreamConnection) {
  grpc::ClientContext context;
  auto reader = stack_->stub->StreamChatCompletion(
      &context, UserRequest("long answer #fake:tokens=200 #fake:delay_ms=100"));
  v1::ChatCompletionChunk chunk;
  ASSERT_TRUE(reader->Read(&chunk));
  context.TryCancel();
  EXPECT_TRUE(stack_->emulator->WaitFor(
      [](const fake_upstream::EmulatorStats& s) { return s.streams_aborted_by_client == 1; },
      milliseconds(2000)))
      << "the upstream kept generating after the client cancelled";
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_EQ(stack_->emulator->stats().streams_completed, 0);
}

TEST_F(StreamTest, CancelWhileWaitingForTheFirstTokenClosesTheUpstream) {
  grpc::ClientContext context;
  auto reader = stack_->stub->StreamChatCompletion(
      &context, UserRequest("slow start #fake:fault=stall_first_byte"));
  ASSERT_TRUE(stack_->emulator->WaitFor(
      [](const fake_upstream::EmulatorStats& s) { return s.requests == 1; }, milliseconds(2000)));
  context.TryCancel();
  EXPECT_TRUE(stack_->emulator->WaitFor(
      [](const fake_upstream::EmulatorStats& s) { return s.connections_open == 0; },
      milliseconds(2000)));
  v1::ChatCompletionChunk chunk;
  EXPECT_FALSE(reader->Read(&chunk));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(StreamTest, DeadlineBoundsTheUpstreamCall) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + milliseconds(1000));
  auto reader = stack_->stub->StreamChatCompletion(
      &context, UserRequest("never answers #fake:fault=stall_first_byte"));
  v1::ChatCompletionChunk chunk;
  EXPECT_FALSE(reader->Read(&chunk));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_TRUE(stack_->emulator->WaitFor(
      [](const fake_upstream::EmulatorStats& s) { return s.connections_open == 0; },
      milliseconds(2000)))
      << "the upstream connection outlived the deadline";
}

TEST_F(StreamTest, UnaryDeadlineBoundsTheUpstreamCall) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + milliseconds(1000));
  v1::ChatCompletion response;
  grpc::Status status = stack_->stub->CreateChatCompletion(
      &context, UserRequest("never answers #fake:fault=stall_first_byte"), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_TRUE(stack_->emulator->WaitFor(
      [](const fake_upstream::EmulatorStats& s) { return s.connections_open == 0; },
      milliseconds(2000)));
}

TEST_F(StreamTest, StreamOnUnaryRpcIsRefused) {
  v1::CreateChatCompletionRequest request = UserRequest("hi");
  request.set_stream(true);
  grpc::ClientContext context;
  v1::ChatCompletion response;
  grpc::Status status = stack_->stub->CreateChatCompletion(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(DecodeDetails(status).has_bad_request);
  EXPECT_EQ(DecodeDetails(status).bad_request.field_violations(0).field(), "stream");
}

}  // namespace
}  // namespace seedgate::testing
