// File names made from data. Task and annotation ids, lesson names, data.video URLs, keyframe names of
// labeled.csv, episode names, file names inside exports, spreadsheets, libraries and model files all
// come from files a user (on a server: any user) hands us. None of them may become a path as it is:
// `"id": "../../../../x"` once made `dataset build` write outside its --out folder (issue 14).
//
// The rule: a writer builds every path under its output root with join_under() from constant names
// and names passed through safe_file_name(); join_under() refuses anything else and checks the result.
//
// safe_file_name(s) keeps an ordinary name exactly as it is (existing outputs and golden files keep
// their names) and otherwise returns a cleaned name plus "-" and 8 hex digits of a hash of the
// ORIGINAL bytes, so the result is stable (same input, same name) and two different inputs that clean
// to the same text still get different names. Cleaning:
// - '/', '\\', NUL and every control character (C0, DEL, C1), invalid UTF-8 bytes, the look-alikes of
//   '/', '\\' and '.' (U+2044 fraction slash, U+2215 division slash, U+FF0F full-width solidus,
//   U+FF0E full-width full stop, one/two dot leaders, ...) and invisible format characters (bidi
//   overrides, zero-width spaces, BOM) become '_';
// - leading '.' and '-' become '_' (no ".", "..", hidden files, names read as options);
// - an empty name becomes "_";
// - a name longer than max_bytes is cut at a character boundary to leave room for the hash;
// - the hash goes before a short extension (".jpg", ".mp4": 1-10 ASCII letters or digits), so a
//   cleaned file name keeps its type: "seg\nx.jpg" -> "seg_x-<hash>.jpg".
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace vidseg {

// Default bound of a cleaned name: room for suffixes ("_crop.jpg", ".ffmetadata") within the 255
// bytes of NAME_MAX.
inline constexpr size_t kMaxSafeNameBytes = 100;
// Bound of one element of a path checked by join_under (the filesystems' NAME_MAX).
inline constexpr size_t kMaxPathElementBytes = 255;

// The safe file-name component for `untrusted` (rules above). max_bytes >= 16.
std::string safe_file_name(std::string_view untrusted, size_t max_bytes = kMaxSafeNameBytes);
// True when `name` is one element that safe_file_name leaves as it is (with max_bytes).
bool is_safe_file_name(std::string_view name, size_t max_bytes = kMaxPathElementBytes);
// True when every '/'-separated element of `relative` is a safe file name (no empty elements, not absolute).
bool is_safe_relative_path(std::string_view relative);
// Byte offset of the first invalid UTF-8 sequence of `text` (stray continuation byte, overlong form,
// surrogate, beyond U+10FFFF, truncated), or npos when it is all valid UTF-8. Text read from users'
// files goes into JSON output, which must be UTF-8 (nlohmann::json::dump throws otherwise).
size_t invalid_utf8_offset(std::string_view text);
// Throws Error(InvalidData) naming `subject` and the line of the first invalid UTF-8 byte of `text`,
// with how to fix it (the file is in another encoding, e.g. Windows-1251 from Excel's plain CSV).
void check_utf8_text(std::string_view text, const std::string& subject);

// 8 hex digits of FNV-1a 64 (folded to 32 bits) of `text`: the suffix safe_file_name appends.
std::string short_name_hash(std::string_view text);

// root / relative, where `relative` ("images/<name>.jpg") is made of '/'-separated safe file names,
// then check_under(root, result). Throws Error(OutputError) naming the element otherwise: an unsafe
// element here means a writer forgot safe_file_name, and writing anyway could leave the root.
std::filesystem::path join_under(const std::filesystem::path& root, std::string_view relative);

// True when `path`, made absolute, lexically normalised and with the symlinks of its existing part
// resolved, lies strictly inside `root` (resolved the same way); for reading files named by data
// (a keyframe of labeled.csv must be in --images, not /etc/passwd).
bool lies_under(const std::filesystem::path& root, const std::filesystem::path& path);

// Throws Error(OutputError) unless lies_under(root, path): `path`, made absolute, lexically normalised and
// with the symlinks of its existing part resolved, lies strictly inside `root` (resolved the same way). Exit
// code 6 ("cannot write output") rather than 7: names from data are cleaned before they get here, so what is
// left to catch is an output tree whose folders (or a file) are symlinks leading elsewhere — the place to
// write is unusable, whatever the input. Returns `path`.
const std::filesystem::path& check_under(const std::filesystem::path& root,
                                         const std::filesystem::path& path);

}  // namespace vidseg
