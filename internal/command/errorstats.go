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

type errorStats struct {
	total atomic.Int64
	// by maps an error code to its count. The map is replaced as a whole
	// (under mu) when a code is first seen, so that counting a known code
	// takes no lock.
	by atomic.Pointer[map[string]*atomic.Int64]
	mu sync.Mutex
}

// CountError counts an error reply of text msg ("WRONGTYPE Operation
// against...") for INFO: its code is the first word when a space ends it
// within the first 31 bytes, else ERR, as Redis counts them (its 32 bytes
// include the leading '-').
func (e *Engine) CountError(msg string) {
	msg = strings.TrimPrefix(msg, "-")
	code := "ERR"
	if i := strings.IndexByte(msg[:min(len(msg), 31)], ' '); i > 0 {
		code = msg[:i]
	}
	st := &e.errors
	st.total.Add(1)
	if m := st.by.Load(); m != nil {
		if n := (*m)[code]; n != nil {
			n.Add(1)
			return
		}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	old := st.by.Load()
	if old != nil {
		if n := (*old)[code]; n != nil { // added meanwhile
			n.Add(1)
			return
		}
	}
	m := make(map[string]*atomic.Int64, 1)
	if old != nil {
		for c, n := range *old {
			m[c] = n
		}
	}
	n := new(atomic.Int64)
	n.Store(1)
	m[strings.Clone(code)] = n // not a view of the whole message
	st.by.Store(&m)
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
	if m := st.by.Load(); m != nil {
		for c, n := range *m {
			by = append(by, InfoErrorStat{Code: c, Count: n.Load()})
		}
	}
	slices.SortFunc(by, func(a, b InfoErrorStat) int { return strings.Compare(a.Code, b.Code) })
	return st.total.Load(), by
}

// resetErrors zeroes the error counts (CONFIG RESETSTAT).
func (e *Engine) resetErrors() {
	st := &e.errors
	st.mu.Lock()
	st.by.Store(nil)
	st.total.Store(0)
	st.mu.Unlock()
}
