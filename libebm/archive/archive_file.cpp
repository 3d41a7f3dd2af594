#include "libebm/archive/archive_file.hpp"

#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "libebm/error.hpp"

namespace ebm {

namespace {

constexpr const char* magic = "EBM-ARCHIVE";
constexpr std::size_t max_header_bytes = 4096;

std::uint32_t crc_of(const std::string& data) {
  uLong crc = crc32(0L, Z_NULL, 0);
  const auto* p = reinterpret_cast<const Bytef*>(data.data());
  std::size_t left = data.size();
  while (left > 0) {  // crc32 takes a uInt length
    const uInt n = uInt(std::min<std::size_t>(left, 1u << 30));
    crc = crc32(crc, p, n);
    p += n;
    left -= n;
  }
  return std::uint32_t(crc);
}

[[noreturn]] void bad(const std::string& path, const std::string& message) { throw InputError(path + ": " + message); }

/// Reads the header lines; leaves `in` at the first payload byte.
ArchiveHeader parse_header(const std::string& path, std::istream& in) {
  std::string line;
  std::size_t consumed = 0;
  auto next_line = [&]() -> bool {
    line.clear();
    char c;
    while (in.get(c)) {
      if (++consumed > max_header_bytes) bad(path, "not an ebm archive (no end of header in the first 4096 bytes)");
      if (c == '\n') return true;
      line += c;
    }
    return false;
  };
  if (!next_line() && line.empty()) bad(path, "empty file, not an ebm archive");
  std::istringstream first(line);
  std::string word;
  long long format = -1;
  first >> word >> format;
  if (word != magic) {
    std::string shown = line.substr(0, 16);
    for (char& ch : shown)
      if (static_cast<unsigned char>(ch) < 32 || static_cast<unsigned char>(ch) > 126) ch = '?';
    bad(path, "not an ebm archive (starts with '" + shown + "', expected '" + magic + "')");
  }
  if (format < 1) bad(path, "malformed archive header: bad format version in '" + line + "'");
  if (format > long(ArchiveHeader::current_format))
    bad(path, "archive format " + std::to_string(format) + " is newer than this build of ebm reads (up to " +
                  std::to_string(ArchiveHeader::current_format) + "); use a newer ebm");
  ArchiveHeader h;
  h.format = unsigned(format);
  bool has_size = false, has_crc = false, has_content = false, has_scalar = false, has_encoding = false;
  while (true) {
    if (!next_line()) bad(path, "truncated: the archive header does not end");
    if (line.empty()) break;
    const auto space = line.find(' ');
    if (space == std::string::npos) bad(path, "malformed archive header line '" + line + "'");
    const std::string key = line.substr(0, space), value = line.substr(space + 1);
    if (key == "library") h.library = value;
    else if (key == "content") h.content = value, has_content = true;
    else if (key == "type") h.model_type = value;
    else if (key == "scalar") h.scalar = value, has_scalar = true;
    else if (key == "encoding") {
      try {
        h.encoding = parse_encoding(value);
      } catch (const InputError&) {
        bad(path, "unknown payload encoding '" + value + "' (expected binary, text or xml)");
      }
      has_encoding = true;
    } else if (key == "payload_bytes") {
      try {
        std::size_t used = 0;
        h.payload_bytes = std::stoull(value, &used);
        if (used != value.size()) throw std::invalid_argument(value);
      } catch (const std::exception&) {
        bad(path, "malformed payload size '" + value + "'");
      }
      has_size = true;
    } else if (key == "payload_crc32") {
      try {
        std::size_t used = 0;
        const unsigned long long v = std::stoull(value, &used, 16);
        if (used != value.size() || v > 0xffffffffull) throw std::invalid_argument(value);
        h.payload_crc32 = std::uint32_t(v);
      } catch (const std::exception&) {
        bad(path, "malformed payload checksum '" + value + "'");
      }
      has_crc = true;
    } else {
      bad(path, "unknown archive header field '" + key + "'");
    }
  }
  if (!has_content || !has_scalar || !has_encoding || !has_size || !has_crc)
    bad(path, "malformed archive header: a required field (content, scalar, encoding, payload_bytes, payload_crc32) is missing");
  if (h.content != "model" && h.content != "checkpoint")
    bad(path, "unknown archive content '" + h.content + "' (expected model or checkpoint)");
  if (h.scalar != "float" && h.scalar != "double") bad(path, "unknown scalar type '" + h.scalar + "'");
  return h;
}

}  // namespace

std::string encoding_name(ArchiveEncoding e) {
  switch (e) {
    case ArchiveEncoding::binary: return "binary";
    case ArchiveEncoding::text: return "text";
    case ArchiveEncoding::xml: return "xml";
  }
  return "?";
}

ArchiveEncoding parse_encoding(const std::string& name) {
  if (name == "binary") return ArchiveEncoding::binary;
  if (name == "text") return ArchiveEncoding::text;
  if (name == "xml") return ArchiveEncoding::xml;
  throw InputError("'" + name + "' is not an archive format; expected binary, text or xml");
}

std::string header_text(const ArchiveHeader& h) {
  char crc[16];
  std::snprintf(crc, sizeof crc, "%08x", h.payload_crc32);
  std::ostringstream out;
  out << magic << " " << h.format << "\n"
      << "library " << h.library << "\n"
      << "content " << h.content << "\n"
      << "type " << h.model_type << "\n"
      << "scalar " << h.scalar << "\n"
      << "encoding " << encoding_name(h.encoding) << "\n"
      << "payload_bytes " << h.payload_bytes << "\n"
      << "payload_crc32 " << crc << "\n\n";
  return out.str();
}

ArchiveHeader read_archive_header(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) bad(path, "cannot open");
  return parse_header(path, in);
}

std::string read_archive_payload(const std::string& path, ArchiveHeader& header) {
  std::ifstream in(path, std::ios::binary);
  if (!in) bad(path, "cannot open");
  header = parse_header(path, in);
  const std::streampos start = in.tellg();
  in.seekg(0, std::ios::end);
  const std::uint64_t available = std::uint64_t(in.tellg() - start);
  if (available < header.payload_bytes)
    bad(path, "truncated: the payload has " + std::to_string(available) + " of " +
                  std::to_string(header.payload_bytes) + " bytes");
  if (available > header.payload_bytes)
    bad(path, "corrupted: " + std::to_string(available - header.payload_bytes) + " bytes after the payload");
  in.seekg(start);
  std::string payload(header.payload_bytes, '\0');
  if (!in.read(payload.data(), std::streamsize(payload.size()))) bad(path, "read error");
  if (crc_of(payload) != header.payload_crc32) bad(path, "corrupted: the payload's checksum does not match");
  return payload;
}

void write_archive(const std::string& path, ArchiveHeader header, const std::string& payload) {
  header.library = EBM_VERSION;
  header.payload_bytes = payload.size();
  header.payload_crc32 = crc_of(payload);
  const std::string head = header_text(header);
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  std::FILE* f = std::fopen(temporary.c_str(), "wb");
  if (!f) bad(path, "cannot write (cannot create " + temporary + ")");
  bool ok = std::fwrite(head.data(), 1, head.size(), f) == head.size() &&
            std::fwrite(payload.data(), 1, payload.size(), f) == payload.size() && std::fflush(f) == 0 &&
            ::fsync(fileno(f)) == 0;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) {
    std::remove(temporary.c_str());
    bad(path, "write failed (disk full?); the previous file, if any, is unchanged");
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    bad(path, "cannot replace the file");
  }
}

}  // namespace ebm
