#include "vidseg/media/h264_bitstream.hpp"

#include <cstddef>

namespace vidseg::media::h264 {

namespace {
void put_length(std::vector<uint8_t>& out, std::size_t len, int size) {
    for (int i = size - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>((len >> (8 * i)) & 0xff));
}
}  // namespace

AvcConfig parse_avcc(const uint8_t* d, int size) {
    AvcConfig c;
    if (!d || size < 7 || d[0] != 1) return c;  // not avcC (e.g. Annex B extradata)
    c.nal_length_size = (d[4] & 3) + 1;
    int pos = 5;
    for (int pass = 0; pass < 2; ++pass) {  // SPS list, then PPS list
        if (pos >= size) return c;
        const int count = pass == 0 ? (d[pos] & 0x1f) : d[pos];
        ++pos;
        for (int i = 0; i < count; ++i) {
            if (pos + 2 > size) return c;
            const int len = (d[pos] << 8) | d[pos + 1];
            pos += 2;
            if (pos + len > size) return c;
            put_length(c.parameter_sets, static_cast<std::size_t>(len), c.nal_length_size);
            c.parameter_sets.insert(c.parameter_sets.end(), d + pos, d + pos + len);
            pos += len;
        }
    }
    c.valid = true;
    return c;
}

std::vector<uint8_t> annexb_to_length_prefixed(const uint8_t* d, int size, int nal_length_size) {
    std::vector<uint8_t> out;
    out.reserve(static_cast<std::size_t>(size) + 16);
    // Positions just after each start code (00 00 01, possibly preceded by more zeros).
    auto next_start = [&](int from) {
        for (int i = from; i + 2 < size; ++i)
            if (d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1) return i;
        return size;
    };
    int sc = next_start(0);
    while (sc < size) {
        const int begin = sc + 3;
        int next = next_start(begin);
        int end = next;
        while (end > begin && d[end - 1] == 0) --end;  // trailing zeros belong to the next start code
        if (end > begin) {
            put_length(out, static_cast<std::size_t>(end - begin), nal_length_size);
            out.insert(out.end(), d + begin, d + end);
        }
        sc = next;
    }
    return out;
}

bool is_disposable_access_unit(const uint8_t* data, int size, int nal_length_size) {
    if (!data || nal_length_size < 1 || nal_length_size > 4) return false;
    int pos = 0;
    while (pos + nal_length_size < size) {
        uint32_t len = 0;
        for (int k = 0; k < nal_length_size; ++k) len = (len << 8) | data[pos + k];
        pos += nal_length_size;
        if (len == 0 || len > static_cast<uint32_t>(size - pos)) return false;
        const uint8_t header = data[pos];
        const int type = header & 0x1f;
        if (type == 1 || type == 5) return ((header >> 5) & 3) == 0;  // coded slice (non-IDR / IDR)
        pos += static_cast<int>(len);
    }
    return false;
}

}  // namespace vidseg::media::h264
