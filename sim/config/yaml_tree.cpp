#include "yaml_tree.hpp"

#include <sstream>
#include <stdexcept>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

namespace statesim::config_detail {

namespace {
constexpr std::uint32_t kNoNode = UINT32_MAX;

// Counts a document without building it (see Tree::parse).
class DocumentCounter final : public YAML::EventHandler {
  public:
    YAML::Mark start;
    void OnDocumentStart(const YAML::Mark &m) override { start = m; }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark &, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark &, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark &, const std::string &, YAML::anchor_t,
                  const std::string &) override {}
    void OnSequenceStart(const YAML::Mark &, const std::string &, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark &, const std::string &, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};
} // namespace

// Builds the nodes of one document from yaml-cpp's parser events, as yaml-cpp's own builder
// does: each node keeps its mark and (for collections) its flow or block style; a map's keys and
// values are its items in turn; an anchor is registered when its node starts, so an alias is
// that very node.
class Builder final : public YAML::EventHandler {
  public:
    explicit Builder(Tree &tree) : tree_(tree) {}
    std::uint32_t root = kNoNode;

    void OnDocumentStart(const YAML::Mark &) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark &m, YAML::anchor_t anchor) override {
        place(make(Tree::Kind::null, m, YAML::EmitterStyle::Default), anchor);
    }
    void OnAlias(const YAML::Mark &m, YAML::anchor_t anchor) override {
        if (anchor >= anchors_.size() || anchors_[anchor] == kNoNode)
            throw YAML::ParserException(m, "the referenced anchor is not defined");
        place(anchors_[anchor], YAML::NullAnchor);
    }
    void OnScalar(const YAML::Mark &m, const std::string &, YAML::anchor_t anchor,
                  const std::string &value) override {
        const std::uint32_t id = make(Tree::Kind::scalar, m, YAML::EmitterStyle::Default);
        tree_.data(id).scalar = value;
        place(id, anchor);
    }
    void OnSequenceStart(const YAML::Mark &m, const std::string &, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value style) override {
        open(make(Tree::Kind::sequence, m, style), anchor);
    }
    void OnSequenceEnd() override { close(); }
    void OnMapStart(const YAML::Mark &m, const std::string &, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value style) override {
        open(make(Tree::Kind::map, m, style), anchor);
    }
    void OnMapEnd() override { close(); }

  private:
    std::uint32_t make(Tree::Kind kind, const YAML::Mark &m, YAML::EmitterStyle::value style) {
        Tree::Data d;
        d.kind = kind;
        d.mark = m;
        d.style = style;
        return tree_.add(std::move(d));
    }
    void place(std::uint32_t id, YAML::anchor_t anchor) {
        if (anchor != YAML::NullAnchor) {
            if (anchors_.size() <= anchor) anchors_.resize(anchor + 1, kNoNode);
            anchors_[anchor] = id;
        }
        if (open_.empty())
            root = id;
        else
            tree_.data(open_.back()).items.push_back(id);
    }
    void open(std::uint32_t id, YAML::anchor_t anchor) {
        place(id, anchor);
        open_.push_back(id);
    }
    void close() {
        if (!open_.empty()) open_.pop_back();
    }

    Tree &tree_;
    std::vector<std::uint32_t> open_;    // collections being read, innermost last
    std::vector<std::uint32_t> anchors_; // anchor -> node
};

// --- Node --------------------------------------------------------------------------------------

Node::Kind Node::kind() const {
    if (missing_) return Kind::undefined;
    if (id_ == kNone) return Kind::null;
    return tree_->data(id_).kind;
}

bool Node::IsDefined() const {
    return kind() != Kind::undefined;
}
bool Node::IsNull() const {
    return kind() == Kind::null;
}
bool Node::IsScalar() const {
    return kind() == Kind::scalar;
}
bool Node::IsSequence() const {
    return kind() == Kind::sequence;
}
bool Node::IsMap() const {
    return kind() == Kind::map;
}

const std::string &Node::Scalar() const {
    static const std::string none;
    return IsScalar() ? tree_->data(id_).scalar : none;
}

YAML::Mark Node::Mark() const {
    if (missing_ || id_ == kNone) return YAML::Mark::null_mark();
    return tree_->data(id_).mark;
}

YAML::EmitterStyle::value Node::Style() const {
    if (missing_ || id_ == kNone) return YAML::EmitterStyle::Default;
    return tree_->data(id_).style;
}

std::size_t Node::size() const {
    const Kind k = kind();
    if (k == Kind::sequence) return tree_->data(id_).items.size();
    if (k != Kind::map) return 0;
    std::size_t n = 0;
    for (auto it = begin(); it != end(); ++it)
        ++n;
    return n;
}

Node Node::operator[](const std::string &key) const {
    if (!IsMap()) return absent();
    const auto &items = tree_->data(id_).items;
    for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
        const Tree::Data &k = tree_->data(items[i]);
        if (k.kind == Kind::scalar && k.scalar == key) return Node(tree_, items[i + 1]);
    }
    return absent();
}

