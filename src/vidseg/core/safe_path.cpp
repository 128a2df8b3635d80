#include "vidseg/core/safe_path.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>

#include "vidseg/core/error.hpp"

namespace fs = std::filesystem;

namespace vidseg {

namespace {

// One code point of `s` at `i`: its value and length, or nullopt-like {0, 0} for an invalid
// sequence (stray continuation byte, overlong form, surrogate, beyond U+10FFFF, truncated).
struct Decoded {
    char32_t cp = 0;
    size_t length = 0;
};

Decoded decode_utf8(std::string_view s, size_t i) {
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char b0 = byte(i);
    if (b0 < 0x80) return {b0, 1};
    size_t length = 0;
    char32_t cp = 0;
    if ((b0 & 0xE0) == 0xC0) {
        length = 2;
        cp = b0 & 0x1F;
    } else if ((b0 & 0xF0) == 0xE0) {
        length = 3;
        cp = b0 & 0x0F;
    } else if ((b0 & 0xF8) == 0xF0) {
        length = 4;
        cp = b0 & 0x07;
    } else {
        return {};
    }
    if (i + length > s.size()) return {};
    for (size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return {};
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    constexpr char32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinimum[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {};
    return {cp, length};
}

// Characters that never stay in a file name: separators, controls, and what looks like or turns into
// a separator or a dot once a viewer, a NFKC normalisation or a bidi renderer gets at it.
bool must_replace(char32_t cp) {
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) return true;  // C0, DEL, C1 (NUL, \n, ...)
    switch (cp) {
        case U'/':
        case U'\\':
        case 0x2044:  // FRACTION SLASH
        case 0x2215:  // DIVISION SLASH
        case 0x2216:  // SET MINUS (a backslash look-alike)
        case 0x2571:  // BOX DRAWINGS LIGHT DIAGONAL UPPER RIGHT TO LOWER LEFT
        case 0x2572:
        case 0x27CB:  // MATHEMATICAL RISING DIAGONAL
        case 0x27CD:
        case 0x29F5:  // REVERSE SOLIDUS OPERATOR
        case 0x29F8:  // BIG SOLIDUS
        case 0x29F9:  // BIG REVERSE SOLIDUS
        case 0xFE68:  // SMALL REVERSE SOLIDUS
        case 0xFF0F:  // FULLWIDTH SOLIDUS
        case 0xFF3C:  // FULLWIDTH REVERSE SOLIDUS
        case 0x2024:  // ONE DOT LEADER (NFKC: ".")
        case 0x2025:  // TWO DOT LEADER (NFKC: "..")
        case 0x2026:  // HORIZONTAL ELLIPSIS (NFKC: "...")
        case 0xFE52:  // SMALL FULL STOP
        case 0xFF0E:  // FULLWIDTH FULL STOP
        case 0x2028:  // LINE SEPARATOR
        case 0x2029:  // PARAGRAPH SEPARATOR
        case 0xFEFF:  // BYTE ORDER MARK / ZERO WIDTH NO-BREAK SPACE
        case 0xFFFE:
        case 0xFFFF:
            return true;
        default:
            break;
    }
    return (cp >= 0x200B && cp <= 0x200F)      // zero-width spaces, LRM / RLM
           || (cp >= 0x202A && cp <= 0x202E)   // bidi embeddings and overrides
           || (cp >= 0x2060 && cp <= 0x2064)   // word joiner, invisible operators
           || (cp >= 0x2066 && cp <= 0x2069)   // bidi isolates
           || (cp >= 0xFFF9 && cp <= 0xFFFB);  // interlinear annotation controls
}

// `s` (valid UTF-8) cut to at most `bytes` bytes without splitting a character.
std::string_view cut_utf8(std::string_view s, size_t bytes) {
    if (s.size() <= bytes) return s;
    size_t cut = bytes;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    return s.substr(0, cut);
}

// ".jpg" of "name.jpg": a final dot (not the first character) and 1 to 10 ASCII letters or digits.
std::string_view short_extension(std::string_view name) {
    constexpr size_t kMaxExtension = 10;
    const size_t dot = name.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || name.size() - dot - 1 > kMaxExtension ||
        dot + 1 == name.size())
        return {};
    for (size_t i = dot + 1; i < name.size(); ++i)
        if (!std::isalnum(static_cast<unsigned char>(name[i]))) return {};
    return name.substr(dot);
}

// `name` with the characters of must_replace() and invalid bytes turned into '_', leading '.' and '-'
// too, "_" when empty; only the first max_bytes (+ one character) are kept. Sets `changed` when it changed.
std::string clean_name(std::string_view name, size_t max_bytes, bool& changed) {
    std::string cleaned;
    cleaned.reserve(std::min(name.size(), max_bytes + 4));
    for (size_t i = 0; i < name.size();) {
        // Past what can be kept, only look for a reason to change (the name is cut anyway).
        const Decoded d = decode_utf8(name, i);
        const bool replace = d.length == 0 || must_replace(d.cp);
        changed = changed || replace;
        if (cleaned.size() <= max_bytes) {
            if (replace)
                cleaned += '_';
            else
                cleaned.append(name.substr(i, d.length));
        }
        i += d.length == 0 ? 1 : d.length;
    }
    for (char& c : cleaned) {
        if (c != '.' && c != '-') break;
        c = '_';
        changed = true;
    }
    if (cleaned.empty()) {
        cleaned = "_";
        changed = true;
    }
    return cleaned;
}

bool inside(const fs::path& root, const fs::path& path) {
    const fs::path rel = path.lexically_relative(root);
    return !rel.empty() && rel != "." && *rel.begin() != "..";
}

// Absolute, lexically normal, without a trailing separator; `resolve`: symlinks of the existing part
// resolved.
fs::path normal_form(const fs::path& p, bool resolve) {
    std::error_code ec;
    fs::path out = fs::absolute(p, ec);
    if (ec) out = p;
    out = out.lexically_normal();
    if (resolve) {
        const fs::path resolved = fs::weakly_canonical(out, ec);
        if (!ec) out = resolved.lexically_normal();
    }
    if (!out.has_filename() && out.has_relative_path()) out = out.parent_path();
    return out;
}

template <class F>
bool for_each_element(std::string_view relative, F&& f) {
    if (relative.empty()) return false;
    size_t begin = 0;
    while (true) {
        const size_t end = relative.find('/', begin);
        if (!f(relative.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin)))
            return false;
        if (end == std::string_view::npos) return true;
        begin = end + 1;
    }
}

}  // namespace

