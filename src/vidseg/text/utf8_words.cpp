#include "vidseg/text/utf8_words.hpp"

namespace vidseg::text {

std::u32string decode_utf8(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        int extra = b < 0x80 ? 0 : (b >> 5) == 0x6 ? 1 : (b >> 4) == 0xE ? 2 : (b >> 3) == 0x1E ? 3 : -1;
        char32_t c = extra == 0 ? b : extra == 1 ? (b & 0x1F) : extra == 2 ? (b & 0x0F) : (b & 0x07);
        bool ok = extra >= 0 && i + std::size_t(extra) < s.size() + (extra == 0 ? 1 : 0);
        for (int k = 1; ok && k <= extra; ++k) {
            const auto n = static_cast<unsigned char>(s[i + std::size_t(k)]);
            if ((n & 0xC0) != 0x80) ok = false;
            else c = (c << 6) | (n & 0x3F);
        }
        if (!ok || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        out.push_back(c);
        i += std::size_t(extra) + 1;
    }
    return out;
}

std::string encode_utf8(std::u32string_view text) {
    std::string out;
    out.reserve(text.size() * 2);
    for (const char32_t c : text) {
        if (c < 0x80) {
            out += char(c);
        } else if (c < 0x800) {
            out += char(0xC0 | (c >> 6));
            out += char(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out += char(0xE0 | (c >> 12));
            out += char(0x80 | ((c >> 6) & 0x3F));
            out += char(0x80 | (c & 0x3F));
        } else {
            out += char(0xF0 | (c >> 18));
            out += char(0x80 | ((c >> 12) & 0x3F));
            out += char(0x80 | ((c >> 6) & 0x3F));
            out += char(0x80 | (c & 0x3F));
        }
    }
    return out;
}

namespace {

bool even(char32_t c) { return c % 2 == 0; }

}  // namespace

char32_t lower(char32_t c) {
    if (c < 0x80) return c >= 'A' && c <= 'Z' ? c + 32 : c;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;  // Latin-1
    if (c >= 0x100 && c <= 0x137 && even(c)) return c + 1;     // Latin Extended-A pairs
    if (c >= 0x139 && c <= 0x148 && !even(c)) return c + 1;
    if (c >= 0x14A && c <= 0x177 && even(c)) return c + 1;
    if (c == 0x178) return 0xFF;
    if (c >= 0x179 && c <= 0x17E && !even(c)) return c + 1;
    if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 0x20;  // Greek capitals
    if (c >= 0x400 && c <= 0x40F) return c + 0x50;                  // Ѐ..Џ (Ё)
    if (c >= 0x410 && c <= 0x42F) return c + 0x20;                  // А..Я
    if (c >= 0x460 && c <= 0x481 && even(c)) return c + 1;
    if (c >= 0x48A && c <= 0x4BF && even(c)) return c + 1;
    if (c == 0x4C0) return 0x4CF;
    if (c >= 0x4C1 && c <= 0x4CE && !even(c)) return c + 1;
    if (c >= 0x4D0 && c <= 0x52F && even(c)) return c + 1;
    return c;
}

std::u32string lower(std::u32string_view text) {
    std::u32string out(text);
    for (auto& c : out) c = lower(c);
    return out;
}

bool is_word_char(char32_t c) {
    if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (c < 0x100)  // Latin-1: letters, ª º µ, superscript digits and vulgar fractions (numeric)
        return (c >= 0xC0 && c != 0xD7 && c != 0xF7) || c == 0xAA || c == 0xB5 || c == 0xBA || c == 0xB2 ||
               c == 0xB3 || c == 0xB9 || (c >= 0xBC && c <= 0xBE);
    if (c <= 0x24F) return true;                                        // Latin Extended-A/B
    if (c >= 0x370 && c <= 0x3FF)                                       // Greek, but its signs
        return c != 0x375 && c != 0x37E && c != 0x384 && c != 0x385 && c != 0x387 && c != 0x3F6 &&
               !(c >= 0x378 && c <= 0x379) && !(c >= 0x380 && c <= 0x383) && c != 0x38B && c != 0x38D && c != 0x3A2;
    if (c >= 0x400 && c <= 0x52F) return c <= 0x481 || c >= 0x48A;     // Cyrillic, not ҂ or the combining marks
    if (c < 0x2000) return c >= 0x530;                                  // Armenian, Hebrew, Arabic...: letters
    if (c < 0x3000) return false;                                       // punctuation, symbols, arrows
    return c != 0x3000 && c != 0xFFFD && !(c >= 0x3001 && c <= 0x3003) && !(c >= 0xFE30 && c <= 0xFE4F) &&
           !(c >= 0xFF00 && c <= 0xFF0F);
}

bool is_space(char32_t c) {
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

}  // namespace vidseg::text
