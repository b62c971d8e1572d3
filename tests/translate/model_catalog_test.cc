#include "server/translate/model_catalog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace seedgate::translate {
namespace {

TEST(ModelCatalogTest, TheFourDocumentedModels) {
  const v1::ListModelsResponse& catalog = ModelCatalog();
  std::vector<std::string> ids;
  for (const v1::Model& model : catalog.models()) ids.push_back(model.id());
  EXPECT_THAT(ids, ::testing::ElementsAre("doubao-seed-2.0-pro", "doubao-seed-2.0-lite",
                                          "doubao-seed-2.0-mini", "doubao-seed-2.0-code"));
  EXPECT_EQ(catalog.default_model(), "doubao-seed-2.0-pro");
}

TEST(ModelCatalogTest, EveryModelSupportsTheDocumentedFeatures) {
  for (const v1::Model& model : ModelCatalog().models()) {
    EXPECT_FALSE(model.description().empty()) << model.id();
    EXPECT_TRUE(model.supports_text()) << model.id();
    EXPECT_TRUE(model.supports_image_input()) << model.id();
    EXPECT_TRUE(model.supports_video_input()) << model.id();
    EXPECT_TRUE(model.supports_thinking()) << model.id();
    EXPECT_TRUE(model.supports_tools()) << model.id();
    EXPECT_TRUE(model.supports_structured_output()) << model.id();
    EXPECT_EQ(model.max_completion_tokens(), 65536) << model.id();
  }
  EXPECT_EQ(ModelCatalog().models(3).description(),
            "Code-specialized, optimized for code generation and understanding");
}

TEST(ModelCatalogTest, IsDocumentedModel) {
  EXPECT_TRUE(IsDocumentedModel("doubao-seed-2.0-mini"));
  EXPECT_FALSE(IsDocumentedModel(""));
  EXPECT_FALSE(IsDocumentedModel("doubao-seed-2-0-pro-260215"));  // a version, not a name
  EXPECT_FALSE(IsDocumentedModel("DOUBAO-SEED-2.0-PRO"));
}

}  // namespace
}  // namespace seedgate::translate
