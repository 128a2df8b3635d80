#include "vidseg/models/pattern_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "vidseg/timeline/interval.hpp"

namespace vidseg::models {

namespace {

std::string escape(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string num(double v, int digits = 1) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

double lesson_duration(const Prediction& p, const ModelInfo& info) {
    return p.times.empty() ? 0.0 : p.times.back() + info.spec.step;
}

const char* kColours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                          "#bcbd22", "#17becf"};

std::string talk_html(const nlohmann::json& talk, const Messages& m) {
    std::ostringstream html;
    html << "<h2>" << m.text(Msg::ReportTalkHeading) << "</h2>\n";
    if (!talk["available"].get<bool>()) {
        html << "<p>"
             << m.text(Msg::ReportNotAvailable,
                       {{"note", escape(m.from_english(talk.value("note", std::string())))}})
             << "</p>\n";
        return html.str();
    }
    html << "<table><tr><th>" << m.text(Msg::ReportPartOfLesson) << "</th><th>" << m.text(Msg::ReportShare)
         << "</th><th>" << m.text(Msg::ReportMinutes) << "</th></tr>\n";
    const double seconds = talk["seconds"].get<double>();
    for (const auto& [key, name] :
         {std::pair{"teacher_share", Msg::ReportTeacherTalk},
          std::pair{"student_share", Msg::ReportStudentTalk}, std::pair{"silence_share", Msg::ReportSilence}})
        html << "<tr><td>" << m.text(name) << "</td><td>" << m.percent(talk[key].get<double>()) << "</td><td>"
             << m.number(talk[key].get<double>() * seconds / 60, 1) << "</td></tr>\n";
    html << "</table>\n<p><small>"
         << m.text(Msg::ReportHowEstimated,
                   {{"method", escape(m.from_english(talk["method"].get<std::string>()))}})
         << "</small></p>\n";
    return html.str();
}

}  // namespace

std::vector<Detection> top_segments(const Prediction& p, std::size_t top) {
    std::vector<Detection> ranked = p.detections;
    std::stable_sort(ranked.begin(), ranked.end(), [](const Detection& a, const Detection& b) {
        return a.score * a.span.length() > b.score * b.span.length();
    });
    if (ranked.size() > top) ranked.resize(top);
    return ranked;
}

nlohmann::json pattern_report_json(const Prediction& p, const ModelInfo& info, const LessonContext& context,
                                   std::size_t top) {
    const double duration = lesson_duration(p, info);
    const std::size_t labels = p.labels.size();
    nlohmann::json totals = nlohmann::json::array();
    for (std::size_t l = 0; l < labels; ++l) {
        double seconds = 0, mean = 0;
        std::size_t count = 0;
        for (const auto& d : p.detections)
            if (d.label == p.labels[l]) {
                seconds += d.span.length();
                ++count;
            }
        for (std::size_t r = 0; r < p.times.size(); ++r) mean += p.probabilities[r * labels + l];
        mean /= std::max<std::size_t>(1, p.times.size());
        totals.push_back({{"label", p.labels[l]},
                          {"seconds", seconds},
                          {"share", duration > 0 ? seconds / duration : 0.0},
                          {"intervals", count},
                          {"mean_probability", mean}});
    }
    const auto detection_json = [](const Detection& d) {
        return nlohmann::json{{"label", d.label}, {"start", d.span.start}, {"end", d.span.end}, {"score", d.score}};
    };
    nlohmann::json all = nlohmann::json::array(), best = nlohmann::json::array();
    for (const auto& d : p.detections) all.push_back(detection_json(d));
    const auto ranked = top_segments(p, top);
    for (std::size_t i = 0; i < ranked.size(); ++i) {
        auto row = detection_json(ranked[i]);
        row["middle"] = ranked[i].span.start + ranked[i].span.length() / 2;
        if (i < context.keyframes.size() && !context.keyframes[i].empty()) row["keyframe"] = context.keyframes[i];
        if (context.snippets && i < context.snippets->size()) row["transcript"] = (*context.snippets)[i];
        if (context.top_ngrams && i < context.top_ngrams->size()) {
            row["top_ngrams"] = nlohmann::json::array();
            for (const auto& [ngram, weight] : (*context.top_ngrams)[i])
                row["top_ngrams"].push_back({{"ngram", ngram}, {"weight", weight}});
        }
        best.push_back(std::move(row));
    }
    nlohmann::json talk;
    if (context.talk) {
        const auto& t = *context.talk;
        talk = {{"available", true},
                {"seconds", t.duration},
                {"speech_share", t.speech_share},
                {"silence_share", t.silence_share},
                {"teacher_share", t.teacher_share},
                {"student_share", t.student_share},
                {"teacher_share_of_speech", t.speech_share > 0 ? t.teacher_share / t.speech_share : 0.0},
                {"speakers_separated", t.speakers_separated},
                {"separation", t.separation},
                {"method", t.method}};
    } else {
        talk = {{"available", false}, {"note", context.talk_note}};
    }
    nlohmann::json transcript = {{"available", context.snippets.has_value()}};
    if (context.snippets) transcript["source"] = context.transcript_source;
    else transcript["note"] = context.transcript_note;
    nlohmann::json keyframes = {{"available", !context.keyframes.empty()}};
    if (context.keyframes.empty()) keyframes["note"] = context.keyframe_note;
    return {{"source", p.source},
            {"duration", duration},
            {"model",
             {{"arch", context.model_arch.empty() ? architecture_name(info.arch) : context.model_arch},
              {"labels", info.labels}}},
            {"totals", totals},
            {"talk", talk},
            {"transcript", transcript},
            {"keyframes", keyframes},
            {"intervals", all},
            {"top_segments", best}};
}

std::string pattern_report_html(const Prediction& p, const ModelInfo& info, const LessonContext& context,
                                std::size_t top, const Messages& m) {
    const auto doc = pattern_report_json(p, info, context, top);
    const double duration = std::max(1e-9, lesson_duration(p, info));
    const std::size_t labels = p.labels.size();
    const int width = 1000, lane = 44, left = 10, axis = 24, talk_lane = context.talk ? 26 : 0;
    const int height = int(labels) * lane + talk_lane + axis;
    const auto x = [&](double t) { return left + (width - 2 * left) * t / duration; };

    std::ostringstream svg;
    svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
        << "\" viewBox=\"0 0 " << width << " " << height << "\" font-family=\"sans-serif\" font-size=\"11\">\n";
    for (std::size_t l = 0; l < labels; ++l) {
        const double y0 = double(l) * lane, base = y0 + lane - 6, span = lane - 16;
        const char* colour = kColours[l % (sizeof kColours / sizeof *kColours)];
        svg << "<rect x=\"" << left << "\" y=\"" << y0 + 4 << "\" width=\"" << width - 2 * left << "\" height=\"" << lane - 6
            << "\" fill=\"#f6f6f6\"/>\n";
        for (const auto& d : p.detections)
            if (d.label == p.labels[l])
                svg << "<rect x=\"" << num(x(d.span.start), 2) << "\" y=\"" << y0 + 4 << "\" width=\""
                    << num(std::max(0.5, x(d.span.end) - x(d.span.start)), 2) << "\" height=\"" << lane - 6
                    << "\" fill=\"" << colour << "\" fill-opacity=\"0.25\"><title>"
                    << m.text(Msg::ReportIntervalTitle, {{"pattern", escape(d.label)},
                                                         {"start", m.number(d.span.start, 1)},
                                                         {"end", m.number(d.span.end, 1)},
                                                         {"score", m.number(d.score, 2)}})
                    << "</title></rect>\n";
        svg << "<polyline fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"1\" points=\"";
        for (std::size_t r = 0; r < p.times.size(); ++r)
            svg << num(x(p.times[r] + info.spec.window / 2), 1) << "," << num(base - span * p.probabilities[r * labels + l], 1)
                << " ";
        svg << "\"/>\n<text x=\"" << left + 4 << "\" y=\"" << y0 + 16 << "\">" << escape(p.labels[l]) << "</text>\n";
    }
    if (context.talk) {  // one lane: runs of teacher / student speech (silence left blank)
        const auto& t = *context.talk;
        const double y0 = double(labels) * lane + 4;
        svg << "<rect x=\"" << left << "\" y=\"" << y0 << "\" width=\"" << width - 2 * left << "\" height=\"" << talk_lane - 6
            << "\" fill=\"#f6f6f6\"/>\n";
        for (std::size_t r = 0; r < t.rows.size();) {
            std::size_t e = r;
            while (e < t.rows.size() && t.rows[e] == t.rows[r]) ++e;
            if (t.rows[r] != TalkKind::Silence) {
                const bool teacher = t.rows[r] == TalkKind::Teacher;
                const double a = t.times[r], b = t.times[e - 1] + t.step;
                svg << "<rect x=\"" << num(x(a), 2) << "\" y=\"" << y0 << "\" width=\""
                    << num(std::max(0.5, x(b) - x(a)), 2) << "\" height=\"" << talk_lane - 6 << "\" fill=\""
                    << (teacher ? "#4a6fa5" : "#e8a33d") << "\"><title>"
                    << m.text(teacher ? Msg::ReportTeacher : Msg::ReportStudents) << " " << m.number(a, 1)
                    << "-" << m.number(b, 1) << (m.language() == Language::Russian ? " с" : " s")
                    << "</title></rect>\n";
            }
            r = e;
        }
        svg << "<text x=\"" << left + 4 << "\" y=\"" << y0 + 13 << "\">" << m.text(Msg::ReportTalkLane)
            << "</text>\n";
    }
    const double tick = duration > 1200 ? 300 : duration > 300 ? 60 : duration > 60 ? 10 : 1;
    for (double t = 0; t <= duration + 1e-9; t += tick) {
        const int minutes = int(t / 60), seconds = int(std::fmod(t, 60.0));
        char label[32];
        std::snprintf(label, sizeof label, "%d:%02d", minutes, seconds);
        svg << "<line x1=\"" << num(x(t), 1) << "\" x2=\"" << num(x(t), 1) << "\" y1=\"" << height - axis << "\" y2=\""
            << height - axis + 5 << "\" stroke=\"#333\"/><text x=\"" << num(x(t), 1) << "\" y=\"" << height - 6
            << "\" text-anchor=\"middle\">" << label << "</text>\n";
    }
    svg << "</svg>\n";

    std::ostringstream html;
    const auto th = [&m](const std::vector<Msg>& heads) {
        std::string row = "<tr>";
        for (Msg h : heads) row += "<th>" + m.text(h) + "</th>";
        return row + "</tr>\n";
    };
    html << "<!DOCTYPE html>\n<html lang=\"" << language_code(m.language())
         << "\"><head><meta charset=\"utf-8\"><title>"
         << m.text(Msg::ReportTitle, {{"source", escape(p.source)}})
         << "</title>\n<style>body{font-family:sans-serif;margin:24px}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:3px "
            "8px;text-align:right}td:first-child,th:first-child{text-align:left}"
            "</style></head><body>\n<h1>"
         << m.text(Msg::ReportHeading, {{"source", escape(p.source)}}) << "</h1>\n<p>"
         << m.text(Msg::ReportModelLine,
                   {{"arch", architecture_name(info.arch)},
                    {"patterns", m.count(Msg::CountPatterns, static_cast<long long>(labels))},
                    {"minutes", m.number(duration / 60, 1)},
                    {"step", m.number(info.spec.step, 0)}})
         << "</p>\n"
         << svg.str() << talk_html(doc["talk"], m) << "<h2>" << m.text(Msg::ReportTotalsHeading)
         << "</h2>\n<table>"
         << th({Msg::ReportPattern, Msg::ReportSeconds, Msg::ReportShare, Msg::ReportIntervals,
                Msg::ReportMeanProbability});
    for (const auto& t : doc["totals"])
        html << "<tr><td>" << escape(t["label"].get<std::string>()) << "</td><td>"
             << m.number(t["seconds"].get<double>(), 1) << "</td><td>" << m.percent(t["share"].get<double>())
             << "</td><td>" << t["intervals"].get<std::size_t>() << "</td><td>"
             << m.number(t["mean_probability"].get<double>(), 3) << "</td></tr>\n";
    html << "</table>\n<h2>" << m.text(Msg::ReportTopSegmentsHeading) << "</h2>\n";
    if (!doc["keyframes"]["available"].get<bool>())
        html << "<p>"
             << m.text(Msg::ReportKeyframesUnavailable,
                       {{"note", escape(m.from_english(doc["keyframes"].value("note", std::string())))}})
             << "</p>\n";
    if (doc["transcript"]["available"].get<bool>())
        html << "<p>"
             << m.text(Msg::ReportSnippetsFrom,
                       {{"source", escape(doc["transcript"]["source"].get<std::string>())}})
             << "</p>\n";
    else
        html << "<p>"
             << m.text(Msg::ReportTranscriptsUnavailable,
                       {{"note", escape(m.from_english(doc["transcript"].value("note", std::string())))}})
             << "</p>\n";
    html << "<table>"
         << th({Msg::ReportPattern, Msg::ReportStart, Msg::ReportEnd, Msg::ReportScore, Msg::ReportKeyframe,
                Msg::ReportTranscript});
    for (const auto& d : doc["top_segments"]) {
        html << "<tr><td>" << escape(d["label"].get<std::string>()) << "</td><td>"
             << timeline::format_timecode(d["start"].get<double>()) << "</td><td>"
             << timeline::format_timecode(d["end"].get<double>()) << "</td><td>"
             << m.number(d["score"].get<double>(), 2) << "</td><td>";
        if (d.contains("keyframe"))
            html << "<img src=\"" << d["keyframe"].get<std::string>() << "\" alt=\""
                 << m.text(Msg::ReportFrameAt,
                           {{"time", timeline::format_timecode(d["middle"].get<double>())}})
                 << "\" width=\"240\">";
        html << "</td><td style=\"text-align:left;max-width:420px\">" << escape(d.value("transcript", std::string()));
        if (d.contains("top_ngrams") && !d["top_ngrams"].empty()) {  // a text model: the words behind it
            html << "<br><small>" << escape(m.text(Msg::ReportWordsBehind)) << " ";
            bool first = true;
            for (const auto& g : d["top_ngrams"]) {
                html << (first ? "" : " · ") << "<q>" << escape(g["ngram"].get<std::string>()) << "</q> "
                     << m.number(g["weight"].get<double>(), 2);
                first = false;
            }
            html << "</small>";
        }
        html << "</td></tr>\n";
    }
    html << "</table>\n</body></html>\n";
    return html.str();
}

}  // namespace vidseg::models
