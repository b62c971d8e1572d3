#include "server/translate/upstream_error.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "google/rpc/error_details.pb.h"
#include "server/translate/status_details.h"

namespace seedgate::translate {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

google::rpc::ErrorInfo ErrorInfoOf(const absl::Status& status) {
  google::rpc::ErrorInfo info;
  EXPECT_TRUE(GetDetail(status, &info)) << status;
  return info;
}

// --- ParseUpstreamError: the documented shape ---------------------------

TEST(ParseUpstreamErrorTest, DocumentedRateLimitBody) {
  const UpstreamError error = ParseUpstreamError(429, R"({"error": {"code": 429,
      "message": "Rate limit exceeded", "type": "rate_limit_error",
      "fallback_suggestion": "retry after 60 seconds"}})",
                                                 "", "");
  EXPECT_EQ(error.http_status, 429);
  EXPECT_EQ(error.type, "rate_limit_error");
  EXPECT_EQ(error.raw_type, "");
  EXPECT_EQ(error.code, "429");
  EXPECT_EQ(error.message, "Rate limit exceeded");
  EXPECT_EQ(error.param, "");
  EXPECT_EQ(error.fallback_suggestion, "retry after 60 seconds");
  ASSERT_TRUE(error.retry_after.has_value());
  EXPECT_EQ(*error.retry_after, absl::Seconds(60));
}

TEST(ParseUpstreamErrorTest, DocumentedNotFoundBodyWithParam) {
  const UpstreamError error = ParseUpstreamError(404, R"({"error": {"code": 404,
      "message": "Specified model not found", "type": "not_found_error", "param": "model",
      "fallback_suggestion": "doubao-seed-2.0-pro"}})",
                                                 "", "req-404");
  EXPECT_EQ(error.type, "not_found_error");
  EXPECT_EQ(error.param, "model");
  EXPECT_EQ(error.fallback_suggestion, "doubao-seed-2.0-pro");
  EXPECT_EQ(error.request_id, "req-404");
  EXPECT_FALSE(error.retry_after.has_value());
}

TEST(ParseUpstreamErrorTest, CodeAsString) {
  EXPECT_EQ(ParseUpstreamError(400, R"({"error": {"code": "InvalidParameter",
      "message": "temperature out of range", "type": "invalid_request_error",
      "param": "temperature"}})",
                               "", "")
                .code,
            "InvalidParameter");
  EXPECT_EQ(ParseUpstreamError(429, R"({"error": {"code": "429", "message": "m"}})", "", "").code,
            "429");
  EXPECT_EQ(ParseUpstreamError(429, R"({"error": {"code": 429.0, "message": "m"}})", "", "").code,
            "429");
}

TEST(ParseUpstreamErrorTest, ReasonPhraseTypeIsNormalizedFromStatus) {
  const UpstreamError error = ParseUpstreamError(
      429, R"({"error": {"message": "slow down", "type": "Too Many Requests"}})", "", "");
  EXPECT_EQ(error.type, "rate_limit_error");
  EXPECT_EQ(error.raw_type, "Too Many Requests");
}

TEST(ParseUpstreamErrorTest, KnownTypeInOtherCaseIsNormalized) {
  const UpstreamError error = ParseUpstreamError(
      503, R"({"error": {"message": "m", "type": "SERVICE_UNAVAILABLE_ERROR"}})", "", "");
  EXPECT_EQ(error.type, "service_unavailable_error");
  EXPECT_EQ(error.raw_type, "SERVICE_UNAVAILABLE_ERROR");
}

