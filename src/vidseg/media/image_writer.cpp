#include "vidseg/media/image_writer.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "vidseg/core/error.hpp"
#include "vidseg/media/ffmpeg_util.hpp"

namespace vidseg::media {

namespace {

std::string rect_text(const PixelRect& r) {
    return std::to_string(r.x) + "," + std::to_string(r.y) + "," + std::to_string(r.width) + "," +
           std::to_string(r.height);
}

}  // namespace

std::optional<ImageFormat> image_format_from_extension(const std::string& extension) {
    std::string e = extension;
    if (!e.empty() && e[0] == '.') e.erase(0, 1);
    std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (e == "jpg" || e == "jpeg") return ImageFormat::Jpeg;
    if (e == "png") return ImageFormat::Png;
    return std::nullopt;
}

std::pair<int, int> image_output_size(int in_w, int in_h, const ImageWriteOptions& options) {
    int w = in_w, h = in_h;
    if (options.crop) {
        const PixelRect& r = *options.crop;
        if (r.width <= 0 || r.height <= 0 || r.x < 0 || r.y < 0 || r.x > in_w - r.width || r.y > in_h - r.height)
            throw Error(ErrorCode::InvalidArgument, "crop " + rect_text(r) + " (x,y,w,h) is outside the " +
                                                        std::to_string(in_w) + "x" + std::to_string(in_h) + " image");
        w = r.width;
        h = r.height;
    }
    if (options.width < 0 || options.height < 0)
        throw Error(ErrorCode::InvalidArgument, "image width/height must be >= 0");
    if (options.width > 0 && options.height > 0) return {options.width, options.height};
    if (options.width > 0)
        return {options.width, std::max(1, static_cast<int>(std::lround(static_cast<double>(h) * options.width / w)))};
    if (options.height > 0)
        return {std::max(1, static_cast<int>(std::lround(static_cast<double>(w) * options.height / h))), options.height};
    return {w, h};
}

std::vector<uint8_t> encode_image(const Image& image, const ImageWriteOptions& options) {
    quiet_ffmpeg_logs();
    if (image.empty() || image.pixels.size() < static_cast<size_t>(image.width) * image.height * image.channels())
        throw Error(ErrorCode::InvalidArgument, "cannot encode an empty image");
    if (options.quality < 1 || options.quality > 100)
        throw Error(ErrorCode::InvalidArgument, "JPEG quality must be in 1..100, got " + std::to_string(options.quality));
    const ImageFormat format = options.format.value_or(ImageFormat::Jpeg);
    const auto [ow, oh] = image_output_size(image.width, image.height, options);
    const PixelRect crop = options.crop.value_or(PixelRect{0, 0, image.width, image.height});
    const int ch = image.channels();
    const AVPixelFormat src_fmt = image.layout == PixelLayout::Rgb24 ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_GRAY8;
    const AVPixelFormat dst_fmt = format == ImageFormat::Png ? src_fmt : AV_PIX_FMT_YUVJ420P;

    // Opening an encoder allocates and initialises several MB of state at 1080p; keyframe extraction
    // writes many images of one size from each worker thread, so each thread keeps its last encoder,
    // frame and scaler and reuses them while the parameters stay the same. Both encoders are intra-only
    // and have no delay: every frame sent yields its packet at once, so the encoder is never drained.
    struct Cached {
        CodecContextPtr ctx;
        FramePtr frame;
        SwsPtr sws;
        PacketPtr pkt;
        int w = 0, h = 0, q = -1, src_w = 0, src_h = 0;
        AVPixelFormat src = AV_PIX_FMT_NONE, dst = AV_PIX_FMT_NONE;
        ImageFormat format = ImageFormat::Jpeg;
    };
    thread_local Cached cache;
    const int q = format == ImageFormat::Jpeg
                      ? static_cast<int>(std::lround(31.0 - (options.quality - 1) * 30.0 / 99.0))
                      : 0;
    if (!cache.ctx || cache.w != ow || cache.h != oh || cache.dst != dst_fmt || cache.q != q ||
        cache.format != format) {
        cache = Cached{};
        const AVCodec* codec = avcodec_find_encoder(format == ImageFormat::Png ? AV_CODEC_ID_PNG : AV_CODEC_ID_MJPEG);
        if (!codec)
            throw Error(ErrorCode::Unsupported, format == ImageFormat::Png ? "no PNG encoder" : "no JPEG encoder");
        CodecContextPtr ctx(avcodec_alloc_context3(codec));
        if (!ctx) throw Error(ErrorCode::Internal, "out of memory (avcodec_alloc_context3)");
        ctx->width = ow;
        ctx->height = oh;
        ctx->pix_fmt = dst_fmt;
        ctx->time_base = AVRational{1, 25};
        ctx->thread_count = 1;
        FramePtr frame = make_frame();
        frame->width = ow;
        frame->height = oh;
        frame->format = dst_fmt;
        if (format == ImageFormat::Jpeg) {
            ctx->flags |= AV_CODEC_FLAG_QSCALE;
            ctx->global_quality = q * FF_QP2LAMBDA;
            ctx->qmin = 1;
            ctx->qmax = 31;
            ctx->color_range = AVCOL_RANGE_JPEG;
            frame->quality = ctx->global_quality;
            frame->color_range = AVCOL_RANGE_JPEG;
            // Standard Huffman tables: one pass instead of two (optimal tables save ~3 % size, cost ~30 % time).
            av_opt_set(ctx->priv_data, "huffman", "default", 0);
        }
        check_av(avcodec_open2(ctx.get(), codec, nullptr), "cannot open image encoder", "", ErrorCode::Internal);
        check_av(av_frame_get_buffer(frame.get(), 0), "cannot allocate image", "", ErrorCode::Internal);
        cache.ctx = std::move(ctx);
        cache.frame = std::move(frame);
        cache.pkt = make_packet();
        cache.w = ow;
        cache.h = oh;
        cache.q = q;
        cache.dst = dst_fmt;
        cache.format = format;
    }
    AVCodecContext* ctx = cache.ctx.get();
    AVFrame* frame = cache.frame.get();
    check_av(av_frame_make_writable(frame), "cannot allocate image", "", ErrorCode::Internal);

    const size_t src_stride = static_cast<size_t>(image.width) * ch;
    const uint8_t* src = image.pixels.data() + static_cast<size_t>(crop.y) * src_stride + static_cast<size_t>(crop.x) * ch;
    if (dst_fmt == src_fmt && ow == crop.width && oh == crop.height) {
        for (int y = 0; y < oh; ++y)
            std::memcpy(frame->data[0] + static_cast<size_t>(y) * frame->linesize[0], src + y * src_stride,
                        static_cast<size_t>(ow) * ch);
    } else {
        const bool scaled = ow != crop.width || oh != crop.height;
        if (!cache.sws || cache.src != src_fmt || cache.src_w != crop.width || cache.src_h != crop.height) {
            cache.sws.reset(sws_getContext(crop.width, crop.height, src_fmt, ow, oh, dst_fmt,
                                           scaled ? SWS_BICUBIC : SWS_POINT, nullptr, nullptr, nullptr));
            if (!cache.sws) throw Error(ErrorCode::Internal, "cannot set up image scaling");
            cache.src = src_fmt;
            cache.src_w = crop.width;
            cache.src_h = crop.height;
        }
        const uint8_t* src_data[4] = {src, nullptr, nullptr, nullptr};
        const int src_lines[4] = {static_cast<int>(src_stride), 0, 0, 0};
        sws_scale(cache.sws.get(), src_data, src_lines, 0, crop.height, frame->data, frame->linesize);
    }
    std::vector<uint8_t> bytes;
    try {
        check_av(avcodec_send_frame(ctx, frame), "cannot encode image", "", ErrorCode::Internal);
        AVPacket* pkt = cache.pkt.get();
        while (avcodec_receive_packet(ctx, pkt) == 0) {
            bytes.insert(bytes.end(), pkt->data, pkt->data + pkt->size);
            av_packet_unref(pkt);
        }
    } catch (...) {
        cache = Cached{};  // never reuse an encoder in an unknown state
        throw;
    }
    if (bytes.empty()) throw Error(ErrorCode::Internal, "image encoder produced no data");
    return bytes;
}

void write_image(const Image& image, const std::string& path, const ImageWriteOptions& options) {
    namespace fs = std::filesystem;
    ImageWriteOptions opts = options;
    if (!opts.format) {
        opts.format = image_format_from_extension(fs::path(path).extension().string());
        if (!opts.format)
            throw Error(ErrorCode::InvalidArgument, "unknown image extension (use .jpg, .jpeg or .png)", path);
    }
    const std::vector<uint8_t> bytes = encode_image(image, opts);
    static std::atomic<unsigned> counter{0};
    const fs::path target(path);
    const fs::path tmp = (target.has_parent_path() ? target.parent_path() : fs::path(".")) /
                         ("." + target.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                          std::to_string(counter++));
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw Error(ErrorCode::OutputError, std::string("cannot open for writing: ") + std::strerror(errno), path);
    bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    ok = std::fclose(f) == 0 && ok;
    std::error_code ec;
    if (!ok) {
        fs::remove(tmp, ec);
        throw Error(ErrorCode::OutputError, "write failed (disk full?)", path);
    }
    fs::rename(tmp, target, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        throw Error(ErrorCode::OutputError, "cannot move into place: " + ec.message(), path);
    }
}

}  // namespace vidseg::media
