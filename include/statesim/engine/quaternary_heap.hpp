#pragma once
#include <vector>

#include "statesim/engine/event.hpp"

namespace statesim {

// Implicit 4-ary min-heap ordered by (time, seq): the fastest choice while few events are
// pending (shallow, one cache line per level of children).
class QuaternaryHeap {
  public:
    void push(const Event &e) {
        std::size_t i = heap_.size();
        heap_.push_back(e);
        while (i > 0) {
            const std::size_t parent = (i - 1) / 4;
            if (!earlier(e, heap_[parent])) break;
            heap_[i] = heap_[parent];
            i = parent;
        }
        heap_[i] = e;
    }
    bool empty() const { return heap_.empty(); }
    std::size_t size() const { return heap_.size(); }
    const Event &top() const { return heap_.front(); }
    void pop() {
        const Event last = heap_.back();
        heap_.pop_back();
        const std::size_t n = heap_.size();
        if (n == 0) return;
        std::size_t i = 0;
        for (;;) {
            const std::size_t first = 4 * i + 1;
            if (first >= n) break;
            const std::size_t end = first + 4 < n ? first + 4 : n;
            std::size_t best = first;
            for (std::size_t c = first + 1; c < end; ++c)
                if (earlier(heap_[c], heap_[best])) best = c;
            if (!earlier(heap_[best], last)) break;
            heap_[i] = heap_[best];
            i = best;
        }
        heap_[i] = last;
    }
    void clear() { heap_.clear(); }
    std::size_t capacity_bytes() const { return heap_.capacity() * sizeof(Event); }
    // Moves every event out (any order) and leaves the heap empty.
    void drain_into(std::vector<Event> &out) {
        out.insert(out.end(), heap_.begin(), heap_.end());
        heap_.clear();
    }

  private:
    std::vector<Event> heap_;
};

} // namespace statesim
