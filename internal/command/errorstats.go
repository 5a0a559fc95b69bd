package command

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Error statistics: INFO's total_error_replies and errorstats section,
// counted by the front ends that send error replies (the RESP server,
// Do and Pipe) through Engine.CountError.

// maxErrorPrefixes bounds the distinct error codes counted; further ones
// are counted under ERRORSTATS_OVERFLOW, as Redis does.
const maxErrorPrefixes = 128

type errorStats struct {
	total atomic.Int64
	mu    sync.Mutex
	by    map[string]int64
}

// CountError counts an error reply of text msg ("WRONGTYPE Operation
// against...") for INFO: its code is the first word when a space ends it
// within 32 bytes, else ERR, as Redis counts them.
func (e *Engine) CountError(msg string) {
	msg = strings.TrimPrefix(msg, "-")
	code := "ERR"
	if i := strings.IndexByte(msg[:min(len(msg), 32)], ' '); i > 0 {
		code = msg[:i]
	}
	st := &e.errors
	st.total.Add(1)
	st.mu.Lock()
	if st.by == nil {
		st.by = map[string]int64{}
	}
	if _, ok := st.by[code]; !ok && len(st.by) >= maxErrorPrefixes {
		code = "ERRORSTATS_OVERFLOW"
	}
	st.by[code]++
	st.mu.Unlock()
}

// InfoErrorStat is one line of INFO's errorstats section.
type InfoErrorStat struct {
	Code  string // "ERR", "WRONGTYPE"...
	Count int64
}

// errorInfo returns the error counts, by code in byte order (Redis's
// radix tree order).
func (e *Engine) errorInfo() (total int64, by []InfoErrorStat) {
	st := &e.errors
	st.mu.Lock()
	for c, n := range st.by {
		by = append(by, InfoErrorStat{Code: c, Count: n})
	}
	st.mu.Unlock()
	slices.SortFunc(by, func(a, b InfoErrorStat) int { return strings.Compare(a.Code, b.Code) })
	return st.total.Load(), by
}

// resetErrors zeroes the error counts (CONFIG RESETSTAT).
func (e *Engine) resetErrors() {
	st := &e.errors
	st.mu.Lock()
	st.by = nil
	st.total.Store(0)
	st.mu.Unlock()
}
