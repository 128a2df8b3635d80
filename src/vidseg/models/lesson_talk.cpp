#include "vidseg/models/lesson_talk.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "vidseg/core/error.hpp"
#include "vidseg/core/messages.hpp"

namespace vidseg::models {

namespace {

constexpr std::size_t kTimbreFirst = 1, kTimbreCount = 12;  // mfcc_mean_1 .. mfcc_mean_12

std::vector<std::string> needed_columns() {
    std::vector<std::string> names = {"speech_fraction"};
    for (std::size_t k = kTimbreFirst; k < kTimbreFirst + kTimbreCount; ++k)
        names.push_back("mfcc_mean_" + std::to_string(k));
    return names;
}

std::ptrdiff_t column_index(const features::FeatureSpec& spec, const std::string& name) {
    const auto it = std::find(spec.columns.begin(), spec.columns.end(), name);
    return it == spec.columns.end() ? -1 : it - spec.columns.begin();
}

using Vec = std::vector<double>;

double distance2(const Vec& a, const Vec& b) {
    double d = 0;
    for (std::size_t i = 0; i < a.size(); ++i) d += (a[i] - b[i]) * (a[i] - b[i]);
    return d;
}

// Two-means with a deterministic farthest-point start: the point farthest from the mean, then the
// point farthest from that one. Returns the group (0/1) of every point.
std::vector<int> two_means(const std::vector<Vec>& points) {
    const std::size_t n = points.size(), dim = points.front().size();
    Vec mean(dim, 0.0);
    for (const auto& p : points)
        for (std::size_t d = 0; d < dim; ++d) mean[d] += p[d] / double(n);
    const auto farthest_from = [&](const Vec& c) {
        std::size_t best = 0;
        for (std::size_t i = 1; i < n; ++i)
            if (distance2(points[i], c) > distance2(points[best], c)) best = i;
        return best;
    };
    const std::size_t first = farthest_from(mean);
    std::vector<Vec> centre = {points[first], points[farthest_from(points[first])]};
    std::vector<int> group(n, -1);
    for (int iteration = 0; iteration < 100; ++iteration) {
        bool changed = false;
        for (std::size_t i = 0; i < n; ++i) {
            const int g = distance2(points[i], centre[1]) < distance2(points[i], centre[0]) ? 1 : 0;
            changed |= g != group[i];
            group[i] = g;
        }
        if (!changed) break;
        for (int g = 0; g < 2; ++g) {
            Vec sum(dim, 0.0);
            std::size_t count = 0;
            for (std::size_t i = 0; i < n; ++i)
                if (group[i] == g) {
                    ++count;
                    for (std::size_t d = 0; d < dim; ++d) sum[d] += points[i][d];
                }
            if (count == 0) continue;
            for (auto& v : sum) v /= double(count);
            centre[g] = sum;
        }
    }
    return group;
}

// Distance between the two group means along the line joining them, over the pooled within-group
// standard deviation along that line (Fisher's criterion in one dimension).
double fisher_separation(const std::vector<Vec>& points, const std::vector<int>& group) {
    const std::size_t dim = points.front().size();
    Vec mean[2] = {Vec(dim, 0.0), Vec(dim, 0.0)};
    std::size_t count[2] = {0, 0};
    for (std::size_t i = 0; i < points.size(); ++i) {
        ++count[group[i]];
        for (std::size_t d = 0; d < dim; ++d) mean[group[i]][d] += points[i][d];
    }
    if (count[0] < 2 || count[1] < 2) return 0;
    for (int g = 0; g < 2; ++g)
        for (auto& v : mean[g]) v /= double(count[g]);
    Vec axis(dim);
    double length = 0;
    for (std::size_t d = 0; d < dim; ++d) length += (axis[d] = mean[1][d] - mean[0][d]) * axis[d];
    length = std::sqrt(length);
    if (length <= 0) return 0;
    double within = 0;
    for (std::size_t i = 0; i < points.size(); ++i) {
        double projection = 0;
        for (std::size_t d = 0; d < dim; ++d)
            projection += (points[i][d] - mean[group[i]][d]) * axis[d] / length;
        within += projection * projection;
    }
    within = std::sqrt(within / double(points.size() - 2));
    return within > 0 ? length / within : 1e9;
}

std::string percent(double share) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", 100 * share);
    return buf;
}

}  // namespace

