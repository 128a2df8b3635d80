// Inter-annotator agreement for labeled time intervals (SPEC §1 step 7).
//
// Definitions used throughout:
//  * Segment match: two segments of two annotators match when they carry the same label and
//    IoU >= iou_threshold (default 0.5). Matching is one-to-one and greedy by descending IoU
//    (ties: earlier segment of the first annotator first).
//  * Percent agreement (segment level) for a pair of annotators and a label:
//    2 · matched / (n_a + n_b), the share of their segments that found a partner (1 when both
//    have none). For more than two annotators: the mean over pairs in which either annotator used
//    the label. The overall value pools all labels: 2 · Σ matched / Σ (n_a + n_b), averaged over pairs.
//  * Compared units: only units (tasks) that at least two annotators labelled count — for a pair, the
//    units both labelled (Cohen); for Fleiss, the units everyone labelled. A pattern that is present in
//    no bin of a compared unit has no agreement to measure: kappa and percent are NaN, band
//    "not enough data", never a perfect score; PatternAgreement::shared_units says on how many
//    compared units it occurs, AgreementReport::shared_units how many units were double-annotated.
//  * Time grid: each unit (one lesson / task) is cut into bins [k·bin, (k+1)·bin), k = 0..K-1 with
//    K = ceil(duration / bin); duration = the media's length when the export tells it (task data
//    end - start / duration, original_length, track duration), else the latest segment end.
//    An annotator marks label L present in a bin when the bin's centre (k + 0.5)·bin lies in
//    [start, end) of one of their L segments. Bins between segments count as "absent" — agreement
//    on where a pattern is NOT happens too.
//  * Cohen's kappa (two annotators) for label L: the 2×2 table present/absent × present/absent
//    over all bins of all units both annotated; κ = (p_o − p_e) / (1 − p_e), p_o = share of bins
//    where both agree, p_e = p_A(present)·p_B(present) + p_A(absent)·p_B(absent).
//  * Fleiss' kappa (three or more): every bin of a unit that all annotators annotated is a
//    subject rated present/absent by n annotators; κ = (P̄ − P̄e) / (1 − P̄e) (Fleiss 1971).
//  * Overall kappa: the same statistic over the pooled subjects (bin, label) for every label.
//  * Degenerate case: when p_e = 1 with the pattern present everywhere the kappa is 1; a pattern
//    absent everywhere (or no subjects) gives NaN (see "Compared units").
//  * Bands: >= 0.80 excellent, >= 0.60 good, >= 0.40 moderate, else poor; NaN "not enough data".
//  * Consensus: for every label whose kappa >= min_kappa (default 0.60), segments linked by
//    matches (connected components over all annotator pairs) supported by a majority of the
//    unit's annotators (at least two: floor(n/2) + 1) become one segment with the mean start and
//    the mean end of the linked segments.
#pragma once

#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/annotations/label_matcher.hpp"
#include "vidseg/annotations/label_studio_export.hpp"