Node Node::operator[](const std::string &key) {
    const Kind k = kind();
    if (missing_ || id_ == kNone || k == Kind::scalar || k == Kind::sequence) return absent();
    if (k != Kind::map) tree_->data(id_).kind = Kind::map; // null or pending: becomes a map
    if (Node found = std::as_const(*this)[key]; !found.missing_) return found;
    Tree::Data key_data;
    key_data.kind = Kind::scalar;
    key_data.scalar = key;
    const std::uint32_t key_id = tree_->add(std::move(key_data));
    const std::uint32_t value_id = tree_->add(Tree::Data{});
    auto &items = tree_->data(id_).items;
    items.push_back(key_id);
    items.push_back(value_id);
    return Node(tree_, value_id);
}

Node Node::operator[](std::size_t index) const {
    if (!IsSequence()) return absent();
    const auto &items = tree_->data(id_).items;
    return index < items.size() ? Node(tree_, items[index]) : absent();
}

Node Node::operator[](std::size_t index) {
    return std::as_const(*this)[index];
}

bool Node::remove(const std::string &key) {
    if (!IsMap()) return false;
    auto &items = tree_->data(id_).items;
    for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
        const Tree::Data &k = tree_->data(items[i]);
        if (k.kind == Kind::scalar && k.scalar == key) {
            items.erase(items.begin() + static_cast<std::ptrdiff_t>(i),
                        items.begin() + static_cast<std::ptrdiff_t>(i + 2));
            return true;
        }
    }
    return false;
}

Node &Node::operator=(const Node &rhs) {
    if (is(rhs) && missing_ == rhs.missing_) return *this;
    if (missing_ || id_ == kNone) { // no node yet: bind the handle
        reset(rhs);
        return *this;
    }
    Node from = rhs;
    if (from.missing_ || from.id_ == kNone) { // reads as null: give it a null node
        Tree::Data null;
        null.kind = Kind::null;
        from = Node(tree_, tree_->add(std::move(null)));
    }
    if (from.tree_ != tree_) throw std::logic_error("config: nodes of two trees mixed");
    tree_->ref_[id_] = tree_->ref_[from.id_];
    id_ = from.id_;
    return *this;
}

MapIterator::MapIterator(const Node &map, std::size_t at) : map_(map), at_(at) {
    settle();
}

MapIterator &MapIterator::operator++() {
    at_ += 2;
    settle();
    return *this;
}

// Moves to the first entry at or after at_ whose key and value are defined.
void MapIterator::settle() {
    if (!map_.IsMap()) {
        at_ = 0;
        return;
    }
    const auto &items = map_.tree_->data(map_.id_).items;
    for (; at_ + 1 < items.size(); at_ += 2) {
        const Node key(map_.tree_, items[at_]), value(map_.tree_, items[at_ + 1]);
        if (key.IsDefined() && value.IsDefined()) {
            entry_.first.reset(key); // not `=`: that would share the data
            entry_.second.reset(value);
            return;
        }
    }
    at_ = items.size();
}

MapIterator Node::begin() const {
    return MapIterator(*this, 0);
}

MapIterator Node::end() const {
    return MapIterator(*this, IsMap() ? tree_->data(id_).items.size() : 0);
}

// --- Tree --------------------------------------------------------------------------------------

std::uint32_t Tree::add(Data d) {
    data_.push_back(std::move(d));
    ref_.push_back(static_cast<std::uint32_t>(data_.size() - 1));
    return static_cast<std::uint32_t>(ref_.size() - 1);
}

Node Tree::parse(const std::string &text, int *documents, YAML::Mark *second) {
    std::stringstream in(text);
    YAML::Parser parser(in);
    Builder builder(*this);
    int n = parser.HandleNextDocument(builder) ? 1 : 0;
    if (documents) {
        DocumentCounter counter;
        if (n == 1 && parser.HandleNextDocument(counter)) {
            n = 2;
            if (second) *second = counter.start;
        }
        *documents = n;
    }
    return builder.root == kNoNode ? Node() : Node(this, builder.root);
}

Node Tree::map() {
    Data d;
    d.kind = Kind::map;
    return Node(this, add(std::move(d)));
}

Node Tree::scalar(const std::string &text) {
    Data d;
    d.kind = Kind::scalar;
    d.scalar = text;
    return Node(this, add(std::move(d)));
}

Node Tree::clone(const Node &n) {
    if (n.missing_ || n.id_ == Node::kNone) return n;
    std::vector<std::uint32_t> copied(data_.size(), kNoNode);
    return Node(this, copy(n.id_, copied));
}

// Copies node `id` and what it holds; `copied` (by data) keeps shared nodes shared in the copy
// (an alias stays one node) and ends cycles.
std::uint32_t Tree::copy(std::uint32_t id, std::vector<std::uint32_t> &copied) {
    const std::uint32_t from = ref_[id];
    if (copied[from] != kNoNode) return copied[from];
    Data d = data_[from];
    const std::vector<std::uint32_t> items = std::move(d.items);
    d.items.clear();
    const std::uint32_t c = add(std::move(d));
    copied[from] = c;
    for (const std::uint32_t item : items) {
        const std::uint32_t ci = copy(item, copied);
        data(c).items.push_back(ci);
    }
    return c;
}

} // namespace statesim::config_detail