bool has_talk_columns(const features::FeatureSpec& spec) {
    for (const auto& name : needed_columns())
        if (column_index(spec, name) < 0) return false;
    return true;
}

TalkShares estimate_talk_shares(const features::FeatureMatrix& m) {
    std::vector<std::size_t> cols;
    for (const auto& name : needed_columns()) {
        const auto c = column_index(m.spec, name);
        if (c < 0)
            throw Error(ErrorCode::InvalidData,
                        "talk shares need the audio column '" + name + "' (vidseg features with audio)",
                        m.source);
        cols.push_back(std::size_t(c));
    }
    if (m.rows() == 0) throw Error(ErrorCode::InvalidData, "no feature rows to measure talk on", m.source);

    TalkShares out;
    out.step = m.spec.step;
    out.times = m.times;
    out.duration = double(m.rows()) * m.spec.step;
    out.rows.assign(m.rows(), TalkKind::Silence);

    std::vector<std::size_t> speech;
    std::vector<Vec> timbre;
    for (std::size_t r = 0; r < m.rows(); ++r) {
        const float fraction = m.at(r, cols[0]);
        if (!(std::isfinite(fraction) && fraction >= kSpeechRowThreshold)) continue;
        Vec v(kTimbreCount);
        bool finite = true;
        for (std::size_t k = 0; k < kTimbreCount; ++k) finite &= std::isfinite(v[k] = m.at(r, cols[1 + k]));
        if (!finite) continue;
        speech.push_back(r);
        timbre.push_back(std::move(v));
    }
    for (auto r : speech) out.rows[r] = TalkKind::Teacher;

    if (speech.size() >= 2 * kMinStudentRows) {
        // Standardise every timbre coefficient over the speech rows so that no coefficient dominates.
        for (std::size_t k = 0; k < kTimbreCount; ++k) {
            double mean = 0, var = 0;
            for (const auto& v : timbre) mean += v[k] / double(timbre.size());
            for (const auto& v : timbre) var += (v[k] - mean) * (v[k] - mean) / double(timbre.size());
            const double sd = var > 0 ? std::sqrt(var) : 1.0;
            for (auto& v : timbre) v[k] = (v[k] - mean) / sd;
        }
        auto group = two_means(timbre);
        out.separation = fisher_separation(timbre, group);
        const std::size_t in_one = std::size_t(std::count(group.begin(), group.end(), 1));
        const int student_group = in_one * 2 <= group.size() ? 1 : 0;
        const std::size_t students = student_group == 1 ? in_one : group.size() - in_one;
        if (out.separation >= kMinSeparation && students >= kMinStudentRows) {
            out.speakers_separated = true;
            for (std::size_t i = 0; i < speech.size(); ++i)
                if (group[i] == student_group) out.rows[speech[i]] = TalkKind::Student;
        }
    }

    std::size_t teacher = 0, student = 0;
    for (auto k : out.rows) {
        teacher += k == TalkKind::Teacher;
        student += k == TalkKind::Student;
    }
    const double rows = double(m.rows());
    out.teacher_share = double(teacher) / rows;
    out.student_share = double(student) / rows;
    out.speech_share = out.teacher_share + out.student_share;
    out.silence_share = 1 - out.speech_share;

    char separation[32];
    std::snprintf(separation, sizeof separation, "%.1f", out.separation);
    // English, as everything the library stores (report.json); the console and the HTML page show it in
    // the user's language through Messages::from_english.
    const Messages english;
    const std::string minimum = std::to_string(int(kMinSeparation));
    out.method = english.text(
        Msg::TalkMethod,
        {{"ms", std::to_string(int(std::lround(m.spec.step * 1000)))},
         {"threshold", percent(kSpeechRowThreshold)},
         {"verdict", english.text(out.speakers_separated ? Msg::TalkGroupsApart : Msg::TalkGroupsNotApart,
                                  {{"separation", separation}, {"minimum", minimum}})}});
    return out;
}

}  // namespace vidseg::models
