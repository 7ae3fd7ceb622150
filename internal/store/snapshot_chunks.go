package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Instance snapshots are the engine's state, rewritten after every step.
// An instance with a long history (a 10,000-item multi-instance activity,
// a loop that has run a thousand times) has a snapshot of megabytes of
// which a step changes a few kilobytes, so a large snapshot is stored in
// chunks and a step writes only the chunks it changed (migration
// 0210_snapshot_chunks.sql):
//
//   - The snapshot is cut where its content says, with a gear rolling
//     hash over the last 64 bytes: a cut falls after a byte whose hash has
//     its top bits zero, at least minChunk and at most maxChunk bytes after
//     the previous one (chunks of about 5 KiB). Bytes inserted or changed move the cuts only near
//     the change, so the chunks before and after it are the same bytes as
//     before. The store does not read the snapshot's format; any bytes
//     round-trip exactly.
//   - Each distinct chunk is one row of instance_snapshot_chunks, numbered
//     per instance and found again by its hash. instances.snapshot_chunks
//     lists the numbers in order as ranges, so a list whose chunks mostly
//     stayed in place is a few bytes.
//   - A write reads the instance's chunk hashes, inserts the chunks that
//     are new and deletes the ones no longer listed, in the transaction of
//     the version-checked update of the instance row: two steps from the
//     same version cannot both change the chunks.
//   - Snapshots up to inlineMax bytes are stored whole in
//     instances.snapshot, as every snapshot was before; so are those
//     written before the migration until their instance's next step.
//
// Store.Instance reassembles the snapshot; callers see whole snapshots.
const (
	inlineMax = 32 << 10
	minChunk  = 1 << 10
	maxChunk  = 32 << 10
	// A cut needs the top strictBits of the rolling hash zero up to
	// normalChunk bytes into a chunk, and only the top looseBits after
	// ("normalized chunking"): chunks gather around normalChunk, with few
	// far longer, whose cuts would be placed by maxChunk rather than by
	// their content.
	normalChunk = 4 << 10
	strictBits  = 13
	looseBits   = 10
	// chunkIDBatch bounds the numbers one DELETE names, and four times
	// the rows one INSERT writes.
	chunkIDBatch = 500
)

// gear is the rolling hash's table: one fixed pseudo-random value per byte
// value (splitmix64 from a fixed seed). Changing it would only change
// where new snapshots are cut, never what they read back as.
var gear = func() (g [256]uint64) {
	x := uint64(0x5741594d41524b31) // "WAYMARK1"
	for i := range g {
		x += 0x9E3779B97F4A7C15
		z := x
		z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
		z = (z ^ z>>27) * 0x94D049BB133111EB
		g[i] = z ^ z>>31
	}
	return g
}()

// cutChunks splits b into content-defined chunks (slices of b).
func cutChunks(b []byte) [][]byte {
	out := make([][]byte, 0, len(b)/normalChunk+1)
	for len(b) > 0 {
		n := cutPoint(b)
		out = append(out, b[:n])
		b = b[n:]
	}
	return out
}

// cutPoint is the length of the chunk at the start of b.
func cutPoint(b []byte) int {
	if len(b) <= minChunk {
		return len(b)
	}
	// The hash starts 64 bytes before the earliest cut, so that every cut
	// depends on the same window of bytes, wherever the chunk began.
	var h uint64
	for _, c := range b[minChunk-64 : minChunk] {
		h = h<<1 + gear[c]
	}
	normal, end := min(len(b), normalChunk), min(len(b), maxChunk)
	i := minChunk
	for ; i < normal; i++ {
		h = h<<1 + gear[b[i]]
		if h>>(64-strictBits) == 0 {
			return i + 1
		}
	}
	for ; i < end; i++ {
		h = h<<1 + gear[b[i]]
		if h>>(64-looseBits) == 0 {
			return i + 1
		}
	}
	return end
}

func chunkHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// formatChunkList writes chunk numbers as ranges: 1,2,3,7,5 → "1-3,7,5".
func formatChunkList(ns []int64) string {
	var b []byte
	for i := 0; i < len(ns); {
		j := i
		for j+1 < len(ns) && ns[j+1] == ns[j]+1 {
			j++
		}
		if len(b) > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, ns[i], 10)
		if j > i {
			b = append(b, '-')
			b = strconv.AppendInt(b, ns[j], 10)
		}
		i = j + 1
	}
	return string(b)
}

// maxChunks bounds the chunks of one snapshot a chunk list may name (far
// more than the largest snapshot the data limit allows has), so that a
// damaged list cannot make a read allocate without end.
const maxChunks = 1 << 22

// parseChunkList reads what formatChunkList wrote.
func parseChunkList(s string) ([]int64, error) {
	var out []int64
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.ParseInt(lo, 10, 64)
		if err != nil || a < 1 {
			return nil, fmt.Errorf("chunk list entry %q is not a chunk number or range", part)
		}
		b := a
		if isRange {
			if b, err = strconv.ParseInt(hi, 10, 64); err != nil || b < a {
				return nil, fmt.Errorf("chunk list entry %q is not a chunk number or range", part)
			}
		}
		if b-a >= maxChunks-int64(len(out)) {
			return nil, fmt.Errorf("chunk list names more than %d chunks", maxChunks)
		}
		for n := a; n <= b; n++ {
			out = append(out, n)
		}
	}
	return out, nil
}

// storedSnapshot is how a snapshot is written to the instance row: whole
// (inline), or as a chunk list with the chunk rows to insert and delete.
type storedSnapshot struct {
	inline []byte
	list   string
	add    []snapshotChunk
	drop   []int64
}

type snapshotChunk struct {
	n    int64
	hash string
	data []byte
}

