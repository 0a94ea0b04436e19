// Request ids: the x-amzn-RequestId of every answer, in the canonical form of
// a random (version 4) UUID, as AWS sends.
//
// A request id only has to tell requests apart in logs and error reports; it
// guards nothing. So it comes from a per-thread xoshiro256** generator seeded
// once per thread from the system's secure generator, instead of a call into
// OpenSSL's RAND for every request (which costs more than the rest of a
// request's protocol work). 122 random bits make a repeat practically
// impossible. Thread-safe: each thread has its own generator.
#pragma once

#include <string>

namespace ferry::protocol {

std::string NewRequestId();

}  // namespace ferry::protocol
