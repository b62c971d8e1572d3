#ifndef SEEDGATE_SERVER_TRANSLATE_STRUCT_JSON_H_
#define SEEDGATE_SERVER_TRANSLATE_STRUCT_JSON_H_

#include <nlohmann/json.hpp>

#include "google/protobuf/struct.pb.h"

namespace seedgate::translate {

// google.protobuf.Struct/Value hold every number as a double; a JSON Schema
// says `"minItems": 1`, not `1.0`. Whole numbers that fit in int64 are
// written as JSON integers, everything else as it is.
nlohmann::json StructToJson(const google::protobuf::Struct& value);
nlohmann::json ValueToJson(const google::protobuf::Value& value);

}  // namespace seedgate::translate

#endif  // SEEDGATE_SERVER_TRANSLATE_STRUCT_JSON_H_