// planSnapshot decides how to store snap for the instance id (0 for an
// instance not created yet): whole when it is small, else as chunks,
// reusing the chunks the instance already has.
func (tx *Tx) planSnapshot(ctx context.Context, id int64, snap []byte) (storedSnapshot, error) {
	if len(snap) <= inlineMax {
		// Chunks from an earlier, larger snapshot are deleted (all of
		// them: the list is empty).
		return storedSnapshot{inline: snap, drop: nil}, nil
	}
	have := map[string]int64{}
	var last int64
	if id != 0 {
		rows, err := tx.tx.QueryContext(ctx, `SELECT n, hash FROM instance_snapshot_chunks WHERE instance_id = ?`, id)
		if err != nil {
			return storedSnapshot{}, fmt.Errorf("snapshot chunks of instance %d: %w", id, err)
		}
		for rows.Next() {
			var n int64
			var h string
			if err := rows.Scan(&n, &h); err != nil {
				rows.Close()
				return storedSnapshot{}, fmt.Errorf("snapshot chunks of instance %d: %w", id, err)
			}
			have[h] = n
			last = max(last, n)
		}
		if err := rows.Close(); err != nil {
			return storedSnapshot{}, err
		}
		if err := rows.Err(); err != nil {
			return storedSnapshot{}, fmt.Errorf("snapshot chunks of instance %d: %w", id, err)
		}
	}
	var p storedSnapshot
	chunks := cutChunks(snap)
	list := make([]int64, len(chunks))
	used := make(map[int64]bool, len(chunks))
	for i, c := range chunks {
		h := chunkHash(c)
		n, ok := have[h]
		if !ok {
			last++
			n = last
			have[h] = n
			p.add = append(p.add, snapshotChunk{n: n, hash: h, data: c})
		}
		list[i] = n
		used[n] = true
	}
	for _, n := range have {
		if !used[n] {
			p.drop = append(p.drop, n)
		}
	}
	p.list = formatChunkList(list)
	return p, nil
}

// writeChunks stores the planned chunk rows of instance id. It runs after
// the instance row is written (and its version checked).
func (tx *Tx) writeChunks(ctx context.Context, id int64, p storedSnapshot) error {
	if p.list == "" && p.drop == nil {
		// Whole snapshot: no chunk may stay behind. An instance that never
		// had chunks finds none to delete.
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM instance_snapshot_chunks WHERE instance_id = ?`, id); err != nil {
			return fmt.Errorf("drop snapshot chunks of instance %d: %w", id, err)
		}
	}
	for len(p.drop) > 0 {
		batch := p.drop[:min(len(p.drop), chunkIDBatch)]
		p.drop = p.drop[len(batch):]
		args := make([]any, 0, len(batch)+1)
		args = append(args, id)
		for _, n := range batch {
			args = append(args, n)
		}
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM instance_snapshot_chunks WHERE instance_id = ? AND n IN (`+placeholders(len(batch))+`)`, args...); err != nil {
			return fmt.Errorf("drop snapshot chunks of instance %d: %w", id, err)
		}
	}
	written := len(p.inline) + len(p.list)
	// Several rows per statement: on PostgreSQL each statement is a round
	// trip, and the first write of a large snapshot has hundreds of chunks.
	for add := p.add; len(add) > 0; {
		batch := add[:min(len(add), chunkIDBatch/4)]
		add = add[len(batch):]
		var q strings.Builder
		q.WriteString(`INSERT INTO instance_snapshot_chunks (instance_id, n, hash, data) VALUES `)
		args := make([]any, 0, 4*len(batch))
		for i, c := range batch {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?)")
			args = append(args, id, c.n, c.hash, c.data)
			written += len(c.data)
		}
		if _, err := tx.tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("store snapshot chunks %d to %d of instance %d: %w", batch[0].n, batch[len(batch)-1].n, id, err)
		}
	}
	tx.countSnapshot(written)
	return nil
}

// countSnapshot adds n snapshot bytes written to the store's counter.
func (tx *Tx) countSnapshot(n int) {
	if tx.snapshotBytes != nil {
		tx.snapshotBytes.Add(int64(n))
	}
}

// errChunksMoved: the instance changed between reading its row and its
// chunks; the read starts again.
var errChunksMoved = errors.New("instance changed while its snapshot was read")

// readChunks reassembles the snapshot of instance id at version from its
// chunk list. The chunks are read in one statement that also checks the
// version, so they are the ones the list was written with, or the read
// reports errChunksMoved.
func (s *Store) readChunks(ctx context.Context, id, version int64, list string) ([]byte, error) {
	ns, err := parseChunkList(list)
	if err != nil {
		return nil, fmt.Errorf("snapshot of instance %d: %w", id, err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT n, data FROM instance_snapshot_chunks
		WHERE instance_id = ? AND EXISTS (SELECT 1 FROM instances WHERE id = ? AND version = ?)`, id, id, version)
	if err != nil {
		return nil, fmt.Errorf("snapshot chunks of instance %d: %w", id, err)
	}
	defer rows.Close()
	chunks := make(map[int64][]byte, len(ns))
	size := 0
	for rows.Next() {
		var n int64
		var data []byte
		if err := rows.Scan(&n, &data); err != nil {
			return nil, fmt.Errorf("snapshot chunks of instance %d: %w", id, err)
		}
		chunks[n] = data
		size += len(data)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("snapshot chunks of instance %d: %w", id, err)
	}
	if len(chunks) == 0 {
		return nil, errChunksMoved
	}
	out := make([]byte, 0, size)
	for _, n := range ns {
		c, ok := chunks[n]
		if !ok {
			return nil, fmt.Errorf("snapshot of instance %d: chunk %d is missing", id, n)
		}
		out = append(out, c...)
	}
	return out, nil
}
