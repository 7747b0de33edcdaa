#pragma once
#include <cstddef>
#include <cstdlib>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace statesim {

// An allocator for big arrays that are read at random (the event set's block pool): requests of
// 2 MiB and more are 2 MiB-aligned and, on Linux, marked for transparent huge pages, so a
// million pending events sit on a few dozen TLB entries instead of thousands of 4 KiB pages
// (TLB misses are dear under a hypervisor). Smaller requests go to operator new.
template <class T> struct LargePageAllocator {
    using value_type = T;
    static constexpr std::size_t kHuge = std::size_t{2} << 20;

    LargePageAllocator() = default;
    template <class U> LargePageAllocator(const LargePageAllocator<U> &) noexcept {}

    T *allocate(std::size_t n) {
        const std::size_t bytes = n * sizeof(T);
        if (bytes < kHuge)
            return static_cast<T *>(::operator new (bytes, std::align_val_t{alignof(T)}));
        const std::size_t rounded = (bytes + kHuge - 1) / kHuge * kHuge;
        void *p = std::aligned_alloc(kHuge, rounded);
        if (!p) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
        ::madvise(p, rounded, MADV_HUGEPAGE); // advice only: failure changes nothing
#endif
        return static_cast<T *>(p);
    }
    void deallocate(T *p, std::size_t n) noexcept {
        if (n * sizeof(T) < kHuge)
            ::operator delete (p, std::align_val_t{alignof(T)});
        else
            std::free(p);
    }
    template <class U> bool operator==(const LargePageAllocator<U> &) const noexcept {
        return true;
    }
};

} // namespace statesim