TEST(ParseUpstreamErrorTest, TypeFromEveryDocumentedStatus) {
  const std::pair<int, const char*> kTable[] = {
      {400, "invalid_request_error"},    {401, "authentication_error"},
      {402, "insufficient_quota_error"}, {403, "permission_error"},
      {404, "not_found_error"},          {413, "request_too_large_error"},
      {429, "rate_limit_error"},         {500, "internal_server_error"},
      {502, "upstream_error"},           {503, "service_unavailable_error"},
      {504, "upstream_error"},           {418, "http_418"},
  };
  for (const auto& [status, type] : kTable) {
    const UpstreamError error =
        ParseUpstreamError(status, R"({"error": {"message": "m", "type": "weird_error"}})", "", "");
    EXPECT_EQ(error.type, type) << status;
    EXPECT_EQ(error.raw_type, "weird_error") << status;
  }
}

TEST(ParseUpstreamErrorTest, MissingParamAndEmptyParam) {
  EXPECT_EQ(ParseUpstreamError(400, R"({"error": {"message": "m", "param": ""}})", "", "").param,
            "");
  EXPECT_EQ(ParseUpstreamError(400, R"({"error": {"message": "m", "param": null}})", "", "").param,
            "");
}

// --- ParseUpstreamError: other shapes -----------------------------------

TEST(ParseUpstreamErrorTest, TopLevelMessage) {
  const UpstreamError error =
      ParseUpstreamError(401, R"({"message": "Invalid API key", "request_id": "r-1"})", "", "");
  EXPECT_EQ(error.message, "Invalid API key");
  EXPECT_EQ(error.type, "authentication_error");
  EXPECT_EQ(error.request_id, "r-1");
}

TEST(ParseUpstreamErrorTest, ErrorAsString) {
  const UpstreamError error =
      ParseUpstreamError(403, R"({"error": "model access denied"})", "", "");
  EXPECT_EQ(error.message, "model access denied");
  EXPECT_EQ(error.type, "permission_error");
}

TEST(ParseUpstreamErrorTest, RequestIdFromBodyWhenNoHeader) {
  EXPECT_EQ(
      ParseUpstreamError(500, R"({"error": {"message": "m", "request_id": "in-error"}})", "", "")
          .request_id,
      "in-error");
  EXPECT_EQ(
      ParseUpstreamError(500, R"({"error": {"message": "m"}, "id": "top-id"})", "", "").request_id,
      "top-id");
  // The header wins.
  EXPECT_EQ(ParseUpstreamError(500, R"({"error": {"message": "m", "request_id": "in-error"}})", "",
                               "  from-header ")
                .request_id,
            "from-header");
}

TEST(ParseUpstreamErrorTest, HtmlTitleIsTheMessage) {
  const UpstreamError error = ParseUpstreamError(
      502,
      "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad "
      "Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
      "", "");
  EXPECT_EQ(error.message, "502 Bad Gateway");
  EXPECT_EQ(error.type, "upstream_error");
  EXPECT_EQ(error.raw_type, "");
}

TEST(ParseUpstreamErrorTest, HtmlWithoutTitleIsStrippedAndCollapsed) {
  const UpstreamError error = ParseUpstreamError(
      503,
      "<!DOCTYPE html><html><head><style>body { color: red; }</style></head><body>\n"
      "<h1>Service   Unavailable</h1>\n<p>The server is &amp; was\n overloaded.</p></body></html>",
      "", "");
  EXPECT_EQ(error.message, "Service Unavailable The server is & was overloaded.");
}

TEST(ParseUpstreamErrorTest, LongBodiesAreCappedOnOneLine) {
  std::string body;
  for (int i = 0; i < 100; ++i) body += "line " + std::to_string(i) + "\n";
  const UpstreamError error = ParseUpstreamError(500, body, "", "");
  EXPECT_LE(error.message.size(), 203u);
  EXPECT_THAT(error.message, ::testing::StartsWith("line 0 line 1 line 2"));
  EXPECT_THAT(error.message, ::testing::EndsWith("..."));
  EXPECT_THAT(error.message, Not(HasSubstr("\n")));
}

