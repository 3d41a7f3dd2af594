// CheckedIArchive: the checks Boost.Serialization 1.74 leaves out when it
// reads an archive, added to its binary, text and XML input archives (the
// concrete classes are in libebm/archive/input_archives.hpp).  Every ebm
// payload is read through one of them, so a crafted payload (the CRC-32 in
// the archive header only stops accidental damage: anyone can recompute it)
// ends in one InputError instead of a crash, a leak or a huge allocation.
// See docs/fuzzing.md (findings F2-F4) and docs/archives.md.
//
// What Boost trusts and what is checked here:
//
//  * Lengths (F3).  A string's length and a collection's element count are
//    read from the payload and handed to std::string::resize /
//    std::vector::reserve before any element is read: 9 bytes asked for
//    8 GiB.  Here no string can be longer, and no collection can have more
//    elements, than the payload has bytes left (every element of every type
//    ebm archives takes at least one byte in each encoding).
//
//  * Class ids (F4).  basic_iarchive_impl::load_pointer indexes its table
//    of classes with the id from the payload: a negative id, or one past the
//    next free id, reads and writes outside the table.  Here the table is
//    mirrored (register_basic_serializer, load_object and the class names
//    below are the only ways Boost adds to it), and a class id must be -1
//    (null pointer), a class already in the table that can be loaded
//    through a pointer, or exactly the next id for a class named in the
//    payload that is not in the table yet (else Boost would register it
//    under another id and then index with this one).  A class name must be
//    exported and loadable through this archive type.
//
//  * Object ids.  ebm archives never hold one object twice (blocks are
//    owned by unique_ptrs), so an object id must be exactly the next one: a
//    back reference would alias an object (F5) or, through a pointer to
//    another type, hand out an object of the wrong class.
//
//  * Ownership (F2).  Boost stores a new object in the caller's pointer
//    before reading it and does not free it when reading throws, and
//    unique_ptr's loader adopts the pointer only after a successful read.
//    Here each pointer load records the object Boost constructed (the first
//    load_object of its class inside that load_pointer) and destroys it
//    through its serializer (the right dynamic type) when the load throws;
//    a pointer load that fails after load_pointer returned (Boost's upcast
//    to the declared type, an XML end tag) destroys the object just loaded.
//
// Hooks: Boost calls load_override / load / load_object / load_pointer /
// register_basic_serializer on the most derived archive type (CRTP), and the
// class and object ids through the virtual vload() functions, so defining
// them here replaces Boost's for these archives without touching Boost.
#pragma once

#include <cstdint>
#include <istream>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/archive/basic_archive.hpp>
#include <boost/archive/detail/archive_serializer_map.hpp>
#include <boost/archive/detail/basic_iserializer.hpp>
#include <boost/archive/detail/basic_pointer_iserializer.hpp>
#include <boost/serialization/collection_size_type.hpp>
#include <boost/serialization/extended_type_info.hpp>
#include <boost/serialization/nvp.hpp>

#include "libebm/archive/archive_file.hpp"
#include "libebm/error.hpp"

namespace ebm::archive_detail {

/// True for `T*` and nvp<T*>: the loads that may leave an object behind.
template <class T>
struct is_pointer_load : std::is_pointer<std::remove_cv_t<T>> {};
template <class T>
struct is_pointer_load<boost::serialization::nvp<T>> : std::is_pointer<T> {};
template <class T>
struct is_pointer_load<const boost::serialization::nvp<T>> : std::is_pointer<T> {};

/// Derived: the concrete archive (CRTP); Base: Boost's *_iarchive_impl<Derived>.
template <class Derived, class Base, ArchiveEncoding encoding>
class CheckedIArchive : public Base {
 public:
  using basic_iserializer = boost::archive::detail::basic_iserializer;
  using basic_pointer_iserializer = boost::archive::detail::basic_pointer_iserializer;
  using basic_iarchive = boost::archive::detail::basic_iarchive;
  using finder_type = const basic_pointer_iserializer* (*)(const boost::serialization::extended_type_info&);

