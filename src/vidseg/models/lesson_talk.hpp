// Talk and silence in a lesson, for the `vidseg patterns find` report: which seconds carry speech,
// and a simple, documented split of that speech between the teacher and the students.
//
// Speech: a row is speech when its audio `speech_fraction` (features/audio_timeline.hpp: the share
// of STFT frames the energy + flatness voice-activity rule marks active) is at least
// kSpeechRowThreshold; every other row is silence (quiet or steady noise). Word gaps inside a
// sentence keep a row above the threshold; pauses of a whole row do not.
//
// Teacher vs students (an estimate, not speaker recognition): the speech rows' timbre vectors
// (mfcc_mean_1 .. mfcc_mean_12, each standardised over the speech rows; mfcc_mean_0 is loudness
// and is left out) are split into two groups by k-means (k = 2, farthest-point start, fixed and
// deterministic). The lesson's dominant speaker is taken to be the teacher: the larger group is
// "teacher", the smaller "students". When the groups are not clearly apart (Fisher separation
// along the line between the two centres below kMinSeparation — one voice split in two halves
// gives about 2.7) or the smaller group has fewer than kMinStudentRows rows, all speech counts as
// the teacher's. Measured: one voice gives 3.2 (festvox-ru, 300 s) and 3.6 (espeak-ng, 42 s); two
// voices 4.8 (festvox-ru male + asterisk-en female, student share 23.2 % found for 23.2 % true) and
// 9.3 (two espeak-ng voices). The threshold sits between; close calls can go either way.
// Two voices of one timbre (or a class speaking in the teacher's microphone far
// away) are not told apart; the report says how the figures were estimated.
#pragma once

#include <string>
#include <vector>

#include "vidseg/features/feature_matrix.hpp"

namespace vidseg::models {

inline constexpr double kSpeechRowThreshold = 0.2;
inline constexpr double kMinSeparation = 4.0;
inline constexpr std::size_t kMinStudentRows = 3;

enum class TalkKind : char { Silence = '-', Teacher = 'T', Student = 'S' };

struct TalkShares {
    double duration = 0;              // seconds analysed (rows x step)
    double step = 1;                  // seconds per row
    double speech_share = 0;          // of the duration
    double silence_share = 0;         // 1 - speech_share
    double teacher_share = 0;         // of the duration
    double student_share = 0;         // of the duration
    bool speakers_separated = false;  // false: all speech was counted as the teacher's
    double separation = 0;            // Fisher separation of the two k-means groups (0 without speech)
    std::vector<double> times;        // row start times
    std::vector<TalkKind> rows;       // per row
    std::string method;               // how the figures were estimated, for the report
};

// Throws Error(InvalidData) when the matrix lacks speech_fraction or the mfcc_mean_1..12 columns,
// or has no rows. NaN rows (no audio) count as silence.
TalkShares estimate_talk_shares(const features::FeatureMatrix& matrix);

// True when the matrix has every column estimate_talk_shares reads.
bool has_talk_columns(const features::FeatureSpec& spec);

}  // namespace vidseg::models
