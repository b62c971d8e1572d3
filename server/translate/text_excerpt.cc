#include "server/translate/text_excerpt.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"

namespace seedgate::translate {
namespace {

// Finds `needle` in `haystack` ignoring ASCII case, from `from`.
size_t FindIgnoreCase(absl::string_view haystack, absl::string_view needle, size_t from = 0) {
  for (size_t i = from; i + needle.size() <= haystack.size(); ++i) {
    if (absl::EqualsIgnoreCase(haystack.substr(i, needle.size()), needle)) return i;
  }
  return absl::string_view::npos;
}

bool LooksLikeHtml(absl::string_view body) {
  return absl::StartsWith(absl::StripLeadingAsciiWhitespace(body), "<") ||
         FindIgnoreCase(body, "<title") != absl::string_view::npos ||
         FindIgnoreCase(body, "<body") != absl::string_view::npos;
}

// The text of the first <title> element, or "" when there is none.
absl::string_view HtmlTitle(absl::string_view html) {
  const size_t open = FindIgnoreCase(html, "<title");
  if (open == absl::string_view::npos) return "";
  const size_t text_start = html.find('>', open);
  if (text_start == absl::string_view::npos) return "";
  const size_t close = FindIgnoreCase(html, "</title", text_start);
  return html.substr(text_start + 1, close == absl::string_view::npos ? absl::string_view::npos
                                                                      : close - text_start - 1);
}

// The page's text: tags removed, and the contents of <script> and <style>
// too, since they are not text a person reads.
std::string HtmlText(absl::string_view html) {
  std::string text;
  size_t i = 0;
  while (i < html.size()) {
    if (html[i] != '<') {
      text.push_back(html[i++]);
      continue;
    }
    for (absl::string_view skipped : {"script", "style"}) {
      if (absl::StartsWithIgnoreCase(html.substr(i + 1), skipped)) {
        const size_t close = FindIgnoreCase(html, std::string("</") + std::string(skipped), i);
        if (close != absl::string_view::npos) i = close;
        break;
      }
    }
    const size_t tag_end = html.find('>', i);
    if (tag_end == absl::string_view::npos) break;
    i = tag_end + 1;
    text.push_back(' ');  // Tags separate words: "<p>a</p><p>b</p>" is "a b".
  }
  return text;
}

std::string DecodeCommonEntities(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"&amp;", "&"},
                                    {"&lt;", "<"},
                                    {"&gt;", ">"},
                                    {"&quot;", "\""},
                                    {"&#39;", "'"},
                                    {"&nbsp;", " "}});
}

// The length of the well-formed UTF-8 sequence at the start of `text`, or 0
// when it is not one (a stray continuation byte, a truncated or overlong
// sequence, a surrogate, a value past U+10FFFF).
size_t Utf8SequenceLength(absl::string_view text) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char min_second = 0x80, max_second = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) min_second = 0xA0;
    if (lead == 0xED) max_second = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) min_second = 0x90;
    if (lead == 0xF4) max_second = 0x8F;
  } else {
    return 0;
  }
  if (text.size() < length || byte(1) < min_second || byte(1) > max_second) return 0;
  for (size_t i = 2; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
  }
  return length;
}

}  // namespace

std::string SingleLine(absl::string_view text, size_t max_bytes) {
  // Status messages and ErrorInfo metadata end up in proto strings, which
  // must be UTF-8: a byte that is not part of a well-formed character becomes
  // '?'.
  std::string line;
  bool pending_space = false;
  for (size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte <= 0x20 || byte == 0x7f) {
      pending_space = true;
      ++i;
      continue;
    }
    if (pending_space && !line.empty()) line.push_back(' ');
    pending_space = false;
    const size_t length = Utf8SequenceLength(text.substr(i));
    if (length == 0) {
      line.push_back('?');
      ++i;
    } else {
      line.append(text.data() + i, length);
      i += length;
    }
  }
  if (line.size() <= max_bytes) return line;
  // Cut before a UTF-8 continuation byte would split a character.
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
  line.resize(cut);
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line + "...";
}

std::string ErrorBodyExcerpt(absl::string_view body) {
  if (!LooksLikeHtml(body)) return SingleLine(body);
  std::string title = SingleLine(DecodeCommonEntities(HtmlTitle(body)));
  if (!title.empty()) return title;
  return SingleLine(DecodeCommonEntities(HtmlText(body)));
}

}  // namespace seedgate::translate
