// The characters n-gram features need from UTF-8 text, as Python's `str` sees them (scikit-learn's
// vectorisers are the reference: tests/python/test_text_lexical.py): code points, lower case,
// word characters (`\w` of Python's `re`: letters, digits, underscore) and white space (`str.split()`).
// Covered exactly: Basic Latin, Latin-1, Latin Extended-A/B, Greek, Cyrillic (Russian and its
// neighbours) — the languages of the lessons; other scripts' letters (CJK ideographs, Arabic,
// Hebrew...) count as word characters and keep their case. Bytes that are not UTF-8 become U+FFFD.
#pragma once

#include <string>
#include <string_view>

namespace vidseg::text {

std::u32string decode_utf8(std::string_view bytes);
std::string encode_utf8(std::u32string_view text);

char32_t lower(char32_t c);
std::u32string lower(std::u32string_view text);

bool is_word_char(char32_t c);
bool is_space(char32_t c);

}  // namespace vidseg::text