TEST(ParseUpstreamErrorTest, CapNeverSplitsAUtf8Character) {
  std::string body(199, 'a');
  body += "\xC3\xA9\xC3\xA9";  // é é: the first straddles the 200-byte cap
  const UpstreamError error = ParseUpstreamError(500, body, "", "");
  EXPECT_EQ(error.message, std::string(199, 'a') + "...");
}

TEST(ParseUpstreamErrorTest, InvalidUtf8BecomesQuestionMarks) {
  const UpstreamError error = ParseUpstreamError(500, "bad \xFF\xC3 byte \xC3\xA9", "", "id\x80");
  EXPECT_EQ(error.message, "bad ?? byte \xC3\xA9");
  EXPECT_EQ(error.request_id, "id?");
}

TEST(ParseUpstreamErrorTest, BareTagsAreHtml) {
  EXPECT_EQ(ParseUpstreamError(500, "<h1>Oops</h1><p>try again</p>", "", "").message,
            "Oops try again");
}

TEST(ParseUpstreamErrorTest, UnfamiliarJsonObjectIsQuoted) {
  EXPECT_EQ(ParseUpstreamError(400, R"({"errors": [{"detail": "bad"}]})", "", "").message,
            R"({"errors": [{"detail": "bad"}]})");
}

TEST(ParseUpstreamErrorTest, PlainText) {
  const UpstreamError error =
      ParseUpstreamError(429, "  Too many requests,\n\tplease slow down.\n", "", "");
  EXPECT_EQ(error.message, "Too many requests, please slow down.");
  EXPECT_EQ(error.type, "rate_limit_error");
}

TEST(ParseUpstreamErrorTest, EmptyBodyUsesTheReasonPhrase) {
  EXPECT_EQ(ParseUpstreamError(503, "", "", "").message, "Service Unavailable");
  EXPECT_EQ(ParseUpstreamError(429, "  \n", "", "").message, "Too Many Requests");
  EXPECT_EQ(ParseUpstreamError(599, "", "", "").message, "HTTP 599");
  EXPECT_EQ(ParseUpstreamError(400, "{}", "", "").message, "Bad Request");
}

TEST(ParseUpstreamErrorTest, NonObjectJson) {
  EXPECT_EQ(ParseUpstreamError(500, R"("boom")", "", "").message, "boom");
  EXPECT_EQ(ParseUpstreamError(500, R"([1, 2])", "", "").message, "[1, 2]");
}

TEST(ParseUpstreamErrorTest, RetryAfterHeaderWins) {
  const UpstreamError error = ParseUpstreamError(
      429, R"({"error": {"message": "m", "fallback_suggestion": "retry after 60 seconds"}})", " 7 ",
      "");
  ASSERT_TRUE(error.retry_after.has_value());
  EXPECT_EQ(*error.retry_after, absl::Seconds(7));
}

TEST(ParseUpstreamErrorTest, RetryAfterHttpDateIsIgnored) {
  const UpstreamError error =
      ParseUpstreamError(503, R"({"error": {"message": "m", "fallback_suggestion": "try later"}})",
                         "Wed, 21 Oct 2015 07:28:00 GMT", "");
  EXPECT_FALSE(error.retry_after.has_value());
  // ... but falls back to the suggestion.
  EXPECT_EQ(
      ParseUpstreamError(503, R"({"error": {"fallback_suggestion": "Retry after 30 seconds"}})",
                         "Wed, 21 Oct 2015 07:28:00 GMT", "")
          .retry_after,
      absl::Seconds(30));
}

TEST(ParseUpstreamErrorTest, RetryAfterSuggestionVariants) {
  auto delay = [](const std::string& suggestion) {
    return ParseUpstreamError(429, json{{"error", {{"fallback_suggestion", suggestion}}}}.dump(),
                              "", "")
        .retry_after;
  };
  EXPECT_EQ(delay("retry after 1 second"), absl::Seconds(1));
  EXPECT_EQ(delay("please retry after 5s"), absl::Seconds(5));
  EXPECT_FALSE(delay("retry after a while").has_value());
  EXPECT_FALSE(delay("retry after 5 minutes").has_value());
  EXPECT_FALSE(delay("https://evolink.ai/dashboard/billing").has_value());
}

