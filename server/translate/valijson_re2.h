#ifndef SEEDGATE_SERVER_TRANSLATE_VALIJSON_RE2_H_
#define SEEDGATE_SERVER_TRANSLATE_VALIJSON_RE2_H_

// valijson matches `pattern`, `patternProperties` and the date/time formats
// with std::regex, which backtracks: a caller's `"pattern": "(a+)+$"` against
// thirty characters of a model's answer runs for minutes, on the upstream
// loop thread that serves every other call, and libstdc++ recurses once per
// character, so a long string overflows the stack. The explicit
// specializations below make valijson match with RE2 instead (linear time,
// no recursion) for the two adapters seedgate's validation instantiates.
//
// Include after the valijson headers, in the one file that validates
// (json_schema.cc), before anything instantiates a ValidationVisitor.

#include <set>
#include <string>
#include <vector>

#include "server/translate/schema_regexes.h"

namespace valijson {

#define SEEDGATE_RE2_PATTERN_VISIT(Adapter)                                                        \
  template <>                                                                                      \
  inline bool ValidationVisitor<Adapter>::visit(const constraints::PatternConstraint& c) {         \
    if ((m_strictTypes && !m_target.isString()) || !m_target.maybeString()) return true;           \
    if (seedgate::translate::PatternFound(c.getPattern<std::string::allocator_type>(),             \
                                          m_target.asString())) {                                  \
      return true;                                                                                 \
    }                                                                                              \
    if (m_results) {                                                                               \
      m_results->pushError(m_context, "Failed to match regex specified by 'pattern' constraint."); \
    }                                                                                              \
    return false;                                                                                  \
  }                                                                                                \
  template <>                                                                                      \
  inline bool ValidationVisitor<Adapter>::visit(const constraints::FormatConstraint& c) {          \
    if (!m_target.isString()) return true;                                                         \
    const seedgate::translate::FormatMatch match =                                                 \
        seedgate::translate::MatchFormat(c.getFormat(), m_target.asString());                      \
    if (!match.known) return true;                                                                 \
    if (match.matches) {                                                                           \
      return match.month == 0 || validate_date_range(match.month, match.day);                      \
    }                                                                                              \
    if (m_results) m_results->pushError(m_context, match.error);                                   \
    return false;                                                                                  \
  }

SEEDGATE_RE2_PATTERN_VISIT(adapters::NlohmannJsonAdapter)
SEEDGATE_RE2_PATTERN_VISIT(adapters::StdStringAdapter)
#undef SEEDGATE_RE2_PATTERN_VISIT

// valijson's own, with patternProperties matched by RE2. (A StdStringAdapter
// is an object only when empty: its patternProperties never match anything.)
template <>
inline bool ValidationVisitor<adapters::NlohmannJsonAdapter>::visit(
    const constraints::PropertiesConstraint& constraint) {
  if ((m_strictTypes && !m_target.isObject()) || !m_target.maybeObject()) return true;
  bool validated = true;
  std::set<std::string> properties_matched;
  const adapters::NlohmannJsonAdapter::Object object = m_target.asObject();
  constraint.applyToProperties(
      ValidatePropertySubschemas(object, m_context, true, m_results != nullptr, true, m_strictTypes,
                                 m_results, &properties_matched, &validated, m_regexesCache));
  if (!validated && !m_results) return false;

  constraint.applyToPatternProperties([&](const auto& pattern_text, const Subschema* subschema) {
    const std::string pattern(pattern_text.c_str());
    for (const adapters::NlohmannJsonAdapter::ObjectMember member : object) {
      if (!seedgate::translate::PatternFound(pattern, member.first)) continue;
      properties_matched.insert(member.first);
      std::vector<std::string> context = m_context;
      context.push_back("[" + member.first + "]");
      ValidationVisitor validator(member.second, context, m_strictTypes, m_results, m_regexesCache);
      if (validator.validateSchema(*subschema)) continue;
      if (m_results) {
        m_results->pushError(
            m_context,
            "Failed to validate against schema associated with pattern '" + pattern + "'.");
      }
      validated = false;
      if (!m_results) return false;
    }
    return true;
  });
  if (!validated && !m_results) return false;

  const Subschema* additional = constraint.getAdditionalPropertiesSubschema();
  if (!additional) {
    if (properties_matched.size() == m_target.getObjectSize()) return validated;
    if (m_results) {
      std::string unwanted;
      for (const adapters::NlohmannJsonAdapter::ObjectMember member : object) {
        if (properties_matched.count(member.first) == 0) {
          unwanted = member.first;
          break;
        }
      }
      m_results->pushError(m_context,
                           "Object contains a property that could not be validated using "
                           "'properties' or 'additionalProperties' constraints: '" +
                               unwanted + "'.");
    }
    return false;
  }
  for (const adapters::NlohmannJsonAdapter::ObjectMember member : object) {
    if (properties_matched.count(member.first) != 0) continue;
    std::vector<std::string> context = m_context;
    context.push_back("[" + member.first + "]");
    ValidationVisitor validator(member.second, context, m_strictTypes, m_results, m_regexesCache);
    if (!validator.validateSchema(*additional)) {
      if (m_results) {
        m_results->pushError(m_context, "Failed to validate against additional properties schema");
      }
      validated = false;
    }
  }
  return validated;
}

}  // namespace valijson

#endif  // SEEDGATE_SERVER_TRANSLATE_VALIJSON_RE2_H_
