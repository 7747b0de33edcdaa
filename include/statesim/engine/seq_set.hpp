#pragma once
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace statesim {

// A set of event sequence numbers (the cancelled ones): open addressing with linear probing and
// backward-shift deletion (no tombstones), Fibonacci hashing. Insert, erase and lookup are O(1)
// expected; the table doubles above 1/2 load and halves below 1/8, and is freed when it empties,
// so memory follows the number of members.
class SeqSet {
  public:
    bool empty() const { return size_ == 0; }
    std::size_t size() const { return size_; }
    std::size_t capacity() const { return slots_.size(); }

    // Adds `seq`; false if it was already there. Precondition: seq != UINT64_MAX.
    bool insert(std::uint64_t seq) {
        if (2 * (size_ + 1) > slots_.size()) rehash(slots_.empty() ? kMinSlots : 2 * slots_.size());
        std::size_t i = home(seq);
        while (slots_[i] != kEmpty) {
            if (slots_[i] == seq) return false;
            i = (i + 1) & mask_;
        }
        slots_[i] = seq;
        ++size_;
        return true;
    }

    bool contains(std::uint64_t seq) const {
        if (size_ == 0) return false;
        for (std::size_t i = home(seq); slots_[i] != kEmpty; i = (i + 1) & mask_)
            if (slots_[i] == seq) return true;
        return false;
    }

    // Removes `seq`; false if it was not there.
    bool erase(std::uint64_t seq) {
        if (size_ == 0) return false;
        std::size_t i = home(seq);
        while (slots_[i] != seq) {
            if (slots_[i] == kEmpty) return false;
            i = (i + 1) & mask_;
        }
        // Backward shift: pull later members of the probe run into the hole when their home
        // position does not lie (cyclically) between the hole and them.
        for (std::size_t j = (i + 1) & mask_; slots_[j] != kEmpty; j = (j + 1) & mask_) {
            const std::size_t h = home(slots_[j]);
            if (((j - h) & mask_) >= ((j - i) & mask_)) {
                slots_[i] = slots_[j];
                i = j;
            }
        }
        slots_[i] = kEmpty;
        --size_;
        if (size_ == 0)
            std::vector<std::uint64_t>().swap(slots_);
        else if (slots_.size() > kMinSlots && 8 * size_ < slots_.size())
            rehash(slots_.size() / 2);
        return true;
    }

  private:
    static constexpr std::uint64_t kEmpty = UINT64_MAX;
    static constexpr std::size_t kMinSlots = 16;

    std::size_t home(std::uint64_t seq) const {
        return static_cast<std::size_t>((seq * 0x9e3779b97f4a7c15ULL) >> shift_);
    }
    void rehash(std::size_t slots) {
        std::vector<std::uint64_t> old(slots, kEmpty);
        old.swap(slots_);
        mask_ = slots - 1;
        shift_ = 64 - std::countr_zero(slots);
        for (const std::uint64_t seq : old) {
            if (seq == kEmpty) continue;
            std::size_t i = home(seq);
            while (slots_[i] != kEmpty)
                i = (i + 1) & mask_;
            slots_[i] = seq;
        }
    }

    std::vector<std::uint64_t> slots_; // kEmpty or a member; size a power of two (or 0)
    std::size_t mask_ = 0;
    int shift_ = 64;
    std::size_t size_ = 0;
};

} // namespace statesim