namespace vidseg::eval {

struct LabeledInterval {
    double start = 0, end = 0;  // seconds
    std::string label;
    size_t source = 0;  // opaque to the statistics: lets callers find the original segment
    std::string original;  // the label as written in the export (label may be its pattern name)
};

// One lesson / task: per annotator (index into AgreementInput::annotators) their intervals, or
// nullopt when that annotator did not annotate this unit.
struct Unit {
    std::string key;
    double duration = 0;  // 0 = take the latest segment end
    std::vector<std::optional<std::vector<LabeledInterval>>> raters;
};

struct AgreementInput {
    std::vector<std::string> annotators;
    std::vector<Unit> units;
};

struct AgreementOptions {
    double iou_threshold = 0.5;
    double bin_seconds = 1.0;
    double min_kappa = 0.6;  // consensus keeps labels with kappa >= this
};

// Index pairs (into a, into b) of matching segments, see above.
std::vector<std::pair<size_t, size_t>> match_segments(const std::vector<LabeledInterval>& a,
                                                      const std::vector<LabeledInterval>& b, double iou_threshold);

// Cohen's kappa of a square confusion matrix (rows: annotator A's category, columns: B's).
// Throws InvalidArgument for a non-square or negative matrix.
double cohen_kappa(const std::vector<std::vector<double>>& confusion);
// Fleiss' kappa; counts[i][j] = number of raters who put subject i in category j; every row must
// sum to the same n >= 2 (InvalidArgument otherwise).
double fleiss_kappa(const std::vector<std::vector<double>>& counts);
// "excellent" / "good" / "moderate" / "poor" ("not enough data" for NaN).
std::string kappa_band(double kappa);

struct PatternAgreement {
    std::string label;
    double kappa = NAN;
    std::string band;
    double percent_agreement = NAN;  // segment level, 0..1
    double observed = NAN;           // bin level p_o (Cohen) / P̄ (Fleiss)
    long long segments = 0;          // over all annotators
    long long matched = 0;           // matched pairs over all annotator pairs
    size_t shared_units = 0;         // compared units (labelled by >= 2 annotators) on which it occurs
    bool consensus = false;          // kappa >= min_kappa
};

struct PairAgreement {
    size_t a = 0, b = 0;
    double kappa = NAN;  // Cohen, pooled (bin, label)
    double percent_agreement = NAN;
};

struct AgreementReport {
    std::vector<std::string> annotators;
    std::string method;  // "cohen" (two annotators) or "fleiss"
    double iou_threshold = 0.5, bin_seconds = 1.0, min_kappa = 0.6;
    long long bins = 0;  // time bins counted (per label)
    size_t units = 0;         // all units
    size_t shared_units = 0;  // units labelled by at least two annotators (the only ones compared)
    std::vector<PatternAgreement> patterns;  // sorted by label
    double overall_kappa = NAN;
    std::string overall_band;
    double overall_percent = NAN;
    std::vector<PairAgreement> pairs;
};

// Throws InvalidArgument with fewer than two annotators, a bin <= 0 or an IoU outside (0, 1].
AgreementReport compute_agreement(const AgreementInput& input, const AgreementOptions& options = {});

struct ConsensusSegment {
    size_t unit = 0;
    std::string label;
    double start = 0, end = 0;
    std::vector<std::pair<size_t, size_t>> members;  // (annotator, index into that unit's rater list)
};
std::vector<ConsensusSegment> consensus_segments(const AgreementInput& input, const AgreementReport& report,
                                                 const AgreementOptions& options = {});

nlohmann::json to_json(const AgreementReport& report);

// ---- Label Studio glue -------------------------------------------------------------------

struct NamedExport {
    std::string name;  // file name, used to tell apart annotators with the same id in different exports
    annotations::Project project;
};

// Agreement input built from exports plus what is needed to write a consensus export.
struct Corpus {
    AgreementInput input;
    // [unit][annotator] → the segments behind LabeledInterval::source.
    std::vector<std::vector<std::vector<annotations::Segment>>> sources;
    std::vector<annotations::Task> unit_tasks;  // task (without annotations) each unit came from
    annotations::MatchReport labels;            // when a matcher was given
    std::vector<std::string> notes;             // how units / annotators were aligned
};

// Units are tasks keyed by their media (audio, else video URL without query string, else the task
// id); when several exports each hold exactly one task, those tasks are one unit. Annotators are
// Annotation::annotator(); the same key in different exports gets " (file name)" appended.
// Two annotations of one annotator on one task are merged. Each label of a segment is one
// interval; with a matcher, labels that match a pattern are replaced by the pattern name.
Corpus corpus_from_exports(const std::vector<NamedExport>& exports, const annotations::LabelMatcher* matcher = nullptr);

// The consensus as a Label Studio project that imports back into the annotators' project: one task
// per unit (the source task's data), one annotation without completed_by (the importing user's), one region
// per consensus segment with the result type, from_name, to_name and label string of its first
// member (audio `labels` in seconds, `timelinelabels` back to frame numbers at the task's fps),
// plus per-region choices every member agrees on. Throws InvalidArgument when a timelinelabels
// segment's task has no fps.
annotations::Project consensus_project(const Corpus& corpus, const std::vector<ConsensusSegment>& segments);

}  // namespace vidseg::eval
