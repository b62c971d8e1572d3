#include "tests/client/fake_chat_server.h"

#include <fstream>
#include <sstream>

namespace seedgate::testing {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

FakeChatServer::FakeChatServer(FakeBehaviour behaviour, const std::string& cert_file,
                               const std::string& key_file)
    : behaviour_(behaviour) {
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (!cert_file.empty()) {
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({Slurp(key_file), Slurp(cert_file)});
    credentials = grpc::SslServerCredentials(ssl);
  }
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", credentials, &port_);
  builder.RegisterService(this);
  server_ = builder.BuildAndStart();
}

FakeChatServer::~FakeChatServer() {
  if (server_) server_->Shutdown(std::chrono::system_clock::now());
}

std::multimap<std::string, std::string> FakeChatServer::last_metadata() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_metadata_;
}

bool FakeChatServer::Attempt(grpc::ServerContext* context) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    last_metadata_.clear();
    for (const auto& [key, value] : context->client_metadata()) {
      last_metadata_.emplace(std::string(key.data(), key.size()),
                             std::string(value.data(), value.size()));
    }
  }
  return ++attempts_ <= behaviour_.fail_first_attempts;
}

grpc::Status FakeChatServer::CreateChatCompletion(grpc::ServerContext* context,
                                                  const v1::CreateChatCompletionRequest*,
                                                  v1::ChatCompletion* response) {
  if (Attempt(context)) return grpc::Status(behaviour_.failure_code, "fake failure");
  response->add_choices()->mutable_message()->set_content("fake answer");
  return grpc::Status::OK;
}

grpc::Status FakeChatServer::StreamChatCompletion(
    grpc::ServerContext* context, const v1::CreateChatCompletionRequest*,
    grpc::ServerWriter<v1::ChatCompletionChunk>* writer) {
  bool fail = Attempt(context);
  v1::ChatCompletionChunk chunk;
  chunk.add_choices()->mutable_delta()->set_content("fake chunk");
  if (fail && !behaviour_.stream_fails_after_a_chunk) {
    return grpc::Status(behaviour_.failure_code, "fake failure before any chunk");
  }
  writer->Write(chunk);
  if (fail) return grpc::Status(behaviour_.failure_code, "fake failure after a chunk");
  return grpc::Status::OK;
}

grpc::Status FakeChatServer::ListModels(grpc::ServerContext* context, const v1::ListModelsRequest*,
                                        v1::ListModelsResponse* response) {
  if (Attempt(context)) return grpc::Status(behaviour_.failure_code, "fake failure");
  response->add_models()->set_id("fake-model");
  response->set_default_model("fake-model");
  return grpc::Status::OK;
}

}  // namespace seedgate::testing
