package tokenizer

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// allocSlots returns a zeroed table of n slots. On Linux a table of
// megabytes is mapped on its own and offered to the kernel for transparent
// huge pages: lookups land on random slots, so with 4 KiB pages nearly
// every lookup of a server's (cache-cold) count also misses the TLB, which
// costs a page walk, two-dimensional under a hypervisor. With 2 MiB pages
// the whole table needs two or three TLB entries. The kernel may refuse
// (transparent_hugepage set to never); the table then works as before.
//
// The mapping is never unmapped: an encoding's table lives as long as the
// process.
func allocSlots(n int) []slot {
	const huge = 2 << 20
	size := n * int(unsafe.Sizeof(slot{}))
	if size < huge {
		return make([]slot, n)
	}
	mem, err := unix.Mmap(-1, 0, size+huge, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		return make([]slot, n)
	}
	off := (huge - int(uintptr(unsafe.Pointer(unsafe.SliceData(mem)))%huge)) % huge
	mem = mem[off : off+size]
	_ = unix.Madvise(mem, unix.MADV_HUGEPAGE) // advice only
	return unsafe.Slice((*slot)(unsafe.Pointer(unsafe.SliceData(mem))), n)
}
