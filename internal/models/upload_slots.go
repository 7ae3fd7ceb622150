package models

import (
	"context"
	"fmt"
	"sync"
)

// DefaultUploadConcurrency is how many uploads are unpacked and checked at
// once unless LimitUploads says otherwise.
const DefaultUploadConcurrency = 2

// uploadSlots bounds concurrent uploads: each holds a slot from unpacking
// to the end of its checks, so memory and disk use grow with the limit,
// not with the number of people uploading.
type uploadSlots struct {
	once  sync.Once
	slots chan struct{}
}

// LimitUploads sets how many uploads (zip or loose files) are unpacked and
// checked at the same time; the others wait their turn. Call it before the
// first upload; n < 1 means 1.
func (r *Repo) LimitUploads(n int) {
	r.uploads.once.Do(func() {
		r.uploads.slots = make(chan struct{}, max(n, 1))
	})
}

// uploadSlot waits for a free upload slot, or for ctx to end.
func (r *Repo) uploadSlot(ctx context.Context) (release func(), err error) {
	r.LimitUploads(DefaultUploadConcurrency)
	select {
	case r.uploads.slots <- struct{}{}:
		return func() { <-r.uploads.slots }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for an upload slot: %w", ctx.Err())
	}
}
