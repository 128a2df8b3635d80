// Progress reporting for long work. Library code receives a Progress& and calls advance();
// the CLI decides whether it draws a bar (stderr is a terminal) or stays quiet (piped, --quiet).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace vidseg {

class Progress {
public:
    virtual ~Progress() = default;
    // Starts a new phase with a label and a total amount of work (0 = unknown).
    virtual void begin(const std::string& label, double total) = 0;
    // Sets the amount done so far in the current phase.
    virtual void update(double done) = 0;
    virtual void end() = 0;
};

// Does nothing: the default for library calls and piped output.
class NullProgress final : public Progress {
public:
    void begin(const std::string&, double) override {}
    void update(double) override {}
    void end() override {}
};

// Draws a single-line bar on stderr, redrawn at most 10 times a second.
class TerminalProgress final : public Progress {
public:
    void begin(const std::string& label, double total) override;
    void update(double done) override;
    void end() override;

private:
    void draw(bool force);
    std::mutex mutex_;
    std::string label_;
    double total_ = 0;
    double done_ = 0;
    bool active_ = false;
    std::chrono::steady_clock::time_point started_{};
    std::chrono::steady_clock::time_point last_draw_{};
};

// True when stderr is an interactive terminal.
bool stderr_is_terminal() noexcept;

}  // namespace vidseg
