#include "server/translate/struct_json.h"

#include <cmath>
#include <cstdint>

namespace seedgate::translate {
namespace {

// Whole and inside int64's range: 2^63 itself is not representable as int64,
// so the upper bound is exclusive.
bool IsInt64Valued(double number) {
  constexpr double kTwoTo63 = 9223372036854775808.0;
  return std::isfinite(number) && std::trunc(number) == number && number >= -kTwoTo63 &&
         number < kTwoTo63;
}

}  // namespace

nlohmann::json ValueToJson(const google::protobuf::Value& value) {
  switch (value.kind_case()) {
    case google::protobuf::Value::kNumberValue: {
      const double number = value.number_value();
      if (IsInt64Valued(number)) return static_cast<std::int64_t>(number);
      return number;
    }
    case google::protobuf::Value::kStringValue:
      return value.string_value();
    case google::protobuf::Value::kBoolValue:
      return value.bool_value();
    case google::protobuf::Value::kStructValue:
      return StructToJson(value.struct_value());
    case google::protobuf::Value::kListValue: {
      nlohmann::json list = nlohmann::json::array();
      for (const google::protobuf::Value& element : value.list_value().values()) {
        list.push_back(ValueToJson(element));
      }
      return list;
    }
    case google::protobuf::Value::kNullValue:
    case google::protobuf::Value::KIND_NOT_SET:
      break;
  }
  return nullptr;
}

nlohmann::json StructToJson(const google::protobuf::Struct& value) {
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [key, field] : value.fields()) object[key] = ValueToJson(field);
  return object;
}

}  // namespace seedgate::translate
