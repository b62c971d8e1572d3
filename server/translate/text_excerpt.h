#ifndef SEEDGATE_SERVER_TRANSLATE_TEXT_EXCERPT_H_
#define SEEDGATE_SERVER_TRANSLATE_TEXT_EXCERPT_H_

// Internal: a short, single-line excerpt of a non-JSON error body, fit for a
// status message. Upstream gateways answer with HTML pages and plain text; a
// caller needs the gist ("502 Bad Gateway"), not the page.

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace seedgate::translate {

// Longest excerpt, in bytes, before the "..." that marks a cut.
inline constexpr std::size_t kMaxExcerptBytes = 200;

// For HTML, the page's <title> when it has one, else its text without tags;
// for anything else the text itself. Runs of whitespace and control
// characters become one space, and the result is cut (at a UTF-8 character
// boundary) to kMaxExcerptBytes. Empty when the body has no visible text.
std::string ErrorBodyExcerpt(absl::string_view body);

// `text` on one line and at most `max_bytes` long (plus "..." when cut).
std::string SingleLine(absl::string_view text, std::size_t max_bytes = kMaxExcerptBytes);

}  // namespace seedgate::translate

#endif  // SEEDGATE_SERVER_TRANSLATE_TEXT_EXCERPT_H_
