package aof

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Group shares group commit among several logs under FsyncAlways: the logs
// of one store's shards. Without a group, a Log's waiters share that log's
// fsyncs only, so writers spread over many shards get little batching and
// run many small rounds. In a group, the first waiter of any member log
// leads a round for all of them: it writes every member's buffer, then
// makes the members that have unsynced data durable, with one syncfs(2)
// of their file system when there are several of them (one journal
// commit and one cache flush for all; see syncFSMin), else with an fsync
// each, concurrently. The waiters of every member wait for the round
// together.
//
// A Group is joined through Options.Group; it has no other state to set
// up. The zero value is ready to use. Logs leave it when they are closed.
type Group struct {
	mu         sync.Mutex
	cond       sync.Cond     // on mu: a round ended
	logs       []*Log        // members; replaced, never modified in place
	leader     bool          // a round is running
	lastServed atomic.Int32  // waiters the last round served
	waiting    atomic.Int32  // goroutines in wait
	served     atomic.Int32  // waiters the current round served
	lastRound  time.Duration // duration of the last round
	pauses     atomic.Int32  // PauseSyncFS calls not resumed yet
	rounds     atomic.Uint64
	syncFSs    atomic.Uint64
}

// GroupStats counts a Group's rounds.
type GroupStats struct {
	Rounds uint64 // rounds led
	SyncFS uint64 // rounds that synced with one syncfs(2)
	Paused bool   // PauseSyncFS is in effect
}

// Stats returns the group's counters.
func (g *Group) Stats() GroupStats {
	return GroupStats{Rounds: g.rounds.Load(), SyncFS: g.syncFSs.Load(), Paused: g.pauses.Load() > 0}
}

// syncFSMin is the number of logs to fsync from which a round uses one
// syncfs(2) instead. BenchmarkSyncFiles on the ext4 build machine: 32
// freshly appended files take 2.0–2.9 ms with parallel fsyncs and 0.4 ms
// with one syncfs; 4 files 0.43 against 0.15–0.16 ms; one file 0.15
// against 0.11 ms. syncfs wins from one file here, but it also waits for
// whatever else is dirty on the file system, so a round with one or two
// logs keeps the per-file fsync, whose cost does not depend on other
// programs.
const syncFSMin = 3

// syncFSHook is syncFS; tests replace it to inject failures.
var syncFSHook = syncFS

// PauseSyncFS makes rounds fsync each log instead of syncing the whole file
// system until the matching ResumeSyncFS. A snapshot writing a large file
// to the same file system pauses it: with syncfs every round would wait
// for the snapshot's pages too.
func (g *Group) PauseSyncFS() { g.pauses.Add(1) }

// ResumeSyncFS undoes one PauseSyncFS.
func (g *Group) ResumeSyncFS() { g.pauses.Add(-1) }

// syncFS makes the dirty logs durable with one syncfs of their file
// system. It returns false if that is not possible (not Linux, not an
// operating system file), and the caller fsyncs them one by one. A
// failure fails every dirty log: which file it concerns is unknown.
func (g *Group) syncFS(dirty []dirtyLog) bool {
	l0 := dirty[0].l
	l0.syncMu.Lock() // keeps l0's file open
	if l0.failedOrClosed() {
		l0.syncMu.Unlock()
		return false
	}
	t0 := time.Now()
	ok, err := syncFSHook(l0.f)
	d := time.Since(t0)
	l0.syncMu.Unlock()
	if !ok {
		return false
	}
	g.syncFSs.Add(1)
	for _, dl := range dirty {
		dl.l.markSynced(dl.target, d, err)
	}
	return true
}

// dirtyLog is a member that needs an fsync in the current round, and the
// ticket the fsync makes durable.
type dirtyLog struct {
	l      *Log
	target uint64
}

// join adds l to the group.
func (g *Group) join(l *Log) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cond.L == nil {
		g.cond.L = &g.mu
	}
	logs := make([]*Log, len(g.logs), len(g.logs)+1)
	copy(logs, g.logs)
	g.logs = append(logs, l)
}

// leave removes l from the group.
func (g *Group) leave(l *Log) {
	g.mu.Lock()
	defer g.mu.Unlock()
	logs := make([]*Log, 0, len(g.logs))
	for _, m := range g.logs {
		if m != l {
			logs = append(logs, m)
		}
	}
	g.logs = logs
}

