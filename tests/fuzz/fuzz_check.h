#ifndef SEEDGATE_TESTS_FUZZ_FUZZ_CHECK_H_
#define SEEDGATE_TESTS_FUZZ_FUZZ_CHECK_H_

// Shared helpers for the libFuzzer targets: a check that stays on in every
// build (assert() would vanish under NDEBUG) and an independent UTF-8
// validator, so that the fuzzers do not trust the code they test.

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace seedgate::fuzz {

[[noreturn]] inline void CheckFailed(const char* file, int line, const char* condition,
                                     std::string_view detail) {
  std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", file, line, condition);
  if (!detail.empty()) {
    std::fprintf(stderr, "  %.*s\n", static_cast<int>(detail.size()), detail.data());
  }
  std::abort();  // libFuzzer reports the input as a crash
}

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past
// U+10FFFF, no truncated sequences.
inline bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    const auto second = static_cast<unsigned char>(text[i + 1]);
    if (second < low || second > high) return false;
    for (size_t k = 2; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

}  // namespace seedgate::fuzz

#define FUZZ_CHECK(condition, detail)                                                        \
  do {                                                                                       \
    if (!(condition)) ::seedgate::fuzz::CheckFailed(__FILE__, __LINE__, #condition, detail); \
  } while (false)

#endif  // SEEDGATE_TESTS_FUZZ_FUZZ_CHECK_H_
