#include "vidseg/models/model_config.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "vidseg/core/error.hpp"
#include "vidseg/core/json_numbers.hpp"
#include "vidseg/core/input_limits.hpp"

namespace vidseg::models {

namespace {

std::string joined_names() {
    std::string s;
    for (const auto& n : architecture_names()) s += (s.empty() ? "" : ", ") + n;
    return s;
}

}  // namespace

const char* architecture_name(Architecture arch) noexcept {
    switch (arch) {
        case Architecture::Linear: return "linear";
        case Architecture::BiLstm: return "bilstm";
        case Architecture::CnnLstm: return "cnn-lstm";
        case Architecture::TransformerCrf: return "transformer-crf";
    }
    return "?";
}

const char* task_name(Task task) noexcept { return task == Task::Intro ? "intro" : "patterns"; }

const std::vector<std::string>& architecture_names() {
    static const std::vector<std::string> names = {"linear", "bilstm", "cnn-lstm", "transformer-crf"};
    return names;
}

Architecture parse_architecture(const std::string& name) {
    for (auto a : {Architecture::Linear, Architecture::BiLstm, Architecture::CnnLstm, Architecture::TransformerCrf})
        if (name == architecture_name(a)) return a;
    throw Error(ErrorCode::InvalidArgument, "unknown architecture '" + name + "' (one of: " + joined_names() + ")");
}

Task parse_task(const std::string& name) {
    if (name == "patterns") return Task::Patterns;
    if (name == "intro") return Task::Intro;
    throw Error(ErrorCode::InvalidArgument, "unknown task '" + name + "' (patterns or intro)");
}

std::string describe(const ChromaTuning& tuning) {
    if (tuning.estimated) return "auto (estimated per file)";
    std::ostringstream s;
    s << "fixed at " << tuning.fixed;
    return s.str();
}

bool reads_chroma(const features::FeatureSpec& spec) {
    return std::any_of(spec.columns.begin(), spec.columns.end(),
                       [](const std::string& c) { return c.compare(0, 7, "chroma_") == 0; });
}

nlohmann::json to_json(const ModelInfo& info) {
    return {
        {"format", "vidseg.model"},
        {"version", 1},
        {"arch", architecture_name(info.arch)},
        {"task", task_name(info.task)},
        {"hyper",
         {{"hidden", info.hyper.hidden},
          {"layers", info.hyper.layers},
          {"heads", info.hyper.heads},
          {"kernel", info.hyper.kernel},
          {"chunk", info.hyper.chunk},
          {"dropout", info.hyper.dropout}}},
        {"features",
         {{"step", info.spec.step},
          {"window", info.spec.window},
          {"columns", info.spec.columns},
          // "auto" or the fixed value, as `vidseg features --chroma-tuning` takes it.
          {"chroma_tuning", info.chroma.estimated ? nlohmann::json("auto") : nlohmann::json(info.chroma.fixed)}}},
        {"labels", info.labels},
        {"normalisation", {{"mean", info.mean}, {"scale", info.scale}}},
        {"threshold", info.threshold},
        {"thresholds", info.thresholds},
        {"seed", info.seed},
        {"training", info.training.is_null() ? nlohmann::json::object() : info.training},
    };
}

namespace {

// The network is allocated from the header before a single weight is read: a header asking for a
// 10^6-wide layer must be refused here, not by the OOM killer (core/input_limits.hpp).
void check_header_dimensions(const ModelInfo& info, const std::string& subject) {
    const auto& h = info.hyper;
    for (const auto& [name, value] : {std::pair<const char*, int>{"hyper.hidden", h.hidden},
                                      {"hyper.layers", h.layers},
                                      {"hyper.chunk", h.chunk}})
        if (value < 1)
            throw Error(ErrorCode::InvalidData,
                        std::string("malformed model header: ") + name + " must be positive, got " +
                            std::to_string(value),
                        subject);
    const auto count = [](int v) { return static_cast<uint64_t>(std::max(v, 0)); };
    for (const auto& [name, value] : {std::pair<const char*, uint64_t>{"hyper.hidden", count(h.hidden)},
                                      {"hyper.layers", count(h.layers)},
                                      {"hyper.heads", count(h.heads)},
                                      {"hyper.kernel", count(h.kernel)},
                                      {"hyper.chunk", count(h.chunk)},
                                      {"the number of feature columns", info.spec.columns.size()},
                                      {"the number of labels", info.labels.size()}})
        check_limit(kMaxModelDimension, value, subject, std::string("the model header's ") + name);
    // Every parameter is in the file: a network bigger than the largest model file allowed cannot be real.
    // Rough size of the largest architecture (a bidirectional LSTM / an encoder layer) in bytes.
    const uint64_t width = static_cast<uint64_t>(h.hidden);
    const uint64_t bytes =
        static_cast<uint64_t>(h.layers) * 16 * 4 * width * (width + info.spec.columns.size());
    check_limit(kMaxModelFileBytes, bytes, subject, "the network the model header describes (about)");
}

}  // namespace

ModelInfo model_info_from_json(const nlohmann::json& doc, const std::string& subject) {
    // json::value() throws when the member has another type: look before taking.
    const auto format = doc.is_object() ? doc.find("format") : doc.end();
    if (format == doc.end() || !format->is_string() || format->get<std::string>() != "vidseg.model")
        throw Error(ErrorCode::InvalidData, "not a vidseg model (header without \"format\": \"vidseg.model\")", subject);
    const auto version = doc.find("version");
    if (version == doc.end() || !version->is_number_integer() || version->get<int64_t>() != 1)
        throw Error(ErrorCode::Unsupported, "model format version " + doc.value("version", nlohmann::json()).dump() +
                                                " is not supported (this vidseg reads version 1)", subject);
    try {
        ModelInfo info;
        const std::string arch = doc.at("arch").get<std::string>();
        try {
            info.arch = parse_architecture(arch);
            info.task = parse_task(doc.at("task").get<std::string>());
        } catch (const Error& e) {
            throw Error(ErrorCode::InvalidData, e.cause(), subject);
        }
        const auto& h = doc.at("hyper");
        const auto integer = [&h](const char* key) { return json_integer<int>(h.at(key), key); };
        info.hyper = {integer("hidden"),  integer("layers"), integer("heads"),
                      integer("kernel"),  integer("chunk"),  h.at("dropout").get<double>()};
        const auto& f = doc.at("features");
        info.spec.step = f.at("step").get<double>();
        info.spec.window = f.at("window").get<double>();
        info.spec.columns = f.at("columns").get<std::vector<std::string>>();
        if (const auto tuning = f.find("chroma_tuning"); tuning != f.end()) {  // older models: fixed 0
            if (tuning->is_string() && tuning->get<std::string>() == "auto") info.chroma.estimated = true;
            else if (tuning->is_number() && std::isfinite(tuning->get<double>())) info.chroma.fixed = tuning->get<double>();
            else
                throw Error(ErrorCode::InvalidData,
                            "malformed model header: features.chroma_tuning must be \"auto\" or a number, got " +
                                tuning->dump(),
                            subject);
        }
        info.labels = doc.at("labels").get<std::vector<std::string>>();
        info.mean = json_floats(doc.at("normalisation").at("mean"), "normalisation.mean");
        info.scale = json_floats(doc.at("normalisation").at("scale"), "normalisation.scale");
        info.threshold = doc.value("threshold", 0.5);
        info.thresholds = doc.value("thresholds", std::vector<double>{});
        if (!info.thresholds.empty() && info.thresholds.size() != info.labels.size())
            throw Error(ErrorCode::InvalidData, "\"thresholds\" does not have one value per label", subject);
        for (double t : info.thresholds)
            if (!(t > 0 && t < 1)) throw Error(ErrorCode::InvalidData, "a threshold outside (0, 1)", subject);
        info.seed = json_integer_or<std::uint64_t>(doc, "seed", 1);
        info.training = doc.value("training", nlohmann::json::object());
        if (info.mean.size() != info.spec.columns.size() || info.scale.size() != info.spec.columns.size())
            throw Error(ErrorCode::InvalidData, "normalisation does not match the feature columns", subject);
        if (info.labels.empty() || info.spec.columns.empty())
            throw Error(ErrorCode::InvalidData, "model header without labels or feature columns", subject);
        check_header_dimensions(info, subject);
        return info;
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::InvalidData, std::string("malformed model header: ") + e.what(), subject);
    }
}

}  // namespace vidseg::models
