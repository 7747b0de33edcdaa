#pragma once
#include <vector>

#include "statesim/model/node.hpp"
#include "statesim/model/session.hpp"

namespace statesim {

// The fleet's nodes (an Auto Scaling group's instances): launch, boot, fail, terminate, spread
// over zones. Slots of terminated nodes are recycled, so memory and scans follow the nodes
// alive, not every node that ever lived.
class NodeGroup {
  public:
    explicit NodeGroup(int zones) : zones_(zones) {}

    // A new node in `zone`, booting; returns its slot.
    int launch(int zone);
    void terminate(int index); // the slot becomes free (its generation moves on)
    Node &operator[](int i) { return nodes_[static_cast<std::size_t>(i)]; }
    const Node &operator[](int i) const { return nodes_[static_cast<std::size_t>(i)]; }
    std::size_t slots() const { return nodes_.size(); }
    NodeRef ref(int i) const { return {i, nodes_[static_cast<std::size_t>(i)].generation}; }
    bool holds(NodeRef r) const {
        return r.valid() && static_cast<std::size_t>(r.index) < nodes_.size() &&
               nodes_[static_cast<std::size_t>(r.index)].generation == r.generation &&
               nodes_[static_cast<std::size_t>(r.index)].state != NodeState::free;
    }
    int zones() const { return zones_; }

  private:
    std::uint64_t launched_ = 0;
    std::vector<Node> nodes_;
    std::vector<int> free_;
    int zones_;
};

} // namespace statesim