// --- ParseStreamError ---------------------------------------------------

TEST(ParseStreamErrorTest, ErrorObjectInAStream) {
  const UpstreamError error = ParseStreamError(json::parse(R"({"error": {"code": 503,
      "message": "Service temporarily unavailable", "type": "service_unavailable_error",
      "fallback_suggestion": "retry after 30 seconds", "request_id": "s-1"}})"));
  EXPECT_EQ(error.http_status, 0);
  EXPECT_EQ(error.type, "service_unavailable_error");
  EXPECT_EQ(error.code, "503");
  EXPECT_EQ(error.request_id, "s-1");
  EXPECT_EQ(error.retry_after, absl::Seconds(30));
}

TEST(ParseStreamErrorTest, UnknownTypeFromNumericCode) {
  const UpstreamError error = ParseStreamError(
      json::parse(R"({"error": {"code": "429", "message": "m", "type": "Oops"}})"));
  EXPECT_EQ(error.type, "rate_limit_error");
  EXPECT_EQ(error.raw_type, "Oops");
}

TEST(ParseStreamErrorTest, AliasTypes) {
  EXPECT_EQ(ParseStreamError(json::parse(R"({"error": {"type": "server_error"}})")).type,
            "internal_server_error");
  EXPECT_EQ(ParseStreamError(json::parse(R"({"error": {"type": "overloaded_error"}})")).type,
            "service_unavailable_error");
}

TEST(ParseStreamErrorTest, NothingKnownIsUpstreamError) {
  const UpstreamError error = ParseStreamError(
      json::parse(R"({"error": {"code": "InternalError", "message": "model crashed"}})"));
  EXPECT_EQ(error.type, "upstream_error");
  EXPECT_EQ(error.raw_type, "");
  EXPECT_EQ(error.code, "InternalError");
  EXPECT_EQ(error.message, "model crashed");
}

TEST(ParseStreamErrorTest, BareMessageObject) {
  EXPECT_EQ(ParseStreamError(json::parse(R"({"message": "stream reset"})")).message,
            "stream reset");
  EXPECT_EQ(ParseStreamError(json("plain words")).message, "plain words");
}

// --- UpstreamErrorToStatus ----------------------------------------------

TEST(UpstreamErrorToStatusTest, RateLimitWithEverything) {
  const absl::Status status = UpstreamErrorToStatus(ParseUpstreamError(
      429, R"({"error": {"code": 429, "message": "Rate limit exceeded", "type": "rate_limit_error",
      "fallback_suggestion": "retry after 60 seconds"}})",
      "", "abc"));
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(status.message(),
            "upstream rate_limit_error (HTTP 429): Rate limit exceeded; suggestion: retry after 60 "
            "seconds; request id: abc");

  const google::rpc::ErrorInfo info = ErrorInfoOf(status);
  EXPECT_EQ(info.reason(), "RATE_LIMIT_ERROR");
  EXPECT_EQ(info.domain(), "evolink.ai");
  EXPECT_THAT(info.metadata(),
              UnorderedElementsAre(Pair("type", "rate_limit_error"), Pair("code", "429"),
                                   Pair("http_status", "429"),
                                   Pair("fallback_suggestion", "retry after 60 seconds"),
                                   Pair("request_id", "abc")));

  google::rpc::RetryInfo retry;
  ASSERT_TRUE(GetDetail(status, &retry));
  EXPECT_EQ(retry.retry_delay().seconds(), 60);
  EXPECT_EQ(retry.retry_delay().nanos(), 0);

  google::rpc::RequestInfo request_info;
  ASSERT_TRUE(GetDetail(status, &request_info));
  EXPECT_EQ(request_info.request_id(), "abc");
}

