// encode_image / write_image: decodable JPEG and PNG, crop and scale sizes, exact PNG round trip, errors.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "support/test_support.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/media/image_writer.hpp"

using namespace vidseg;
using namespace vidseg::media;

namespace {

// Smooth picture (what JPEG is made for).
Image smooth(int w, int h) {
    Image img;
    img.width = w;
    img.height = h;
    img.pixels.resize(static_cast<size_t>(w) * h * 3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int c = 0; c < 3; ++c)
                img.pixels[(static_cast<size_t>(y) * w + x) * 3 + c] =
                    static_cast<uint8_t>(128 + 90 * std::sin(x / (25.0 + 10 * c)) * std::cos(y / 30.0 + c));
    return img;
}

Image pattern(int w, int h, PixelLayout layout = PixelLayout::Rgb24) {
    Image img;
    img.width = w;
    img.height = h;
    img.layout = layout;
    img.pixels.resize(static_cast<size_t>(w) * h * img.channels());
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int c = 0; c < img.channels(); ++c)
                img.pixels[(static_cast<size_t>(y) * w + x) * img.channels() + c] =
                    static_cast<uint8_t>((x * 3 + y * 2 + c * 80 + ((x / 16 + y / 16) % 2) * 60) & 0xff);
    return img;
}

std::string decode_raw(const std::string& file, const char* pix_fmt) {
    auto r = vidseg::test::run_shell("ffmpeg -v error -i '" + file + "' -f rawvideo -pix_fmt " + pix_fmt + " -");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
}

std::string size_of(const std::string& file) {
    return vidseg::test::run_shell("ffprobe -v error -show_entries stream=codec_name,width,height -of csv=p=0 '" + file +
                                   "'")
        .out;
}

double psnr(const std::string& a, const std::vector<uint8_t>& b) {
    if (a.size() != b.size()) return 0;
    double se = 0;
    for (size_t i = 0; i < b.size(); ++i) {
        const double d = static_cast<double>(static_cast<uint8_t>(a[i])) - b[i];
        se += d * d;
    }
    return se == 0 ? 99 : 10 * std::log10(255.0 * 255.0 / (se / b.size()));
}

}  // namespace

TEST(ImageWriter, PngRoundTripIsExact) {
    vidseg::test::TempDir dir;
    const Image img = pattern(97, 61);
    write_image(img, (dir / "a.png").string());
    EXPECT_EQ(size_of((dir / "a.png").string()), "png,97,61\n");
    const std::string raw = decode_raw((dir / "a.png").string(), "rgb24");
    EXPECT_EQ(raw, std::string(img.pixels.begin(), img.pixels.end()));
    const Image gray = pattern(50, 40, PixelLayout::Gray8);
    write_image(gray, (dir / "g.png").string());
    EXPECT_EQ(decode_raw((dir / "g.png").string(), "gray"), std::string(gray.pixels.begin(), gray.pixels.end()));
}

TEST(ImageWriter, JpegIsDecodableAndClose) {
    vidseg::test::TempDir dir;
    const Image img = smooth(321, 241);
    write_image(img, (dir / "a.jpg").string());
    EXPECT_EQ(size_of((dir / "a.jpg").string()), "mjpeg,321,241\n");
    EXPECT_GT(psnr(decode_raw((dir / "a.jpg").string(), "rgb24"), img.pixels), 35);
    ImageWriteOptions low;
    low.quality = 5;
    ImageWriteOptions high;
    high.quality = 95;
    EXPECT_LT(encode_image(img, low).size(), encode_image(img, high).size());
    write_image(pattern(64, 48, PixelLayout::Gray8), (dir / "g.jpeg").string());
    EXPECT_EQ(size_of((dir / "g.jpeg").string()), "mjpeg,64,48\n");
    // encode_image defaults to JPEG (SOI marker).
    const auto bytes = encode_image(img, {});
    ASSERT_GT(bytes.size(), 2u);
    EXPECT_EQ(bytes[0], 0xFF);
    EXPECT_EQ(bytes[1], 0xD8);
}

TEST(ImageWriter, CropAndScaleSizes) {
    vidseg::test::TempDir dir;
    const Image img = pattern(320, 240);
    ImageWriteOptions o;
    o.crop = PixelRect{10, 20, 100, 50};
    write_image(img, (dir / "c.png").string(), o);
    EXPECT_EQ(size_of((dir / "c.png").string()), "png,100,50\n");
    // Crop without scaling is exact.
    const std::string raw = decode_raw((dir / "c.png").string(), "rgb24");
    std::string expected;
    for (int y = 20; y < 70; ++y) expected.append(reinterpret_cast<const char*>(img.row(y)) + 30, 300);
    EXPECT_EQ(raw, expected);
    o.width = 40;
    write_image(img, (dir / "c40.jpg").string(), o);
    EXPECT_EQ(size_of((dir / "c40.jpg").string()), "mjpeg,40,20\n");
    ImageWriteOptions s;
    s.height = 60;
    write_image(img, (dir / "h60.png").string(), s);
    EXPECT_EQ(size_of((dir / "h60.png").string()), "png,80,60\n");
    s.width = 33;
    write_image(img, (dir / "both.png").string(), s);
    EXPECT_EQ(size_of((dir / "both.png").string()), "png,33,60\n");
}

TEST(ImageWriter, ClearErrors) {
    vidseg::test::TempDir dir;
    const Image img = pattern(320, 240);
    auto code_of = [](auto&& fn, const std::string& needle) {
        try {
            fn();
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
            return e.code();
        }
        ADD_FAILURE() << "no error";
        return ErrorCode::Internal;
    };
    ImageWriteOptions o;
    o.crop = PixelRect{300, 0, 100, 100};
    EXPECT_EQ(code_of([&] { write_image(img, (dir / "x.jpg").string(), o); }, "outside the 320x240 image"),
              ErrorCode::InvalidArgument);
    o.crop = PixelRect{-1, 0, 10, 10};
    EXPECT_EQ(code_of([&] { encode_image(img, o); }, "crop"), ErrorCode::InvalidArgument);
    EXPECT_EQ(code_of([&] { write_image(img, (dir / "x.bmp").string()); }, "extension"), ErrorCode::InvalidArgument);
    EXPECT_EQ(code_of([&] { encode_image(Image{}, {}); }, "empty"), ErrorCode::InvalidArgument);
    std::ofstream(dir / "file").put('x');
    const std::string bad = (dir / "file" / "x.jpg").string();
    EXPECT_EQ(code_of([&] { write_image(img, bad); }, bad), ErrorCode::OutputError);
    EXPECT_FALSE(std::filesystem::exists(dir / "x.jpg"));
}
