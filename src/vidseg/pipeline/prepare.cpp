#include "vidseg/pipeline/prepare.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <future>
#include <mutex>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "vidseg/annotations/label_studio_config.hpp"
#include "vidseg/annotations/pattern_list.hpp"
#include "vidseg/audio/loudness.hpp"
#include "vidseg/audio/wav_writer.hpp"
#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/messages.hpp"
#include "vidseg/core/safe_path.hpp"
#include "vidseg/core/version.hpp"
#include "vidseg/media/audio_reader.hpp"
#include "vidseg/media/frame_reader.hpp"
#include "vidseg/media/image_writer.hpp"
#include "vidseg/media/video_scanner.hpp"
#include "vidseg/timeline/interval.hpp"
#include "vidseg/vision/frame_stats.hpp"
#include "vidseg/vision/scene_cut_detector.hpp"

namespace fs = std::filesystem;

namespace vidseg::pipeline {

namespace {

void require(bool ok, const std::string& option, const std::string& why) {
    if (!ok) throw Error(ErrorCode::InvalidArgument, "option --" + option + ": " + why);
}

// Index of the segment containing t (segments are contiguous and sorted).
int segment_of(const std::vector<timeline::Interval>& segments, double t) {
    auto it = std::upper_bound(segments.begin(), segments.end(), t,
                               [](double v, const timeline::Interval& s) { return v < s.start; });
    if (it == segments.begin()) return -1;
    const int i = static_cast<int>(it - segments.begin()) - 1;
    return t < segments[i].end ? i : -1;
}

// Set when the main job fails, so the analysis threads stop early instead of finishing work
// that will be thrown away (their futures are waited for before the staging dir is removed).
struct AbortFlag {
    std::atomic<bool> raised{false};
    void check() const {
        throw_if_cancelled();
        if (raised.load(std::memory_order_relaxed)) throw Error(ErrorCode::Interrupted, "aborted");
    }
};

struct AbortOnUnwind {
    AbortFlag& flag;
    int exceptions = std::uncaught_exceptions();
    ~AbortOnUnwind() {
        if (std::uncaught_exceptions() > exceptions) flag.raised = true;
    }
};

struct AudioAnalysis {
    std::vector<audio::LoudnessStats> per_segment;
};

// Relative path (to OUT) of segment i's own WAV: its audio in segment time, what its Label Studio
// task plays, so audio labels come back in the same time base as the clip's results.
std::string segment_wav(size_t i) { return "audio/segment_" + std::to_string(i) + ".wav"; }

// Decodes the audio once at the target rate: writes the full-track WAV, slices the same samples
// into one WAV per segment (padded with silence to the segment's exact length where the audio
// stream starts late or ends early) and measures each segment's loudness from a mono mix.
AudioAnalysis analyse_audio(const PrepareConfig& config, const std::vector<timeline::Interval>& segments,
                            const fs::path& stage, const std::string& wav_name, const AbortFlag& abort) {
    AudioAnalysis result;
    result.per_segment.resize(segments.size());
    audio::WavWriter wav(join_under(stage, wav_name).string(), config.audio_sample_rate,
                         config.audio_channels);
    const int channels = config.audio_channels;
    const double rate = config.audio_sample_rate;
    const std::vector<float> silence(4096 * static_cast<size_t>(channels), 0.0f);
    auto write_silence = [&](audio::WavWriter& w, size_t frames) {
        while (frames > 0) {
            const size_t n = std::min<size_t>(frames, 4096);
            w.write(silence.data(), n);
            frames -= n;
        }
    };
    auto frames_until = [&](size_t s, double t) {
        return static_cast<size_t>(std::max(0LL, std::llround((t - segments[s].start) * rate)));
    };
    std::optional<audio::WavWriter> piece;  // the WAV of segment `current`
    std::vector<float> pending;             // its samples not yet written (written in runs, not per sample)
    auto flush = [&] {
        if (piece && !pending.empty()) piece->write(pending.data(), pending.size() / channels);
        pending.clear();
    };
    std::vector<float> mono;
    int current = -1;
    size_t next_piece = 0;  // segments before it have their WAV
    auto finish = [&](int index) {
        if (index >= 0 && !mono.empty())
            result.per_segment[index] =
                audio::loudness(mono.data(), mono.size(), config.audio_sample_rate, config.silence_threshold_db);
        mono.clear();
        flush();
        if (piece) {
            const size_t want = frames_until(index, segments[index].end);
            if (piece->frames_written() < want) write_silence(*piece, want - piece->frames_written());
            piece->close();
            piece.reset();
            next_piece = static_cast<size_t>(index) + 1;
        }
    };
    auto open_piece = [&](size_t s) {
        piece.emplace((stage / segment_wav(s)).string(), config.audio_sample_rate, config.audio_channels);
    };
    media::AudioFormat format{config.audio_sample_rate, config.audio_channels};
    media::stream_audio(config.video, format, [&](const float* samples, size_t frames, double time) {
        abort.check();
        wav.write(samples, frames);
        for (size_t f = 0; f < frames; ++f) {
            const double t = time + f / rate;
            const int s = segment_of(segments, t);
            if (s != current) {
                finish(current);
                // Segments the audio skipped entirely (a gap in the stream) still get their WAV.
                for (size_t gap = next_piece; s >= 0 && gap < static_cast<size_t>(s); ++gap) {
                    open_piece(gap);
                    finish(static_cast<int>(gap));
                }
                current = s;
                if (s >= 0) {
                    open_piece(s);
                    write_silence(*piece, frames_until(s, t));  // the audio starts late in this segment
                }
            }
            if (s < 0) continue;
            pending.insert(pending.end(), samples + f * channels, samples + (f + 1) * channels);
            float v = 0;
            for (int c = 0; c < channels; ++c) v += samples[f * channels + c];
            mono.push_back(v / channels);
        }
        flush();
    });
    finish(current);
    // Segments after the end of the audio stream: silence of their length.
    for (size_t s = next_piece; s < segments.size(); ++s) {
        open_piece(s);
        finish(static_cast<int>(s));
    }
    wav.close();
    return result;
}

struct VideoAnalysis {
    std::vector<double> brightness;  // mean per segment
    std::vector<int> scene_cuts;
};

VideoAnalysis analyse_video(const PrepareConfig& config, const std::vector<timeline::Interval>& segments,
                            const AbortFlag& abort) {
    VideoAnalysis result;
    result.brightness.assign(segments.size(), 0.0);
    result.scene_cuts.assign(segments.size(), 0);
    std::vector<long long> counts(segments.size(), 0);
    vision::SceneCutDetector detector(vision::SceneCutOptions{.threshold = config.scene_threshold});
    media::ScanOptions scan;  // small gray frames; non-reference frames may be skipped
    media::scan_video(config.video, scan, [&](const media::Image& frame) {
        abort.check();
        detector.process(frame);
        const int s = segment_of(segments, frame.time);
        if (s < 0) return;
        result.brightness[s] += vision::mean_brightness(frame);
        ++counts[s];
    });
    detector.flush();
    for (size_t i = 0; i < segments.size(); ++i)
        if (counts[i]) result.brightness[i] /= static_cast<double>(counts[i]);
    for (double cut : detector.cuts()) {
        const int s = segment_of(segments, cut);
        if (s >= 0) ++result.scene_cuts[s];
    }
    return result;
}

std::string csv_escape(const std::string& v) {
    if (v.find_first_of(",\"\n") == std::string::npos) return v;
    std::string out = "\"";
    for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

nlohmann::json segment_json(const PreparedSegment& s) {
    const auto& f = s.features;
    nlohmann::json features = {{"scene_cuts", f.scene_cuts},
                               {"brightness", f.brightness},
                               {"sharpness", f.sharpness}};
    if (f.has_audio) {
        features["rms_db"] = f.rms_db;
        features["silence_ratio"] = f.silence_ratio;
    } else {
        features["rms_db"] = nullptr;
        features["silence_ratio"] = nullptr;
    }
    return {{"segment", s.index},         {"start", s.start},       {"end", s.end},
            {"actual_start", s.actual_start}, {"actual_end", s.actual_end}, {"frames", s.frames},
            {"clip", s.clip},              {"audio", s.audio.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.audio)},
            {"keyframe", s.keyframe}, {"keyframe_time", s.keyframe_time},
            {"features", features}};
}

std::string features_csv(const std::vector<PreparedSegment>& segments) {
    std::ostringstream out;
    out.precision(6);
    out << "segment,start,end,actual_start,actual_end,clip,keyframe,rms_db,silence_ratio,scene_cuts,brightness,"
           "sharpness\n";
    for (const auto& s : segments) {
        out << s.index << ',' << s.start << ',' << s.end << ',' << s.actual_start << ',' << s.actual_end << ','
            << csv_escape(s.clip) << ',' << csv_escape(s.keyframe) << ',';
        if (s.features.has_audio)
            out << s.features.rms_db << ',' << s.features.silence_ratio;
        else
            out << ',';
        out << ',' << s.features.scene_cuts << ',' << s.features.brightness << ',' << s.features.sharpness << '\n';
    }
    return out.str();
}

}  // namespace

PrepareConfig validated(PrepareConfig c) {
    require(!c.video.empty(), "video", "no input video given");
    require(c.segment_seconds > 0 && std::isfinite(c.segment_seconds), "segment", "must be a positive number of seconds");
    require(c.keyframe_quality >= 1 && c.keyframe_quality <= 100, "quality", "must be in 1..100");
    require(c.keyframe_width >= 0, "keyframe-width", "must be >= 0");
    require(c.audio_sample_rate >= 1000 && c.audio_sample_rate <= 384000, "audio-rate", "must be in 1000..384000");
    require(c.audio_channels >= 1 && c.audio_channels <= 8, "audio-channels", "must be in 1..8");
    require(c.crf >= 0 && c.crf <= 51, "crf", "must be in 0..51");
    if (c.out_dir.empty()) {
        fs::path v(c.video);
        c.out_dir = (v.parent_path() / safe_file_name(v.stem().string() + "_prepared")).string();
    }
    return c;
}

PrepareReport prepare(const PrepareConfig& input_config) {
    const auto started = std::chrono::steady_clock::now();
    const PrepareConfig config = validated(input_config);
    PrepareReport report;
    report.input = media::probe(config.video);
    const media::MediaInfo& info = report.input;
    const media::StreamInfo* video = info.video();
    if (!video)
        throw Error(ErrorCode::InvalidMedia,
                    "has no video stream; prepare needs a video (use 'vidseg audio' for audio-only files)",
                    config.video);
    // Segments cover the picture; sound that outlasts it is reported, and kept whole in the lesson's WAV.
    const double picture = media::picture_end(info);
    if (config.segment_seconds > picture)
        throw Error(ErrorCode::InvalidArgument,
                    "segment length " + std::to_string(config.segment_seconds) + " s is longer than the video (" +
                        std::to_string(picture) + " s)",
                    config.video);
    if (const std::string w = media::sound_past_picture_note(info, Messages().text(Msg::WhatSegments));
        !w.empty())
        report.warnings.push_back(w);
    const bool has_audio = info.audio() != nullptr;
    // Warnings in English (the JSON report, the server's job log); the console shows them translated.
    if (!has_audio) report.warnings.push_back(Messages().text(Msg::WarnNoAudioTrack));
    if (video->variable_frame_rate) report.warnings.push_back(Messages().text(Msg::WarnVariableFrameRate));

    // Patterns first: a bad patterns file should fail before any heavy work.
    const auto patterns = config.patterns_path.empty() ? annotations::default_patterns()
                                                       : annotations::read_patterns(config.patterns_path);

    const auto segments = timeline::fixed_segments(picture, config.segment_seconds,
                                                   video->fps > 0 ? 1.0 / video->fps : 0.04);
    AtomicOutputDir out(config.out_dir);
    report.out_dir = out.destination().string();
    const fs::path stage = out.staging();
    fs::create_directories(stage / "part_films");
    fs::create_directories(stage / "processed_data");
    const std::string stem = fs::path(config.video).stem().string();

    // Audio (WAV + loudness) and the video feature scan run beside the cutting: they read the
    // file independently and keep the second core busy while the cutter stream-copies.
    AbortFlag abort_flag;
    std::future<AudioAnalysis> audio_job;
    if (has_audio) {
        report.audio_wav = safe_file_name(stem) + ".wav";  // an uploaded file's name: no "-x", "\n" in OUT
        fs::create_directories(stage / "audio");
        audio_job = std::async(std::launch::async, analyse_audio, std::cref(config), std::cref(segments), stage,
                               report.audio_wav, std::cref(abort_flag));
    }
    std::future<VideoAnalysis> video_job;
    if (config.features) video_job = std::async(std::launch::async, analyse_video, std::cref(config), std::cref(segments),
                               std::cref(abort_flag));
    AbortOnUnwind abort_on_unwind{abort_flag};

    // Clips.
    const std::string ext = media::clip_extension(info.container, video->codec, config.mode);
    std::vector<media::ClipSpec> clips;
    for (size_t i = 0; i < segments.size(); ++i) {
        const std::string rel = "part_films/segment_" + std::to_string(i) + ext;
        clips.push_back({segments[i].start, segments[i].end, (stage / rel).string()});
        PreparedSegment s;
        s.index = static_cast<int>(i);
        s.start = segments[i].start;
        s.end = segments[i].end;
        s.clip = rel;
        if (has_audio) s.audio = segment_wav(i);
        s.keyframe = "processed_data/segment_" + std::to_string(i) + "_keyframe.jpg";
        s.keyframe_time = s.start + (s.end - s.start) / 2;
        report.segments.push_back(std::move(s));
    }
    media::CutOptions cut_options;
    cut_options.mode = config.mode;
    cut_options.crf = config.crf;
    cut_options.preset = config.preset;
    cut_options.progress = config.progress;
    const auto results = media::cut_clips(config.video, clips, cut_options);
    for (size_t i = 0; i < results.size() && i < report.segments.size(); ++i) {
        report.segments[i].actual_start = results[i].actual_start;
        report.segments[i].actual_end = results[i].actual_end;
        report.segments[i].frames = results[i].frames;
    }

    // Keyframes at the middle of each segment: one pass over the sorted times.
    {
        std::vector<double> times;
        for (const auto& s : report.segments) times.push_back(std::min(s.keyframe_time, picture));
        media::FrameReaderOptions reader_options;
        reader_options.max_width = config.keyframe_width;
        reader_options.nearest_keyframe = config.nearest_keyframe;
        media::FrameReader reader(config.video, reader_options);
        media::ImageWriteOptions image_options;
        image_options.quality = config.keyframe_quality;
        std::mutex mutex;
        if (config.progress) config.progress->begin("keyframes", static_cast<double>(times.size()));
        size_t done = 0;
        reader.read_many(times, [&](size_t i, const media::Image& image) {
            const double sharpness = vision::sharpness(image);
            media::write_image(image, (stage / report.segments[i].keyframe).string(), image_options);
            std::lock_guard lock(mutex);
            report.segments[i].features.sharpness = sharpness;
            report.segments[i].keyframe_time = image.time;
            if (config.progress) config.progress->update(static_cast<double>(++done));
        });
        if (config.progress) config.progress->end();
    }

    if (audio_job.valid()) {
        const auto audio = audio_job.get();
        for (size_t i = 0; i < report.segments.size(); ++i) {
            auto& f = report.segments[i].features;
            f.has_audio = true;
            f.rms_db = audio.per_segment[i].rms_db;
            f.silence_ratio = audio.per_segment[i].silence_ratio;
        }
    }
    if (video_job.valid()) {
        const auto video_features = video_job.get();
        for (size_t i = 0; i < report.segments.size(); ++i) {
            report.segments[i].features.brightness = video_features.brightness[i];
            report.segments[i].features.scene_cuts = video_features.scene_cuts[i];
        }
    }
    throw_if_cancelled();

    // Features.
    {
        std::string jsonl;
        for (const auto& s : report.segments) jsonl += segment_json(s).dump() + "\n";
        write_file_atomic(stage / "processed_data/features.jsonl", jsonl);
        write_file_atomic(stage / "processed_data/features.csv", features_csv(report.segments));
    }

    // Label Studio import files.
    {
        // Local-files URLs name OUT's own folder: Label Studio's document root is OUT's parent and one
        // local storage points at OUT itself (it refuses a storage at the document root).
        auto out_folder = out.destination().lexically_normal();
        if (out_folder.filename().empty()) out_folder = out_folder.parent_path();  // "OUT/"
        const std::string url_prefix = config.base_url.empty() ? out_folder.filename().string() + "/" : std::string();
        std::vector<annotations::SegmentTask> tasks;
        for (const auto& s : report.segments) {
            annotations::SegmentTask t;
            t.index = s.index;
            t.start = s.start;
            t.end = s.end;
            t.video_url = annotations::media_url(config.base_url, url_prefix + s.clip);
            // The segment's own WAV, not the lesson's: every result of a task is then in segment time.
            t.audio_url = s.audio.empty() ? "" : annotations::media_url(config.base_url, url_prefix + s.audio);
            t.keyframe_url = annotations::media_url(config.base_url, url_prefix + s.keyframe);
            t.fps = video->fps;
            t.features = segment_json(s)["features"];
            tasks.push_back(std::move(t));
        }
        write_file_atomic(stage / "tasks.json", annotations::make_tasks(tasks, stem).dump(2) + "\n");
        write_file_atomic(stage / "label_config.xml", annotations::segment_label_config(patterns));
    }

    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    report.files = {"part_films/", "processed_data/", "tasks.json", "label_config.xml", "manifest.json"};
    if (has_audio) {
        report.files.push_back(report.audio_wav);
        report.files.push_back("audio/");
    }
    write_file_atomic(stage / "manifest.json", to_json(report).dump(2) + "\n");
    out.commit();
    return report;
}

nlohmann::json to_json(const PrepareReport& report) {
    nlohmann::json segments = nlohmann::json::array();
    for (const auto& s : report.segments) segments.push_back(segment_json(s));
    return {{"vidseg_version", version()},
            {"out_dir", report.out_dir},
            {"input", media::to_json(report.input)},
            {"audio", report.audio_wav.empty() ? nlohmann::json(nullptr) : nlohmann::json(report.audio_wav)},
            {"files", report.files},
            {"warnings", report.warnings},
            {"seconds", report.seconds},
            {"segments", segments}};
}

}  // namespace vidseg::pipeline
