// cpp-httplib, included with the settings Debian's libcpp-httplib.so was compiled with. Every source
// of vidseg includes httplib.h through this header only, so every translation unit (libvidseg, the CLI,
// tests, fuzzers) sees the same definitions, whatever the target's flags.
//
// CPPHTTPLIB_USE_POLL: the library waits for its sockets with poll(), not select(), whose fd_set
// cannot hold a descriptor >= FD_SETSIZE (1024): with select() a server holding more than ~1000
// connections answered none of the later ones. Debian's 0.11.4 is built with it (select_read() /
// select_write() in the .so call poll, `nm -D` shows no select import); on Linux the macro only adds
// <poll.h> to the header's includes, so the objects compile the same and the two agree.
// (tests/python/test_server_api.py, test_more_than_1024_connections_are_served.)
#pragma once

#ifndef CPPHTTPLIB_USE_POLL
#define CPPHTTPLIB_USE_POLL
#endif
#include <httplib.h>