  /// `in` must read a payload of `payload_bytes` bytes from position 0
  /// (read_payload's istringstream).  The header is read by Derived.
  CheckedIArchive(std::istream& in, std::uint64_t payload_bytes, unsigned flags)
      : Base(in, flags), stream_(in), payload_bytes_(payload_bytes) {}

  /// Bytes of the payload not read yet.
  std::uint64_t remaining_bytes() {
    const std::streampos pos = stream_.rdbuf()->pubseekoff(0, std::ios_base::cur, std::ios_base::in);
    if (pos == std::streampos(std::streamoff(-1))) return payload_bytes_;  // unknown: the whole payload
    const auto read = std::uint64_t(std::streamoff(pos));
    return read > payload_bytes_ ? 0 : payload_bytes_ - read;
  }

  /// Reads what follows the last item (only XML has a trailer); read_payload
  /// calls it after the body.
  void finish() {}

  // --- called by Boost on the most derived archive type -------------------

  template <class T>
  void load_override(T& t) {
    if constexpr (is_pointer_load<T>::value) {
      completed_ = {};
      try {
        Base::load_override(t);
      } catch (...) {
        // Thrown after load_pointer succeeded (upcast, XML end tag): the
        // caller never received the object.
        if (completed_.object) completed_.bis->destroy(completed_.object);
        completed_ = {};
        throw;
      }
    } else {
      Base::load_override(t);
    }
  }
  void load_override(boost::serialization::collection_size_type& t) {
    Base::load_override(t);
    check_count(t);
  }

  using Base::load;
  void load(std::string& s) {
    if constexpr (encoding == ArchiveEncoding::binary) {
      std::size_t n = 0;
      Base::load(n);
      check_length(n);
      s.resize(n);
      if (n) this->load_binary(&s[0], n);
    } else if constexpr (encoding == ArchiveEncoding::text) {
      std::size_t n = 0;
      Base::load(n);
      this->is.get();  // the space between length and characters
      check_length(n);
      s.resize(n);
      if (n) this->is.read(&s[0], std::streamsize(n));
    } else {  // XML strings are parsed character by character: bounded by the input
      Base::load(s);
    }
  }
  void load(boost::serialization::collection_size_type& t) {
    Base::load(t);
    check_count(t);
  }
  /// A binary bool is one byte; any value but 0 or 1 would be read into
  /// the bool as is, which is undefined behaviour (fuzz finding F11).
  void load(bool& b) {
    if constexpr (encoding == ArchiveEncoding::binary) {
      unsigned char byte = 0;
      this->load_binary(&byte, 1);
      if (byte > 1) fail("a bool stored as " + std::to_string(unsigned(byte)) + " (expected 0 or 1)");
      b = byte == 1;
    } else {
      Base::load(b);
    }
  }

  void register_basic_serializer(const basic_iserializer& bis) {
    note_class(bis);
    basic_iarchive::register_basic_serializer(bis);
  }

  void load_object(void* t, const basic_iserializer& bis) {
    note_class(bis);
    // The first object of the pointer's class loaded inside load_pointer is
    // the one Boost has just constructed on the heap.
    if (!frames_.empty() && !frames_.back().object && frames_.back().bis == &bis) frames_.back().object = t;
    basic_iarchive::load_object(t, bis);
  }

  const basic_pointer_iserializer* load_pointer(void*& t, const basic_pointer_iserializer* bpis, finder_type finder) {
    frames_.push_back(Frame{bpis, nullptr, nullptr});
    const basic_pointer_iserializer* result = nullptr;
    try {
      result = basic_iarchive::load_pointer(t, bpis, finder);
    } catch (...) {
      const Frame f = frames_.back();
      frames_.pop_back();
      if (f.object) f.bis->destroy(f.object);
      t = nullptr;
      completed_ = {};
      throw;
    }
    const Frame f = frames_.back();
    frames_.pop_back();
    completed_ = Completed{f.object, f.bis};
    return result;
  }

 private:
  struct Frame {
    const basic_pointer_iserializer* declared;  ///< the pointer's declared class; null if abstract
    const basic_iserializer* bis;               ///< the class being loaded, once its id is read
    void* object;                               ///< the object Boost constructed, once known
  };
  struct Completed {
    void* object = nullptr;
    const basic_iserializer* bis = nullptr;
  };

