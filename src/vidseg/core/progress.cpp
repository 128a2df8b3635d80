#include "vidseg/core/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace vidseg {

bool stderr_is_terminal() noexcept { return ::isatty(STDERR_FILENO) == 1; }

void TerminalProgress::begin(const std::string& label, double total) {
    std::lock_guard lock(mutex_);
    label_ = label;
    total_ = total;
    done_ = 0;
    active_ = true;
    started_ = std::chrono::steady_clock::now();
    draw(true);
}

void TerminalProgress::update(double done) {
    std::lock_guard lock(mutex_);
    done_ = done;
    draw(false);
}

void TerminalProgress::end() {
    std::lock_guard lock(mutex_);
    if (!active_) return;
    done_ = total_;
    draw(true);
    std::fputc('\n', stderr);
    active_ = false;
}

void TerminalProgress::draw(bool force) {
    auto now = std::chrono::steady_clock::now();
    if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    double elapsed = std::chrono::duration<double>(now - started_).count();
    if (total_ > 0) {
        double frac = done_ / total_;
        if (frac > 1) frac = 1;
        const int width = 30;
        int filled = static_cast<int>(frac * width);
        std::string bar(filled, '#');
        bar.resize(width, '-');
        std::fprintf(stderr, "\r%-18s [%s] %5.1f%%  %6.1fs", label_.c_str(), bar.c_str(), frac * 100, elapsed);
    } else {
        std::fprintf(stderr, "\r%-18s %8.0f  %6.1fs", label_.c_str(), done_, elapsed);
    }
    std::fflush(stderr);
}

}  // namespace vidseg
