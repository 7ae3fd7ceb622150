package store

// SQLite allocates from the C heap. glibc's malloc serves a large block
// (binding a file of several MiB as a blob, building its record) with mmap,
// but after freeing one it raises its mmap threshold to that size, so the
// next large blocks come from the heap arenas, which keep the memory when
// it is freed: one upload of 16 MiB files left 80 MB resident for good.
// Fixing the threshold (which turns the adjustment off) hands such blocks
// back to the system when SQLite frees them. Other C libraries (musl) are
// left alone.

/*
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
static void waymark_fix_mmap_threshold(void) { mallopt(M_MMAP_THRESHOLD, 256 * 1024); }
#else
static void waymark_fix_mmap_threshold(void) {}
#endif
*/
import "C"

func init() { C.waymark_fix_mmap_threshold() }