  Derived& self() { return static_cast<Derived&>(*this); }

  [[noreturn]] void fail(const std::string& what) {
    throw InputError("corrupted archive payload: " + what);
  }

  void check_length(std::uint64_t n) {
    if (n > remaining_bytes())
      fail("a string of " + std::to_string(n) + " characters, but only " + std::to_string(remaining_bytes()) +
           " bytes are left");
  }
  void check_count(std::uint64_t n) {
    if (n > remaining_bytes())
      fail("a collection of " + std::to_string(n) + " elements, but only " + std::to_string(remaining_bytes()) +
           " bytes are left");
  }

  /// Mirrors basic_iarchive_impl::register_type: a class gets the next id
  /// the first time it is seen (classes are ordered by their type info).
  void note_class(const basic_iserializer& bis) {
    if (class_ids_.emplace(&bis.get_eti(), int(classes_.size())).second) classes_.push_back(&bis);
  }
  bool known(const basic_iserializer& bis) const { return class_ids_.count(&bis.get_eti()) != 0; }

  // --- the ids Boost reads (through the virtual vload) ---------------------

  void vload(boost::archive::class_id_type& t) override {
    self() >> t;
    const int id = t;
    if (id == -1) return;  // null pointer
    if (frames_.empty()) fail("class id " + std::to_string(id) + " outside a pointer");
    Frame& f = frames_.back();
    const int count = int(classes_.size());
    if (id >= 0 && id < count) {
      const basic_pointer_iserializer* bpis = classes_[id]->get_bpis_ptr();
      if (!bpis) fail("class id " + std::to_string(id) + " names a class that is never loaded through a pointer");
      f.bis = &bpis->get_basic_serializer();
      return;
    }
    if (id != count) fail("class id " + std::to_string(id) + " (expected -1 to " + std::to_string(count) + ")");
    // A new class.  For an abstract or polymorphic declared type its name
    // follows (checked below); otherwise it can only be the declared class,
    // which Boost has registered before reading the id.
    if (f.declared && !f.declared->get_basic_serializer().is_polymorphic()) {
      const basic_iserializer& bis = f.declared->get_basic_serializer();
      if (known(bis)) fail("class id " + std::to_string(id) + " for a class already listed");
      note_class(bis);
      f.bis = &bis;
    }
  }

  void vload(boost::archive::class_name_type& t) override {
    self() >> t;
    const char* key = t;
    if (frames_.empty()) fail("class name outside a pointer");
    const boost::serialization::extended_type_info* eti =
        key[0] ? boost::serialization::extended_type_info::find(key) : nullptr;
    const basic_pointer_iserializer* bpis =
        eti ? static_cast<const basic_pointer_iserializer*>(
                  boost::archive::detail::archive_serializer_map<Derived>::find(*eti))
            : nullptr;
    if (!bpis)
      throw InputError(std::string("the archive holds a type this program does not know ('") + key +
                       "'); is the extension that defines it linked in?");
    const basic_iserializer& bis = bpis->get_basic_serializer();
    if (known(bis)) fail(std::string("class '") + key + "' listed twice");
    note_class(bis);
    frames_.back().bis = &bis;
  }

  void vload(boost::archive::object_id_type& t) override {
    self() >> t;
    const std::uint64_t id = std::uint_least32_t(t);
    if (id != objects_)
      fail("object id " + std::to_string(id) + " (expected " + std::to_string(objects_) +
           "; ebm archives hold every object once)");
    ++objects_;
  }

  std::istream& stream_;
  std::uint64_t payload_bytes_;
  std::map<const boost::serialization::extended_type_info*, int, bool (*)(const boost::serialization::extended_type_info*, const boost::serialization::extended_type_info*)>
      class_ids_{[](const boost::serialization::extended_type_info* a,
                    const boost::serialization::extended_type_info* b) { return *a < *b; }};
  std::vector<const basic_iserializer*> classes_;  ///< by class id
  std::uint64_t objects_ = 0;                      ///< object ids read so far
  std::vector<Frame> frames_;                      ///< pointer loads in progress
  Completed completed_;                            ///< the last pointer load that returned
};

}  // namespace ebm::archive_detail
