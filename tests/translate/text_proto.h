#ifndef SEEDGATE_TESTS_TRANSLATE_TEXT_PROTO_H_
#define SEEDGATE_TESTS_TRANSLATE_TEXT_PROTO_H_

// Test helper: a proto message from its text format, failing the test (not
// silently returning an empty message) when the text does not parse.

#include <gtest/gtest.h>

#include <string>

#include "google/protobuf/text_format.h"

namespace seedgate::translate::testing {

template <typename Message>
Message TextProto(const std::string& text) {
  Message message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message)) << text;
  return message;
}

}  // namespace seedgate::translate::testing

#endif  // SEEDGATE_TESTS_TRANSLATE_TEXT_PROTO_H_
