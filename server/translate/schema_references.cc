#include "server/translate/schema_references.h"

#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <valijson/internal/json_pointer.hpp>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/translate/text_excerpt.h"

namespace seedgate::translate {
namespace {

using Json = nlohmann::json;

// The node `pointer` names, resolved exactly as valijson resolves it
// (trailing slashes trimmed, empty tokens skipped, "~0"/"~1" and %-escapes
// decoded, array indices read by std::stoul): the checks below must see the
// graph valijson will walk, not the one RFC 6901 describes. nullptr when
// valijson would fail to resolve it (it then throws, which Compile reports).
const Json* ResolveAsValijson(const Json& root, std::string pointer) {
  pointer.erase(pointer.find_last_not_of('/') + 1);
  const Json* node = &root;
  size_t position = 0;
  while (position < pointer.size()) {
    if (pointer[position] != '/') return nullptr;
    size_t next = pointer.find('/', position + 1);
    if (next == std::string::npos) next = pointer.size();
    std::string token;
    try {
      token = valijson::internal::json_pointer::extractReferenceToken(
          pointer.cbegin() + static_cast<std::ptrdiff_t>(position) + 1,
          pointer.cbegin() + static_cast<std::ptrdiff_t>(next));
    } catch (const std::exception&) {
      return nullptr;
    }
    position = next;
    if (token.empty()) continue;
    if (node->is_array()) {
      uint64_t index = 0;
      try {
        index = std::stoul(token);
      } catch (const std::exception&) {
        return nullptr;
      }
      if (index >= node->size()) return nullptr;
      node = &(*node)[index];
    } else if (node->is_object()) {
      auto it = node->find(token);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else {
      return nullptr;
    }
  }
  return node;
}

}  // namespace

bool IsLiteralKeyword(absl::string_view key) {
  return key == "const" || key == "enum" || key == "default" || key == "examples";
}

namespace {

// The schema as valijson walks it: every object and array, the schemas each
// one applies in place (combinators and `$ref`), and how tall each is.
struct ReferenceGraph {
  std::unordered_map<const Json*, std::vector<const Json*>> in_place;
  std::unordered_map<const Json*, int> height;  // 1 for a leaf container
  // Each distinct `$ref` as valijson keys its cache, with its target.
  std::vector<std::pair<std::string, const Json*>> targets;
  int scopes = 1;  // `$id`s, plus the document's own
};

absl::Status Reference(const Json& root, const std::string& ref, const Json** target) {
  const std::string shown = SingleLine(ref, 100);
  if (!absl::StartsWith(ref, "#") || (ref.size() > 1 && ref[1] != '/')) {
    return absl::InvalidArgumentError(
        absl::StrCat("has $ref \"", shown,
                     "\": only references inside the same schema by JSON pointer (\"#\", "
                     "\"#/definitions/x\") are supported"));
  }
  *target = ResolveAsValijson(root, ref.substr(1));
  if (*target == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("has $ref \"", shown, "\" that points to nothing in the schema"));
  }
  return absl::OkStatus();
}

absl::Status BuildGraph(const Json& root, ReferenceGraph* graph) {
  std::set<std::string> seen_refs;
  // Pre-order, so that walking it backwards visits children before parents.
  std::vector<std::pair<const Json*, const Json*>> order;  // node, parent
  std::vector<std::pair<const Json*, const Json*>> pending = {{&root, nullptr}};
  while (!pending.empty()) {
    auto [node, parent] = pending.back();
    pending.pop_back();
    if (!node->is_structured()) continue;
    order.emplace_back(node, parent);
    if (node->is_array()) {
      for (const Json& child : *node) pending.emplace_back(&child, node);
      continue;
    }
    std::vector<const Json*>& in_place = graph->in_place[node];
    for (const auto& [key, value] : node->items()) {
      pending.emplace_back(&value, node);
      if (IsLiteralKeyword(key)) continue;
      if (key == "$ref" && value.is_string()) {
        const std::string& ref = value.get_ref<const std::string&>();
        const Json* target = nullptr;
        if (absl::Status ok = Reference(root, ref, &target); !ok.ok()) return ok;
        in_place.push_back(target);
        std::string key_pointer = ref.substr(1);
        key_pointer.erase(key_pointer.find_last_not_of('/') + 1);
        if (seen_refs.insert(key_pointer).second) {
          graph->targets.emplace_back(std::move(key_pointer), target);
        }
      } else if (key == "$id" && value.is_string()) {
        ++graph->scopes;
      } else if (key == "allOf" || key == "anyOf" || key == "oneOf") {
        if (value.is_array()) {
          for (const Json& child : value) in_place.push_back(&child);
        }
      } else if (key == "not" || key == "if" || key == "then" || key == "else") {
        in_place.push_back(&value);
      } else if (key == "dependencies" && value.is_object()) {
        for (const auto& [name, dependency] : value.items()) {
          if (dependency.is_object()) in_place.push_back(&dependency);
        }
      }
    }
  }
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    int& height = graph->height[it->first];
    height = std::max(height, 1);
    if (it->second != nullptr) {
      int& parent_height = graph->height[it->second];
      parent_height = std::max(parent_height, height + 1);
    }
  }
  return absl::OkStatus();
}

// The longest chain of schemas applied in place, by depth-first search;
// an error on a cycle.
absl::StatusOr<int> LongestInPlaceChain(const ReferenceGraph& graph) {
  enum class State { kNew, kOnPath, kDone };
  std::unordered_map<const Json*, State> state;
  std::unordered_map<const Json*, int> longest;  // edges, from each node
  int overall = 0;
  for (const auto& [start, unused] : graph.in_place) {
    if (state[start] != State::kNew) continue;
    std::vector<std::pair<const Json*, size_t>> path = {{start, 0}};
    state[start] = State::kOnPath;
    while (!path.empty()) {
      auto& [node, next] = path.back();
      auto edges = graph.in_place.find(node);
      if (edges == graph.in_place.end() || next >= edges->second.size()) {
        state[node] = State::kDone;
        const int length = longest[node];
        overall = std::max(overall, length);
        path.pop_back();
        if (!path.empty()) {
          int& parent = longest[path.back().first];
          parent = std::max(parent, length + 1);
        }
        continue;
      }
      const Json* target = edges->second[next++];
      State& target_state = state[target];
      if (target_state == State::kOnPath) {
        return absl::InvalidArgumentError(
            "has a reference cycle that never moves into the document (e.g. {\"allOf\": "
            "[{\"$ref\": \"#\"}]}): it would be followed forever");
      }
      if (target_state == State::kNew) {
        target_state = State::kOnPath;
        path.emplace_back(target, 0);
      } else {
        int& from = longest[node];
        from = std::max(from, longest[target] + 1);
      }
    }
  }
  return overall;
}

}  // namespace

