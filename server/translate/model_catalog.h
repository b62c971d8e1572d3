#ifndef SEEDGATE_SERVER_TRANSLATE_MODEL_CATALOG_H_
#define SEEDGATE_SERVER_TRANSLATE_MODEL_CATALOG_H_

#include <string_view>

#include "seedgate/v1/chat.pb.h"

namespace seedgate::translate {

// The four models the reference documents, with what each supports.
const v1::ListModelsResponse& ModelCatalog();

// Whether `model` is one of them.
bool IsDocumentedModel(std::string_view model);

}  // namespace seedgate::translate

#endif  // SEEDGATE_SERVER_TRANSLATE_MODEL_CATALOG_H_
