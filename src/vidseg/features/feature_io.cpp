#include "vidseg/features/feature_io.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/json_numbers.hpp"
#include "vidseg/core/input_limits.hpp"
#include "vidseg/core/safe_path.hpp"

namespace vidseg::features {

namespace {

constexpr const char* kFormatName = "vidseg.features";
constexpr int kFormatVersion = 1;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// Numbers are formatted with std::to_chars, not printf: printf's float formatting (multi-precision
// division, locale, varargs) was the largest part of writing a feature file.
// A value: the shortest decimal that reads back as the same float32 (e.g. 0.1, 3.1415927); a missing
// (non-finite) value writes nothing (empty field = missing).
// Readers that parse a double and narrow it to float (strtod in from_csv, nlohmann::json, numpy and
// pandas) round twice; a check of every float32 found one value whose shortest decimal then lands
// on its neighbour, ±7.038531e-26 (bits 0x15ae43fd): it is written with 9 significant digits, what
// %.9g wrote for every value, which reads back exactly either way.
void append_value(std::string& out, float value) {
    if (!std::isfinite(value)) return;
    constexpr std::uint32_t kDoubleRoundingBits = 0x15ae43fd;
    char buf[32];
    const bool shortest_misreads = (std::bit_cast<std::uint32_t>(value) & 0x7fffffffu) == kDoubleRoundingBits;
    const auto end = shortest_misreads
                         ? std::to_chars(buf, buf + sizeof buf, double{value}, std::chars_format::general, 9).ptr
                         : std::to_chars(buf, buf + sizeof buf, value).ptr;
    out.append(buf, end);
}

// A row time: seconds with 6 decimals, like printf's %.6f.
void append_time(std::string& out, double seconds) {
    if (!std::isfinite(seconds)) return;
    char buf[352];  // %.6f of the largest double needs 316 characters
    const auto end = std::to_chars(buf, buf + sizeof buf, seconds, std::chars_format::fixed, 6).ptr;
    out.append(buf, end);
}

// Room for the rows of a text form: ~12 characters per value, ~20 per row start.
std::size_t text_size_estimate(const FeatureMatrix& m) { return m.rows() * (m.cols() * 12 + 32) + 4096; }

std::vector<std::string> split_csv_line(const std::string& line) {
    std::vector<std::string> fields;
    std::string field;
    for (char c : line) {
        if (c == ',') {
            fields.push_back(field);
            field.clear();
        } else if (c != '\r') {
            field += c;
        }
    }
    fields.push_back(field);
    return fields;
}

float parse_value(const std::string& field, const std::string& source, size_t line_no) {
    if (field.empty() || lower(field) == "nan") return std::numeric_limits<float>::quiet_NaN();
    char* end = nullptr;
    const double v = std::strtod(field.c_str(), &end);
    if (end == field.c_str() || *end != '\0')
        throw Error(ErrorCode::InvalidData, "line " + std::to_string(line_no) + ": not a number: '" + field + "'",
                    source);
    return static_cast<float>(v);
}

double infer_step(const std::vector<double>& times) {
    if (times.size() < 2) return 1.0;
    std::vector<double> diffs;
    for (size_t i = 1; i < times.size(); ++i) diffs.push_back(times[i] - times[i - 1]);
    std::nth_element(diffs.begin(), diffs.begin() + diffs.size() / 2, diffs.end());
    const double step = diffs[diffs.size() / 2];
    // Times are written with 6 decimals; snap to that precision so 0.1 stays 0.1.
    return std::round(step * 1e6) / 1e6;
}

}  // namespace

FeatureFormat format_for_path(const std::filesystem::path& path) {
    const std::string ext = lower(path.extension().string());
    if (ext == ".csv") return FeatureFormat::Csv;
    if (ext == ".jsonl" || ext == ".json") return FeatureFormat::Jsonl;
    if (ext == ".npy") return FeatureFormat::Npy;
    throw Error(ErrorCode::InvalidArgument,
                "cannot tell the feature file format from the extension '" + ext + "' (use .csv, .jsonl or .npy)",
                path.string());
}

FeatureFormat parse_feature_format(const std::string& name) {
    const std::string n = lower(name);
    if (n == "csv") return FeatureFormat::Csv;
    if (n == "jsonl" || n == "json") return FeatureFormat::Jsonl;
    if (n == "npy") return FeatureFormat::Npy;
    throw Error(ErrorCode::InvalidArgument, "unknown feature format '" + name + "' (expected csv, jsonl or npy)");
}

void validate(const FeatureMatrix& m) {
    const std::string& src = m.source;
    if (!(m.spec.step > 0) || !std::isfinite(m.spec.step))
        throw Error(ErrorCode::InvalidData, "feature step must be > 0", src);
    if (!(m.spec.window > 0) || !std::isfinite(m.spec.window))
        throw Error(ErrorCode::InvalidData, "feature window must be > 0", src);
    if (m.values.size() != m.rows() * m.cols())
        throw Error(ErrorCode::InvalidData,
                    "feature matrix has " + std::to_string(m.values.size()) + " values for " +
                        std::to_string(m.rows()) + " rows x " + std::to_string(m.cols()) + " columns",
                    src);
    std::set<std::string> seen;
    for (const auto& c : m.spec.columns) {
        if (c.empty() || c == "time") throw Error(ErrorCode::InvalidData, "bad feature column name '" + c + "'", src);
        if (c.find_first_of(",\r\n\"") != std::string::npos)
            throw Error(ErrorCode::InvalidData, "feature column name '" + c + "' contains a comma, quote or newline",
                        src);
        if (invalid_utf8_offset(c) != std::string::npos)  // the JSONL header and the .npy sidecar are JSON
            throw Error(ErrorCode::InvalidData, "feature column name is not UTF-8 text", src);
        if (!seen.insert(c).second) throw Error(ErrorCode::InvalidData, "duplicate feature column '" + c + "'", src);
    }
    for (size_t i = 0; i < m.times.size(); ++i) {
        if (!std::isfinite(m.times[i])) throw Error(ErrorCode::InvalidData, "row time is not finite", src);
        if (i > 0 && m.times[i] < m.times[i - 1])
            throw Error(ErrorCode::InvalidData, "row times are not ascending at row " + std::to_string(i), src);
    }
}

std::optional<std::size_t> column_index(const FeatureSpec& spec, const std::string& name) {
    const auto it = std::find(spec.columns.begin(), spec.columns.end(), name);
    if (it == spec.columns.end()) return std::nullopt;
    return static_cast<std::size_t>(it - spec.columns.begin());
}

std::string to_csv(const FeatureMatrix& m) {
    std::string out;
    out.reserve(text_size_estimate(m));
    out += "time";
    for (const auto& c : m.spec.columns) out += "," + c;
    out += '\n';
    for (size_t r = 0; r < m.rows(); ++r) {
        append_time(out, m.times[r]);
        for (size_t c = 0; c < m.cols(); ++c) {
            out += ',';
            append_value(out, m.at(r, c));
        }
        out += '\n';
    }
    return out;
}

FeatureMatrix from_csv(const std::string& text, const std::string& source) {
    std::istringstream in(text);
    std::string line;
    if (!std::getline(in, line)) throw Error(ErrorCode::InvalidData, "empty feature CSV (no header)", source);
    auto header = split_csv_line(line);
    if (header.empty() || header[0] != "time")
        throw Error(ErrorCode::InvalidData, "feature CSV header must start with 'time'", source);
    FeatureMatrix m;
    m.spec.columns.assign(header.begin() + 1, header.end());
    size_t line_no = 1;
    while (std::getline(in, line)) {
        ++line_no;
        if (line.empty() || line == "\r") continue;
        const auto fields = split_csv_line(line);
        if (fields.size() != header.size())
            throw Error(ErrorCode::InvalidData,
                        "line " + std::to_string(line_no) + ": " + std::to_string(fields.size()) + " fields, header has " +
                            std::to_string(header.size()),
                        source);
        const float t = parse_value(fields[0], source, line_no);
        if (!std::isfinite(t))
            throw Error(ErrorCode::InvalidData, "line " + std::to_string(line_no) + ": missing time", source);
        m.times.push_back(std::strtod(fields[0].c_str(), nullptr));
        for (size_t c = 1; c < fields.size(); ++c) m.values.push_back(parse_value(fields[c], source, line_no));
    }
    m.spec.step = infer_step(m.times);
    m.spec.window = m.spec.step;
    FeatureMatrix checked = std::move(m);
    try {
        validate(checked);
    } catch (const Error& e) {
        throw Error(ErrorCode::InvalidData, e.cause(), source);
    }
    return checked;
}

namespace {

// The metadata keys of the JSONL header / .npy sidecar that are not part of the spec.
void put_metadata(nlohmann::json& doc, const FeatureMatrix& m) {
    if (!m.chroma_tuning) return;
    doc["chroma_tuning"] = *m.chroma_tuning;
    doc["chroma_tuning_estimated"] = m.chroma_tuning_estimated;
}

void get_metadata(const nlohmann::json& doc, FeatureMatrix& m) {
    const auto tuning = doc.find("chroma_tuning");
    if (tuning == doc.end() || !tuning->is_number()) return;
    m.chroma_tuning = tuning->get<double>();
    m.chroma_tuning_estimated = doc.value("chroma_tuning_estimated", false);
}

}  // namespace

std::string to_jsonl(const FeatureMatrix& m) {
    nlohmann::json head = {{"format", kFormatName},     {"version", kFormatVersion}, {"source", m.source},
                           {"step", m.spec.step},       {"window", m.spec.window},   {"columns", m.spec.columns},
                           {"rows", m.rows()}};
    put_metadata(head, m);
    std::string out;
    out.reserve(text_size_estimate(m));
    out += head.dump();
    out += '\n';
    for (size_t r = 0; r < m.rows(); ++r) {
        out += "{\"time\":";
        append_time(out, m.times[r]);
        out += ",\"values\":[";
        for (size_t c = 0; c < m.cols(); ++c) {
            if (c) out += ',';
            const float v = m.at(r, c);
            if (std::isfinite(v))
                append_value(out, v);
            else
                out += "null";
        }
        out += "]}\n";
    }
    return out;
}

FeatureMatrix from_jsonl(const std::string& text, const std::string& source) {
    std::istringstream in(text);
    std::string line;
    size_t line_no = 0;
    FeatureMatrix m;
    bool have_head = false;
    size_t declared_rows = 0;
    while (std::getline(in, line)) {
        ++line_no;
        if (line.empty() || line == "\r") continue;
        nlohmann::json doc;
        try {
            doc = nlohmann::json::parse(line);
        } catch (const std::exception& e) {
            throw Error(ErrorCode::InvalidData, "line " + std::to_string(line_no) + ": not JSON: " + e.what(), source);
        }
        try {
            if (!have_head) {
                if (!doc.is_object() || !doc.contains("format") || !doc["format"].is_string() ||
                    doc["format"].get<std::string>() != kFormatName)
                    throw Error(ErrorCode::InvalidData, "first line is not a vidseg.features header", source);
                if (json_integer_or<int>(doc, "version", 0) != kFormatVersion)
                    throw Error(ErrorCode::InvalidData,
                                "unsupported vidseg.features version " + doc.value("version", nlohmann::json()).dump(),
                                source);
                m.source = doc.value("source", std::string());
                m.spec.step = doc.at("step").get<double>();
                m.spec.window = doc.at("window").get<double>();
                m.spec.columns = doc.at("columns").get<std::vector<std::string>>();
                declared_rows = json_integer_or<size_t>(doc, "rows", 0);
                get_metadata(doc, m);
                have_head = true;
                continue;
            }
            m.times.push_back(doc.at("time").get<double>());
            const auto& values = doc.at("values");
            if (!values.is_array() || values.size() != m.spec.columns.size())
                throw Error(ErrorCode::InvalidData,
                            "line " + std::to_string(line_no) + ": expected " + std::to_string(m.spec.columns.size()) +
                                " values",
                            source);
            for (const auto& v : values)
                m.values.push_back(v.is_null() ? std::numeric_limits<float>::quiet_NaN() : json_float(v, "a value"));
        } catch (const nlohmann::json::exception& e) {
            throw Error(ErrorCode::InvalidData, "line " + std::to_string(line_no) + ": " + e.what(), source);
        }
    }
    if (!have_head) throw Error(ErrorCode::InvalidData, "empty feature file (no header line)", source);
    if (declared_rows != m.rows())
        throw Error(ErrorCode::InvalidData,
                    "header declares " + std::to_string(declared_rows) + " rows, file has " + std::to_string(m.rows()) +
                        " (truncated?)",
                    source);
    try {
        validate(m);
    } catch (const Error& e) {
        throw Error(ErrorCode::InvalidData, e.cause(), source);
    }
    return m;
}

namespace {

constexpr const char* kNpyFormatName = "vidseg.features.npy";
constexpr char kNpyMagic[] = "\x93NUMPY";  // 6 bytes, then major and minor version

bool little_endian() {
    const std::uint16_t one = 1;
    unsigned char first = 0;
    std::memcpy(&first, &one, 1);
    return first == 1;
}

}  // namespace

std::filesystem::path npy_sidecar_path(const std::filesystem::path& npy) {
    std::filesystem::path p = npy;
    p += ".json";
    return p;
}

std::string to_npy(const FeatureMatrix& m) {
    if (!little_endian()) throw Error(ErrorCode::Internal, ".npy output is written on little-endian machines only");
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(m.rows()) + ", " +
                         std::to_string(m.cols()) + "), }";
    // Magic (6) + version (2) + header length (2) + header, padded with spaces and ended by '\n' so the
    // data starts at a multiple of 64 bytes (what numpy writes and expects for memory mapping).
    const std::size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header += '\n';
    std::string out(kNpyMagic, 6);
    out += '\x01';
    out += '\x00';
    out += static_cast<char>(header.size() & 0xff);
    out += static_cast<char>(header.size() >> 8);
    out += header;
    const std::size_t offset = out.size();
    out.resize(offset + m.values.size() * sizeof(float));
    if (!m.values.empty()) std::memcpy(out.data() + offset, m.values.data(), m.values.size() * sizeof(float));
    return out;
}

std::string npy_sidecar(const FeatureMatrix& m) {
    nlohmann::json doc = {{"format", kNpyFormatName}, {"version", kFormatVersion}, {"source", m.source},
                          {"step", m.spec.step},      {"window", m.spec.window},   {"columns", m.spec.columns},
                          {"times", m.times},         {"rows", m.rows()},          {"dtype", "float32"}};
    put_metadata(doc, m);
    return doc.dump() + "\n";
}

FeatureMatrix from_npy(const std::string& npy, const std::string& sidecar, const std::string& source) {
    auto bad = [&](const std::string& why) { return Error(ErrorCode::InvalidData, why, source); };
    if (npy.size() < 10 || npy.compare(0, 6, kNpyMagic, 6) != 0) throw bad("not a NumPy .npy file");
    const auto major = static_cast<unsigned char>(npy[6]);
    std::size_t header_len = 0, header_at = 10;
    if (major == 1) {
        header_len = static_cast<unsigned char>(npy[8]) | (static_cast<std::size_t>(static_cast<unsigned char>(npy[9])) << 8);
    } else if (major == 2 || major == 3) {
        if (npy.size() < 12) throw bad("truncated .npy header");
        for (int i = 3; i >= 0; --i) header_len = (header_len << 8) | static_cast<unsigned char>(npy[8 + static_cast<std::size_t>(i)]);
        header_at = 12;
    } else {
        throw bad("unsupported .npy version " + std::to_string(major));
    }
    if (npy.size() < header_at + header_len) throw bad("truncated .npy header");
    const std::string header = npy.substr(header_at, header_len);
    auto has = [&](const std::string& s) { return header.find(s) != std::string::npos; };
    if (!has("'descr': '<f4'")) throw bad(".npy values must be little-endian float32 ('<f4')");
    if (!has("'fortran_order': False")) throw bad(".npy values must be in C order");
    const auto shape_at = header.find("'shape': (");
    if (shape_at == std::string::npos) throw bad(".npy header has no shape");
    std::size_t rows = 0, cols = 0;
    if (std::sscanf(header.c_str() + shape_at, "'shape': (%zu, %zu)", &rows, &cols) != 2)
        throw bad(".npy feature matrix must be 2-dimensional");
    if (cols != 0 && rows > SIZE_MAX / sizeof(float) / cols)
        throw bad(".npy shape (" + std::to_string(rows) + ", " + std::to_string(cols) +
                  ") is impossibly large");
    check_limit(kMaxFeatureValues, rows * cols, source,
                "the .npy matrix (" + std::to_string(rows) + " x " + std::to_string(cols) + ")");
    const std::size_t data_at = header_at + header_len;
    if (npy.size() - data_at != rows * cols * sizeof(float))
        throw bad(".npy has " + std::to_string(npy.size() - data_at) + " data bytes for " + std::to_string(rows) + " x " +
                  std::to_string(cols) + " float32 values");
    FeatureMatrix m;
    try {
        const auto doc = nlohmann::json::parse(sidecar);
        if (doc.value("format", std::string()) != kNpyFormatName) throw bad("sidecar is not a vidseg.features.npy file");
        if (!json_integer_is(doc, "version", kFormatVersion)) throw bad("unsupported vidseg.features.npy version");
        m.source = doc.value("source", std::string());
        m.spec.step = doc.at("step").get<double>();
        m.spec.window = doc.at("window").get<double>();
        m.spec.columns = doc.at("columns").get<std::vector<std::string>>();
        m.times = doc.at("times").get<std::vector<double>>();
        get_metadata(doc, m);
    } catch (const nlohmann::json::exception& e) {
        throw bad(std::string("bad sidecar JSON: ") + e.what());
    }
    if (m.times.size() != rows || m.spec.columns.size() != cols)
        throw bad("sidecar describes " + std::to_string(m.times.size()) + " rows x " + std::to_string(m.spec.columns.size()) +
                  " columns, the .npy matrix is " + std::to_string(rows) + " x " + std::to_string(cols));
    m.values.resize(rows * cols);
    if (!m.values.empty()) std::memcpy(m.values.data(), npy.data() + data_at, m.values.size() * sizeof(float));
    try {
        validate(m);
    } catch (const Error& e) {
        throw Error(ErrorCode::InvalidData, e.cause(), source);
    }
    return m;
}

void write_features(const FeatureMatrix& matrix, const std::filesystem::path& path,
                    std::optional<FeatureFormat> format) {
    validate(matrix);
    const FeatureFormat f = format ? *format : format_for_path(path);
    if (f == FeatureFormat::Npy) {
        write_file_atomic(npy_sidecar_path(path), npy_sidecar(matrix));
        write_file_atomic(path, to_npy(matrix));
        return;
    }
    write_file_atomic(path, f == FeatureFormat::Csv ? to_csv(matrix) : to_jsonl(matrix));
}

FeatureMatrix read_features(const std::filesystem::path& path, std::optional<FeatureFormat> format) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw Error(ErrorCode::InputNotFound, "feature file not found", path.string());
    const FeatureFormat f = format ? *format : format_for_path(path);
    const std::string content = read_limited_file(path);
    if (f == FeatureFormat::Npy) {
        const auto side = npy_sidecar_path(path);
        if (!std::filesystem::is_regular_file(side, ec))
            throw Error(ErrorCode::InputNotFound, "the .npy feature file's sidecar is missing",
                        side.string());
        return from_npy(content, read_limited_file(side), path.string());
    }
    return f == FeatureFormat::Csv ? from_csv(content, path.string()) : from_jsonl(content, path.string());
}

}  // namespace vidseg::features