TEST(UpstreamErrorToStatusTest, MinimalErrorHasNoOptionalPartsOrDetails) {
  const absl::Status status = UpstreamErrorToStatus(ParseUpstreamError(500, "", "", ""));
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(status.message(), "upstream internal_server_error (HTTP 500): Internal Server Error");
  EXPECT_THAT(
      ErrorInfoOf(status).metadata(),
      UnorderedElementsAre(Pair("type", "internal_server_error"), Pair("http_status", "500")));
  google::rpc::RetryInfo retry;
  EXPECT_FALSE(GetDetail(status, &retry));
  google::rpc::RequestInfo request_info;
  EXPECT_FALSE(GetDetail(status, &request_info));
}

TEST(UpstreamErrorToStatusTest, ParamAndUpstreamTypeAreReported) {
  const absl::Status status = UpstreamErrorToStatus(ParseUpstreamError(
      400, R"({"error": {"code": "InvalidParameter", "message": "bad temperature",
      "type": "BadRequest", "param": "temperature"}})",
      "", ""));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "upstream invalid_request_error (HTTP 400): bad temperature; param: temperature");
  const google::rpc::ErrorInfo info = ErrorInfoOf(status);
  EXPECT_EQ(info.reason(), "INVALID_REQUEST_ERROR");
  EXPECT_THAT(
      info.metadata(),
      UnorderedElementsAre(Pair("type", "invalid_request_error"),
                           Pair("upstream_type", "BadRequest"), Pair("code", "InvalidParameter"),
                           Pair("param", "temperature"), Pair("http_status", "400")));
}

TEST(UpstreamErrorToStatusTest, HttpStatusMapping) {
  const std::pair<int, absl::StatusCode> kTable[] = {
      {400, absl::StatusCode::kInvalidArgument},    {401, absl::StatusCode::kInternal},
      {402, absl::StatusCode::kResourceExhausted},  {403, absl::StatusCode::kPermissionDenied},
      {404, absl::StatusCode::kNotFound},           {408, absl::StatusCode::kDeadlineExceeded},
      {413, absl::StatusCode::kInvalidArgument},    {429, absl::StatusCode::kResourceExhausted},
      {500, absl::StatusCode::kInternal},           {502, absl::StatusCode::kUnavailable},
      {503, absl::StatusCode::kUnavailable},        {504, absl::StatusCode::kUnavailable},
      {409, absl::StatusCode::kFailedPrecondition}, {422, absl::StatusCode::kFailedPrecondition},
      {501, absl::StatusCode::kUnavailable},        {599, absl::StatusCode::kUnavailable},
  };
  for (const auto& [http_status, code] : kTable) {
    EXPECT_EQ(UpstreamErrorToStatus(ParseUpstreamError(http_status, "x", "", "")).code(), code)
        << http_status;
  }
}

TEST(UpstreamErrorToStatusTest, HtmlGatewayError) {
  const absl::Status status = UpstreamErrorToStatus(ParseUpstreamError(
      502, "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>", "",
      "gw-1"));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status.message(),
            "upstream upstream_error (HTTP 502): 502 Bad Gateway; request id: gw-1");
  EXPECT_EQ(ErrorInfoOf(status).reason(), "UPSTREAM_ERROR");
}

TEST(UpstreamErrorToStatusTest, UnknownStatusTypeReason) {
  const absl::Status status = UpstreamErrorToStatus(ParseUpstreamError(418, "teapot", "", ""));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorInfoOf(status).reason(), "HTTP_418");
}

TEST(UpstreamErrorToStatusTest, QuotaErrorWithBillingSuggestionHasNoRetryInfo) {
  const absl::Status status = UpstreamErrorToStatus(
      ParseUpstreamError(402, R"({"error": {"code": 402, "message": "Insufficient quota",
      "type": "insufficient_quota_error",
      "fallback_suggestion": "https://evolink.ai/dashboard/billing"}})",
                         "", ""));
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("; suggestion: https://evolink.ai/dashboard/billing"));
  google::rpc::RetryInfo retry;
  EXPECT_FALSE(GetDetail(status, &retry));
}