// wait is Log.Wait for a member log under FsyncAlways: it returns once
// l's records up to t are fsynced, leading a round if none is running.
func (g *Group) wait(l *Log, t Ticket) error {
	g.waiting.Add(1)
	defer g.waiting.Add(-1)
	g.mu.Lock()
	defer g.mu.Unlock()
	for {
		done, err := l.syncedTo(t)
		if done || err != nil {
			g.served.Add(1)
			return err
		}
		if !g.leader {
			g.leader = true
			logs := g.logs
			g.mu.Unlock()
			g.gather()
			start := time.Now()
			g.round(logs)
			g.mu.Lock()
			g.lastRound = time.Since(start)
			g.lastServed.Store(g.served.Swap(0))
			g.leader = false
			g.cond.Broadcast()
			continue
		}
		g.cond.Wait()
	}
}

// round writes the buffer of every log and makes those holding unsynced
// records durable. Failures are recorded in the failing log (its waiters
// see them). Only the leader calls round.
func (g *Group) round(logs []*Log) {
	g.rounds.Add(1)
	dirty := writeLogs(logs, nil)
	switch {
	case len(dirty) == 0:
	case len(dirty) >= syncFSMin && g.pauses.Load() == 0 && g.syncFS(dirty):
	case len(dirty) == 1:
		dirty[0].l.syncTo(dirty[0].target)
	default:
		var wg sync.WaitGroup
		for _, d := range dirty[1:] {
			wg.Go(func() { d.l.syncTo(d.target) })
		}
		dirty[0].l.syncTo(dirty[0].target)
		wg.Wait()
	}
}

// syncedTo reports whether the records up to t are fsynced, or the log's
// failure. A ticket beyond the last appended record stands for everything
// appended so far.
func (l *Log) syncedTo(t Ticket) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if uint64(t) > l.appended {
		t = Ticket(l.appended)
	}
	if uint64(t) <= l.synced {
		return true, nil
	}
	return false, l.err
}

// syncTo fsyncs the file up to ticket target (written already), unless
// that is done. A failure is recorded in l.err.
func (l *Log) syncTo(target uint64) {
	l.syncMu.Lock()
	_ = l.fsyncLocked(target)
	l.syncMu.Unlock()
}

// failedOrClosed reports whether the log has failed or its file may be
// closed already. The caller holds syncMu (files are closed under it).
func (l *Log) failedOrClosed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err != nil
}

// markSynced records the outcome of a sync covering the log up to target (a
// syncfs of its file system that took d), as fsyncLocked does for an fsync.
func (l *Log) markSynced(target uint64, d time.Duration, err error) {
	l.fsyncs.Add(1)
	l.mu.Lock()
	path := l.path
	l.mu.Unlock()
	l.emit(Event{Op: OpFsync, Path: path, Duration: d, Err: err})
	if err != nil {
		_ = l.fail(OpFsync, err)
		return
	}
	l.mu.Lock()
	if target > l.synced {
		l.synced = target
	}
	l.cond.Broadcast()
	l.mu.Unlock()
}

// gather lets the writers woken by the previous round append their next
// records before this round collects the buffers, so that they share it
// rather than wait a whole round for the next one (PostgreSQL's
// commit_delay): when the previous round served several writers, the
// leader yields for a quarter of that round's duration, at most
// maxGather, and stops earlier once no writer has joined for gatherQuiet.
func (g *Group) gather() {
	if g.lastServed.Load() < gatherMin {
		return
	}
	d := min(g.lastRound/gatherDiv, maxGather)
	start := time.Now()
	last, lastChange := g.waiting.Load(), start
	for {
		runtime.Gosched()
		now := time.Now()
		if w := g.waiting.Load(); w != last {
			last, lastChange = w, now
		}
		if now.Sub(start) >= d || now.Sub(lastChange) >= gatherQuiet {
			return
		}
	}
}

// maxGather bounds the time a round's leader waits for writers to join;
// gatherMin is the number of writers served by the previous round from
// which it waits.
const (
	maxGather = 100 * time.Microsecond
	// gatherQuiet ends the gathering early when no writer joined for
	// that long: the burst of woken writers is over.
	gatherQuiet = 10 * time.Microsecond
	gatherMin   = 4
	gatherDiv   = 4
)

// writeLogs hands the buffer of each log to write() and appends to dirty
// the logs holding records not fsynced yet.
func writeLogs(logs []*Log, dirty []dirtyLog) []dirtyLog {
	for _, l := range logs {
		l.ioMu.Lock()
		_ = l.flushLocked(false) // a failure is in l.err
		l.ioMu.Unlock()
		l.mu.Lock()
		if l.err == nil && l.written > l.synced {
			dirty = append(dirty, dirtyLog{l, l.written})
		}
		l.mu.Unlock()
	}
	return dirty
}
