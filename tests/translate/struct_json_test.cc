#include "server/translate/struct_json.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "tests/translate/text_proto.h"

namespace seedgate::translate {
namespace {

using nlohmann::json;
using testing::TextProto;

TEST(StructJsonTest, WholeNumbersBecomeJsonIntegers) {
  const auto value = TextProto<google::protobuf::Value>("number_value: 1");
  const json out = ValueToJson(value);
  EXPECT_TRUE(out.is_number_integer());
  EXPECT_EQ(out.dump(), "1");
}

TEST(StructJsonTest, FractionsStayDoubles) {
  const json out = ValueToJson(TextProto<google::protobuf::Value>("number_value: 1.5"));
  EXPECT_TRUE(out.is_number_float());
  EXPECT_EQ(out.dump(), "1.5");
}

TEST(StructJsonTest, NegativeAndZeroWholeNumbersAreIntegers) {
  EXPECT_EQ(ValueToJson(TextProto<google::protobuf::Value>("number_value: -3")).dump(), "-3");
  EXPECT_EQ(ValueToJson(TextProto<google::protobuf::Value>("number_value: 0")).dump(), "0");
  EXPECT_EQ(ValueToJson(TextProto<google::protobuf::Value>("number_value: -0.0")).dump(), "0");
}

TEST(StructJsonTest, NumbersBeyondInt64StayDoubles) {
  google::protobuf::Value value;
  value.set_number_value(1e19);  // whole, but larger than INT64_MAX
  const json out = ValueToJson(value);
  EXPECT_TRUE(out.is_number_float());
  EXPECT_DOUBLE_EQ(out.get<double>(), 1e19);

  value.set_number_value(-9223372036854775808.0);  // exactly INT64_MIN
  EXPECT_TRUE(ValueToJson(value).is_number_integer());
  EXPECT_EQ(ValueToJson(value).get<std::int64_t>(), std::numeric_limits<std::int64_t>::min());
}

TEST(StructJsonTest, ScalarsAndNull) {
  EXPECT_EQ(ValueToJson(TextProto<google::protobuf::Value>("string_value: 'x'")), json("x"));
  EXPECT_EQ(ValueToJson(TextProto<google::protobuf::Value>("bool_value: true")), json(true));
  EXPECT_TRUE(ValueToJson(TextProto<google::protobuf::Value>("null_value: NULL_VALUE")).is_null());
  EXPECT_TRUE(ValueToJson(google::protobuf::Value()).is_null());
}

TEST(StructJsonTest, NestedStructsAndListsRecurse) {
  const auto schema = TextProto<google::protobuf::Struct>(R"pb(
    fields {
      key: "type"
      value { string_value: "object" }
    }
    fields {
      key: "properties"
      value {
        struct_value {
          fields {
            key: "tags"
            value {
              struct_value {
                fields {
                  key: "type"
                  value { string_value: "array" }
                }
                fields {
                  key: "minItems"
                  value { number_value: 1 }
                }
                fields {
                  key: "maxItems"
                  value { number_value: 10 }
                }
              }
            }
          }
          fields {
            key: "score"
            value {
              struct_value {
                fields {
                  key: "multipleOf"
                  value { number_value: 0.5 }
                }
              }
            }
          }
        }
      }
    }
    fields {
      key: "required"
      value {
        list_value {
          values { string_value: "tags" }
          values { number_value: 2 }
          values { null_value: NULL_VALUE }
          values { list_value { values { number_value: 3 } } }
        }
      }
    }
  )pb");
  const json out = StructToJson(schema);
  EXPECT_EQ(out, json::parse(R"({
    "type": "object",
    "properties": {
      "tags": {"type": "array", "minItems": 1, "maxItems": 10},
      "score": {"multipleOf": 0.5}
    },
    "required": ["tags", 2, null, [3]]
  })"));
  EXPECT_EQ(out.dump().find("1.0"), std::string::npos) << out.dump();
  EXPECT_NE(out.dump().find("\"minItems\":1"), std::string::npos) << out.dump();
}

TEST(StructJsonTest, EmptyStructIsEmptyObject) {
  EXPECT_EQ(StructToJson(google::protobuf::Struct()).dump(), "{}");
}

}  // namespace
}  // namespace seedgate::translate
