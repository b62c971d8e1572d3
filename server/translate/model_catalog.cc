#include "server/translate/model_catalog.h"

namespace seedgate::translate {
namespace {

// Upper bound of max_completion_tokens the reference gives ([0, 65536]).
constexpr int kMaxCompletionTokens = 65536;

v1::ListModelsResponse BuildCatalog() {
  // Descriptions are the reference's own words for each `model` value. The
  // reference documents the same feature set (multimodal input, deep
  // thinking, tools, structured output) for the whole series.
  struct Entry {
    const char* id;
    const char* description;
  };
  static constexpr Entry kEntries[] = {
      {"doubao-seed-2.0-pro",
       "Flagship, strongest overall capability, ideal for complex reasoning and high-quality "
       "generation"},
      {"doubao-seed-2.0-lite", "Lightweight, faster speed, cost-effective"},
      {"doubao-seed-2.0-mini", "Ultra-fast, quickest response, suitable for simple tasks"},
      {"doubao-seed-2.0-code", "Code-specialized, optimized for code generation and understanding"},
  };
  v1::ListModelsResponse catalog;
  for (const Entry& entry : kEntries) {
    v1::Model* model = catalog.add_models();
    model->set_id(entry.id);
    model->set_description(entry.description);
    model->set_supports_text(true);
    model->set_supports_image_input(true);
    model->set_supports_video_input(true);
    model->set_supports_thinking(true);
    model->set_supports_tools(true);
    model->set_supports_structured_output(true);
    model->set_max_completion_tokens(kMaxCompletionTokens);
  }
  catalog.set_default_model("doubao-seed-2.0-pro");
  return catalog;
}

}  // namespace

const v1::ListModelsResponse& ModelCatalog() {
  static const v1::ListModelsResponse* const catalog = new v1::ListModelsResponse(BuildCatalog());
  return *catalog;
}

bool IsDocumentedModel(std::string_view model) {
  for (const v1::Model& documented : ModelCatalog().models()) {
    if (documented.id() == model) return true;
  }
  return false;
}

}  // namespace seedgate::translate