TEST(UpstreamErrorToStatusTest, RetryInfoFromHeaderWithFractionlessSeconds) {
  const absl::Status status = UpstreamErrorToStatus(ParseUpstreamError(503, "", "120", ""));
  google::rpc::RetryInfo retry;
  ASSERT_TRUE(GetDetail(status, &retry));
  EXPECT_EQ(retry.retry_delay().seconds(), 120);
}

TEST(UpstreamErrorToStatusTest, SubSecondRetryDelay) {
  UpstreamError error;
  error.http_status = 429;
  error.type = "rate_limit_error";
  error.message = "m";
  error.retry_after = absl::Milliseconds(1500);
  google::rpc::RetryInfo retry;
  ASSERT_TRUE(GetDetail(UpstreamErrorToStatus(error), &retry));
  EXPECT_EQ(retry.retry_delay().seconds(), 1);
  EXPECT_EQ(retry.retry_delay().nanos(), 500000000);
}

TEST(UpstreamErrorToStatusTest, StreamErrorMappedByNumericCode) {
  const absl::Status status = UpstreamErrorToStatus(
      ParseStreamError(json::parse(R"({"error": {"code": 429, "message": "slow down"}})")));
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(status.message(), "upstream rate_limit_error: slow down");
  const google::rpc::ErrorInfo info = ErrorInfoOf(status);
  EXPECT_FALSE(info.metadata().contains("http_status"));
  EXPECT_EQ(info.metadata().at("code"), "429");
}

TEST(UpstreamErrorToStatusTest, StreamErrorMappedByType) {
  EXPECT_EQ(UpstreamErrorToStatus(ParseStreamError(json::parse(
                                      R"({"error": {"code": "ContentBlocked", "message": "m",
                                          "type": "invalid_request_error"}})")))
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(UpstreamErrorToStatus(
                ParseStreamError(json::parse(R"({"error": {"type": "authentication_error"}})")))
                .code(),
            absl::StatusCode::kInternal);
}

TEST(UpstreamErrorToStatusTest, StreamErrorWithNothingKnownIsUnavailable) {
  const absl::Status status = UpstreamErrorToStatus(
      ParseStreamError(json::parse(R"({"error": {"code": "Boom", "message": "stream broke"}})")));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status.message(), "upstream upstream_error: stream broke");
  EXPECT_EQ(ErrorInfoOf(status).reason(), "UPSTREAM_ERROR");
}

// --- MalformedUpstreamResponse -------------------------------------------

TEST(MalformedUpstreamResponseTest, InternalWithErrorInfo) {
  const absl::Status status = MalformedUpstreamResponse("choices is string, expected an array");
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(status.message(), "malformed upstream response: choices is string, expected an array");
  const google::rpc::ErrorInfo info = ErrorInfoOf(status);
  EXPECT_EQ(info.reason(), "MALFORMED_UPSTREAM_RESPONSE");
  EXPECT_EQ(info.domain(), "seedgate");
}

TEST(MalformedUpstreamResponseTest, LongExcerptsAreCapped) {
  const absl::Status status = MalformedUpstreamResponse("body: " + std::string(5000, 'x'));
  EXPECT_LT(status.message().size(), 300u);
}

// Found by tests/fuzz: numbers outside int64 must not be cast (UB).
TEST(ParseUpstreamErrorTest, HugeNumbersAreReadWithoutOverflow) {
  UpstreamError error = ParseUpstreamError(
      500, R"({"error":{"code":1e300,"message":"m","request_id":18446744073709651615}})", "", "");
  EXPECT_EQ(error.message, "m");
  EXPECT_FALSE(error.code.empty());
  EXPECT_EQ(error.type, "internal_server_error");
}

}  // namespace
}  // namespace seedgate::translate