absl::Status CheckSchemaReferences(const Json& schema) {
  ReferenceGraph graph;
  if (absl::Status built = BuildGraph(schema, &graph); !built.ok()) return built;
  absl::StatusOr<int> chain = LongestInPlaceChain(graph);
  if (!chain.ok()) return chain.status();
  if (*chain > kMaxInPlaceChain) {
    return absl::InvalidArgumentError(
        absl::StrCat("applies ", *chain,
                     " schemas in place one inside another ($ref, allOf, anyOf, oneOf, not, "
                     "if/then/else, dependencies); at most ",
                     kMaxInPlaceChain, " are supported"));
  }
  // valijson parses each `$ref` target once per path (then caches it), so
  // no path is deeper than the schema plus every target's height, per scope.
  int64_t levels = graph.height[&schema];
  for (const auto& [pointer, target] : graph.targets) {
    levels += static_cast<int64_t>(graph.scopes) * graph.height[target];
  }
  if (levels > kMaxParseLevels) {
    return absl::InvalidArgumentError(absl::StrCat(
        "is too large to follow: its nesting plus the nesting of every $ref target comes to ",
        levels, " levels, at most ", kMaxParseLevels,
        " are supported (fewer or shallower definitions)"));
  }
  return absl::OkStatus();
}

}  // namespace seedgate::translate
