#pragma once
// Private to the config library: the loader's YAML tree. yaml-cpp parses the text (its event
// parser, YAML::Parser); the nodes are kept here, a few dozen bytes each, instead of in
// yaml-cpp's own tree (~400 bytes and six allocations per node), which made a file listing 600
// failure events cost 1.7 MB at load and the churn-600 review case 16 % more peak memory than
// churn-60 (issue 7 asks for 10 %).
//
// Node is a handle with the meaning of the subset of yaml-cpp's YAML::Node interface the loader
// uses, so the loader reads as it did: handles share nodes (copying a handle does not copy the
// node); `a = b` makes a's node share b's data from then on and moves the handle to b's node;
// reset() only moves the handle; a non-const `map[key]` that misses adds a pending entry that
// appears in the map once it is assigned; iteration and size() skip pending entries; an alias
// (`*a`) is the anchored node itself. Unlike yaml-cpp, nothing here throws: a missing key or
// index gives an undefined node whose Mark() is null.
#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/emitterstyle.h>
#include <yaml-cpp/mark.h>

namespace statesim::config_detail {

class Tree;
class MapIterator;

class Node {
  public:
    // No node yet: reads as null (as yaml-cpp's Node()); assigning binds the handle.
    Node() = default;
    Node(const Node &) = default;
    Node &operator=(const Node &rhs);

    bool IsDefined() const;
    bool IsNull() const;
    bool IsScalar() const;
    bool IsSequence() const;
    bool IsMap() const;
    const std::string &Scalar() const; // "" unless a scalar
    YAML::Mark Mark() const;           // null for a node not read from a text
    YAML::EmitterStyle::value Style() const;
    std::size_t size() const; // items of a list, assigned keys of a map; else 0

    Node operator[](const std::string &key) const; // undefined when absent
    Node operator[](const std::string &key);       // absent: a pending entry (see above)
    Node operator[](std::size_t index) const;      // undefined when out of range
    Node operator[](std::size_t index);            // the same (`n[0]` is not a key)
    bool remove(const std::string &key);           // the first entry with this key
    void reset(const Node &other) {                // moves the handle only
        tree_ = other.tree_;
        id_ = other.id_;
        missing_ = other.missing_;
    }
    bool is(const Node &other) const { return tree_ == other.tree_ && id_ == other.id_; }

    // The defined entries of a map (key, value), in the order written.
    MapIterator begin() const;
    MapIterator end() const;

  private:
    friend class Tree;
    friend class MapIterator;
    static constexpr std::uint32_t kNone = UINT32_MAX;
    Node(Tree *tree, std::uint32_t id, bool missing = false)
        : tree_(tree), id_(id), missing_(missing) {}
    static Node absent() { return Node(nullptr, kNone, true); }
    enum class Kind : std::uint8_t { undefined, null, scalar, sequence, map };
    Kind kind() const;

    Tree *tree_ = nullptr;
    std::uint32_t id_ = kNone;
    bool missing_ = false; // a lookup that found nothing
};

class MapIterator {
  public:
    bool operator!=(const MapIterator &o) const { return at_ != o.at_; }
    MapIterator &operator++();
    const std::pair<Node, Node> *operator->() const { return &entry_; }
    const std::pair<Node, Node> &operator*() const { return entry_; }

  private:
    friend class Node;
    MapIterator(const Node &map, std::size_t at);
    void settle();
    Node map_;
    std::size_t at_ = 0;
    std::pair<Node, Node> entry_;
};

// Owns every node of one load; handles must not outlive it.
class Tree {
  public:
    Tree() = default;
    Tree(const Tree &) = delete;
    Tree &operator=(const Tree &) = delete;

    // The first document of `text` (a null-reading Node when there is none); throws
    // YAML::Exception on invalid YAML. `documents`, when given, gets the number of documents
    // (counted up to 2, so a stream that never ends cannot hang: jbeder/yaml-cpp#1040).
    Node parse(const std::string &text, int *documents = nullptr, YAML::Mark *second = nullptr);
    Node map();
    Node scalar(const std::string &text);
    Node clone(const Node &n); // a deep copy that shares nothing with `n`

  private:
    friend class Node;
    friend class Builder;
    friend class MapIterator;
    using Kind = Node::Kind;
    struct Data {
        Kind kind = Kind::undefined;
        YAML::EmitterStyle::value style = YAML::EmitterStyle::Default;
        YAML::Mark mark = YAML::Mark::null_mark();
        std::string scalar;
        std::vector<std::uint32_t> items; // a list's nodes; a map's key and value, in turn
    };
    std::uint32_t add(Data d);
    Data &data(std::uint32_t id) { return data_[ref_[id]]; }
    const Data &data(std::uint32_t id) const { return data_[ref_[id]]; }
    std::uint32_t copy(std::uint32_t id, std::vector<std::uint32_t> &copied);

    std::deque<Data> data_;          // stable references: a Scalar() stays valid as nodes grow
    std::vector<std::uint32_t> ref_; // node -> its data (nodes assigned from others share it)
};

} // namespace statesim::config_detail
