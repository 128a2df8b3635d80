// Where a Python worker of vidseg and the Python of its venv are found (the faster-whisper worker,
// the Hugging Face Hub worker): a configured value, then an environment variable, then the places a
// build tree or an install put them next to the running executable.
#pragma once

#include <string>

namespace vidseg::asr {

// configured, $env_var, <bin>/<venv>/bin/python, <bin>/../build/<venv>/bin/python,
// <bin>/build/<venv>/bin/python (<bin> = the running executable's folder and its parent), "python3".
std::string find_venv_python(const std::string& configured, const char* env_var, const std::string& venv);

// configured, $env_var, <bin>/<name>, <bin>/../share/vidseg/<name>, <bin>/../src/vidseg/<source_dir>/<name>.
// Throws Error(InputNotFound) when a configured or variable path is missing, Error(Unsupported) naming
// the places looked at when none exists (`what` names the worker, `option` the flag that sets it).
std::string find_worker_file(const std::string& configured, const char* env_var, const std::string& name,
                             const std::string& source_dir, const std::string& what, const std::string& option);

}  // namespace vidseg::asr
