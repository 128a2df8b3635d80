// Review of `vidseg dataset build` before the dataset is committed (SPEC §1 step 4: "the user
// reviews the list of frames and excludes bad ones"). Everything here works on plain streams so it
// can be unit-tested; the CLI only wires stdin/stdout and a frame viewer.
//
// Items are numbered 1..N in plan order (the order of the listing); decisions are stored by item id
// (the fragment name, stable across re-runs of the same export) in review.jsonl at the dataset root,
// one JSON object per line, oldest first:
//   {"item": "<fragment name>", "decision": "excluded"|"kept", "reason": "...", "when": "<UTC ISO-8601>",
//    "who": "<$USER>", "source": "interactive"|"confirmed"|"exclude-option", "lesson": ..., "start": ...,
//    "end": ..., "patterns": [...], "annotator": ..., "keyframe": <seconds>}
// "keyframe" (optional): a keyframe picked by hand (the web review's `--keyframe best` candidates);
// the latest row of an item that has one sets the time of the item's keyframe in the next build.
// The latest row of an item is its current state; a re-run starts from it (an item excluded before
// stays excluded until someone keeps it). Earlier rows stay in the file: the history is training data.
//
// Interactive commands (one per line; `help` lists them):
//   list | l                     the items with their state
//   view N | v N                 prints the keyframe path of item N and asks the viewer to show it
//   x SEL [reason...]            exclude; SEL = numbers and ranges "3,5-9", "all", or item ids
//   keep SEL | k SEL             keep again
//   done | d | confirm | y       confirm: build the dataset with the kept items
//   quit | q                     abort: nothing is written
// End of input without `done` aborts too (nothing is confirmed by accident).
#pragma once

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vidseg/core/messages.hpp"

namespace vidseg::dataset {

// What the review shows of one fragment.
struct ReviewItem {
    std::string id;  // fragment name
    std::string lesson;
    double start = 0, end = 0;
    std::vector<std::string> patterns;
    std::string annotator;
    std::string keyframe;  // path of the keyframe image (in the staging dir while reviewing)
};

struct ReviewDecision {
    std::string item;
    bool excluded = false;
    std::string reason;
    std::string when;    // UTC, ISO-8601
    std::string who;     // $USER of the reviewer
    std::string source;  // "interactive", "confirmed" (kept as listed at `done`), "exclude-option"
    // Snapshot of the item, so that the log is useful without the dataset rows.
    std::string lesson, annotator;
    double start = 0, end = 0;
    std::vector<std::string> patterns;
    std::optional<double> keyframe;  // seconds in the source video: the keyframe picked for this item
};

// "3,5-9", "all", or item ids, comma-separated → 0-based indexes (sorted, distinct) of `ids`.
// Numbers are 1-based. Throws Error(InvalidArgument) naming the bad part (0, out of range,
// reversed range, unknown id).
std::vector<size_t> parse_selection(const std::string& text, const std::vector<std::string>& ids);

// One line of --exclude: a selection and an optional reason ("3,5-9 teacher not in frame").
struct ExcludeEntry {
    std::string selection;
    std::string reason;
};
// --exclude LIST|FILE: an existing file is read (one selection per line, optional reason after it;
// blank lines and lines starting with # are skipped), anything else is one selection. Throws
// Error(InputNotFound) for an unreadable file.
std::vector<ExcludeEntry> read_exclude_argument(const std::string& argument);

// review.jsonl: reads (missing file = empty log; malformed line → Error(InvalidData) with its
// number) and renders.
std::vector<ReviewDecision> read_review_log(const std::filesystem::path& path);
// The same from text; `subject` names it in errors.
std::vector<ReviewDecision> parse_review_log(const std::string& text, const std::string& subject);
std::string render_review_log(const std::vector<ReviewDecision>& log);
// The latest decision of each item.
std::map<std::string, ReviewDecision> latest_decisions(const std::vector<ReviewDecision>& log);
// The latest picked keyframe time of each item (rows without "keyframe" do not reset it).
std::map<std::string, double> picked_keyframes(const std::vector<ReviewDecision>& log);

// Current UTC time as "2026-11-23T14:05:09Z".
std::string utc_now();

class ReviewSession {
public:
    enum class Outcome { Confirmed, Aborted };
    // Shows a keyframe (the session has already printed its path); must not throw.
    using Viewer = std::function<void(const ReviewItem&, std::ostream&)>;

    // `previous`: the earlier log (its latest decision per item sets the initial state).
    ReviewSession(std::vector<ReviewItem> items, const std::vector<ReviewDecision>& previous, std::string who);

    // Applies decisions without a prompt (used for --exclude). Throws like parse_selection.
    void exclude(const std::string& selection, const std::string& reason, const std::string& source);
    void keep(const std::string& selection, const std::string& source);
    // Records `time` (seconds) as the keyframe of the selected items (state and reason unchanged).
    void pick_keyframe(const std::string& selection, double time, const std::string& source);

    // The interactive loop: prints the listing, then reads commands until done / quit / end of input.
    // Bad commands print an error and the loop goes on. The dialogue speaks `messages`' language (the
    // commands stay the same words); error causes stay English.
    Outcome run(std::istream& in, std::ostream& out, const Viewer& viewer,
                const Messages& messages = Messages());

    // Adds a "kept"/"confirmed" row for every kept item without a decision in this session (call
    // after an interactive confirmation: those items were looked at and accepted).
    void confirm_rest();

    const std::vector<ReviewItem>& items() const { return items_; }
    bool excluded(size_t index) const { return excluded_[index]; }
    size_t excluded_count() const;
    const std::string& reason(size_t index) const { return reasons_[index]; }
    // Decisions taken in this session, in order (to append to the previous log).
    const std::vector<ReviewDecision>& decisions() const { return decisions_; }
    // Listing: "  n  state  lesson  start-end  patterns  annotator  keyframe".
    void list(std::ostream& out, const Messages& messages = Messages()) const;

private:
  void decide(size_t index, bool exclude, const std::string& reason, const std::string& source,
              std::optional<double> keyframe = std::nullopt);
  std::vector<size_t> select(const std::string& selection) const;

  std::vector<ReviewItem> items_;
  std::vector<std::string> ids_;
  std::vector<bool> excluded_;
  std::vector<std::string> reasons_;
  std::vector<bool> decided_now_;
  std::vector<ReviewDecision> decisions_;
  std::string who_;
};

}  // namespace vidseg::dataset