std::string short_name_hash(std::string_view text) {
    uint64_t h = 1469598103934665603ull;  // FNV-1a 64
    for (const char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>((h ^ (h >> 32)) & 0xFFFFFFFFu));
    return buf;
}

std::string safe_file_name(std::string_view untrusted, size_t max_bytes) {
    constexpr size_t kSuffix = 9;  // "-" + 8 hex digits
    if (max_bytes < 16) max_bytes = 16;
    bool changed = false;
    std::string cleaned = clean_name(untrusted, max_bytes, changed);
    if (untrusted.size() > max_bytes) changed = true;
    if (!changed) return cleaned;
    // The hash goes before a short extension ("seg\nx.jpg" -> "seg_x-<hash>.jpg"): an image stays an
    // image. The extension is taken from the original (it is ASCII letters and digits, so it is kept as
    // it is), since a long name is cleaned only as far as it can be kept.
    const std::string_view extension = short_extension(untrusted);
    if (!extension.empty())
        cleaned = clean_name(untrusted.substr(0, untrusted.size() - extension.size()), max_bytes, changed);
    return std::string(cut_utf8(cleaned, max_bytes - kSuffix - extension.size())) + "-" +
           short_name_hash(untrusted) + std::string(extension);
}

bool is_safe_file_name(std::string_view name, size_t max_bytes) {
    return !name.empty() && name.size() <= max_bytes && safe_file_name(name, max_bytes) == name;
}

bool is_safe_relative_path(std::string_view relative) {
    return for_each_element(relative, [](std::string_view e) { return is_safe_file_name(e); });
}

fs::path join_under(const fs::path& root, std::string_view relative) {
    fs::path path = root;
    const bool ok = for_each_element(relative, [&](std::string_view e) {
        if (!is_safe_file_name(e)) return false;
        path /= std::string(e);
        return true;
    });
    if (!ok)
        throw Error(ErrorCode::OutputError,
                    "refusing to write '" + safe_file_name(relative) +
                        "': not made of safe file names (a name from the input was not cleaned)",
                    root.string());
    check_under(root, path);
    return path;
}

bool lies_under(const fs::path& root, const fs::path& path) {
    // Lexically first (a ".." anywhere), then with the symlinks of what exists resolved.
    return inside(normal_form(root, false), normal_form(path, false)) &&
           inside(normal_form(root, true), normal_form(path, true));
}

const fs::path& check_under(const fs::path& root, const fs::path& path) {
    if (!lies_under(root, path))
        throw Error(ErrorCode::OutputError,
                    "refusing to write outside the output folder " + root.string() +
                        " (the path leaves it, or a folder on the way is a symlink leading elsewhere)",
                    path.string());
    return path;
}

size_t invalid_utf8_offset(std::string_view text) {
    for (size_t i = 0; i < text.size();) {
        const Decoded d = decode_utf8(text, i);
        if (d.length == 0) return i;
        i += d.length;
    }
    return std::string_view::npos;
}

void check_utf8_text(std::string_view text, const std::string& subject) {
    const size_t bad = invalid_utf8_offset(text);
    if (bad == std::string_view::npos) return;
    const auto line = 1 + std::count(text.begin(), text.begin() + std::ptrdiff_t(bad), '\n');
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", unsigned(static_cast<unsigned char>(text[bad])));
    throw Error(ErrorCode::InvalidData,
                "line " + std::to_string(line) + ": not UTF-8 text (byte " + byte +
                    "); save the file as UTF-8 (Excel: \"CSV UTF-8\")",
                subject);
}

}  // namespace vidseg
