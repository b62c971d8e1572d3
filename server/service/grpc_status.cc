#include "server/service/grpc_status.h"

#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/rpc/status.pb.h"

namespace seedgate::service {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

bool ContainsSecret(absl::string_view text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (!secret.empty() && absl::StrContains(text, secret)) return true;
  }
  return false;
}

std::string Redact(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (!secret.empty()) absl::StrReplaceAll({{secret, "[redacted]"}}, &text);
  }
  return text;
}

// Every string in `message`, however deep (map entries included).
void RedactMessage(Message& message, const std::vector<std::string>& secrets) {
  const Reflection* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->type() == FieldDescriptor::TYPE_STRING) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          reflection->SetRepeatedString(
              &message, field, i,
              Redact(reflection->GetRepeatedString(message, field, i), secrets));
        }
      } else {
        reflection->SetString(&message, field,
                              Redact(reflection->GetString(message, field), secrets));
      }
    } else if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          RedactMessage(*reflection->MutableRepeatedMessage(&message, field, i), secrets);
        }
      } else {
        RedactMessage(*reflection->MutableMessage(&message, field), secrets);
      }
    }
  }
}

// A serialized detail with any secret removed; one whose type we cannot
// read is dropped rather than risk passing a secret on.
bool RedactedPayload(absl::string_view type_url, std::string payload,
                     const std::vector<std::string>& secrets, std::string* out) {
  if (!ContainsSecret(payload, secrets)) {
    *out = std::move(payload);
    return true;
  }
  absl::string_view type_name = type_url;
  absl::ConsumePrefix(&type_name, "type.googleapis.com/");
  const auto* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          std::string(type_name));
  if (descriptor == nullptr) return false;
  std::unique_ptr<Message> message(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor)->New());
  if (!message->ParseFromString(payload)) return false;
  RedactMessage(*message, secrets);
  *out = message->SerializeAsString();
  return true;
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status, const std::vector<std::string>& secrets) {
  if (status.ok()) return grpc::Status::OK;
  google::rpc::Status rpc_status;
  rpc_status.set_code(static_cast<int>(status.code()));
  rpc_status.set_message(Redact(std::string(status.message()), secrets));
  status.ForEachPayload([&](absl::string_view type_url, const absl::Cord& payload) {
    std::string value;
    if (!RedactedPayload(type_url, std::string(payload), secrets, &value)) return;
    google::protobuf::Any* any = rpc_status.add_details();
    any->set_type_url(std::string(type_url));
    any->set_value(std::move(value));
  });
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), rpc_status.message(),
                      rpc_status.SerializeAsString());
}

}  // namespace seedgate::service
