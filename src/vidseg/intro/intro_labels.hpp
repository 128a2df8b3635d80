// Intro labels and predictions: one optional intro interval per video, read from and written to
// the file forms users exchange (SPEC §2):
//   form A  {"episode.mp4": {"start": "00:00:05", "end": "00:00:12"}}
//   form B  {"<video_id>": {"url": "...", "name": "...", "start": "0:00:05", "end": "0:00:15"}}
//   form C  {"<video_id>": [start_sec, end_sec]}   (test_predictions.json; [] or null = no intro)
// plus the media-player outputs Kodi/MPlayer .edl and FFmpeg chapter metadata.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/timeline/interval.hpp"

namespace vidseg::intro {

struct IntroLabel {
    std::string id;                                // the key in the file (video id or file name)
    std::optional<timeline::Interval> intro;       // nullopt = the video has no intro
    std::string name;                              // form B only
    std::string url;                               // form B only
    bool operator==(const IntroLabel&) const = default;
};

enum class LabelForm {
    Timecodes,    // form A: {"start", "end"} objects without url/name
    VkLabels,     // form B: {"url", "name", "start", "end"} objects
    Predictions,  // form C: [start_sec, end_sec] arrays
};
const char* label_form_name(LabelForm form) noexcept;  // "timecodes", "vk_labels", "predictions"

struct IntroLabelFile {
    LabelForm form = LabelForm::Timecodes;  // the form of the entries (B if any object has url/name)
    std::vector<IntroLabel> labels;         // in file order
};

// Interprets an already parsed document; the form is detected per entry, so a file may mix them.
// Times: "H:MM:SS", "HH:MM:SS.mmm", "MM:SS", "12.5" (timeline::parse_timecode) or JSON numbers >= 0.
// end <= start means "no intro". Throws Error(InvalidData, "<which entry / key / value>", subject).
IntroLabelFile parse_intro_labels(const nlohmann::ordered_json& doc, const std::string& subject = {});
// Parses JSON text; a syntax error becomes InvalidData with the parser's line/column.
IntroLabelFile parse_intro_labels_text(std::string_view text, const std::string& subject = {});
// Reads a file: InputNotFound when missing, InvalidArgument for a directory, InvalidData when malformed.
IntroLabelFile read_intro_labels(const std::filesystem::path& path);

// The key used to match ids across files when they differ only by directory or extension:
// "clips/episode.mp4" -> "episode". The extension is stripped only when it looks like one
// (1-5 ASCII letters/digits with at least one letter after the last '.'), so "-22002_4562" and
// "Show.S01E02" stay as they are.
std::string match_key(std::string_view id);

// Writers. Times are written rounded to the millisecond.
// Form C: {"id": [start, end]} and [] for "no intro".
nlohmann::ordered_json to_predictions_json(const std::vector<IntroLabel>& labels);
// Form A: {"id": {"start": "HH:MM:SS", "end": "HH:MM:SS"}} ("HH:MM:SS.mmm" when not whole seconds);
// "no intro" is written as start == end == "00:00:00", which the readers read back as no intro.
nlohmann::ordered_json to_timecode_json(const std::vector<IntroLabel>& labels);
// Form B (keeps name and url).
nlohmann::ordered_json to_vk_labels_json(const std::vector<IntroLabel>& labels);

// Kodi EDL action codes (xbmc/cores/EdlEdit.h: CUT = 0, MUTE = 1, SCENE = 2, COMM_BREAK = 3).
// A commercial break (3) is skipped automatically by Kodi and can be un-skipped by the viewer.
inline constexpr int kEdlCommercialBreak = 3;
// One video's sidecar .edl: "5.000\t15.000\t3\n"; empty text when there is no intro.
std::string to_edl(const std::optional<timeline::Interval>& intro, int action = kEdlCommercialBreak);
// One video's FFmpeg metadata file (ffmpeg -i in.mp4 -i chapters.txt -map_metadata 1 -codec copy out.mp4):
// ";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=5000\nEND=15000\ntitle=Intro\n"; just the header
// when there is no intro. '=', ';', '#', '\' and newlines in the title are escaped with '\'.
std::string to_ffmetadata_chapters(const std::optional<timeline::Interval>& intro, const std::string& title = "Intro");
// The console line of SPEC §2: "Intro found: 20.00s - 35.00s", or "No intro found".
std::string intro_found_line(const std::optional<timeline::Interval>& intro);

// To write any of these to disk use vidseg::write_file_atomic (core/atomic_dir.hpp).

}  // namespace vidseg::intro
