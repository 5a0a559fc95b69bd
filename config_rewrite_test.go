package kevy_test

import (
	"context"
	"errors"
	"testing"

	"github.com/kevydb/kevy"
)

// TestSetConfigRewriter: CONFIG REWRITE fails without a rewriter, as
// Redis does without a config file, and otherwise hands the rewriter the
// current parameters.
func TestSetConfigRewriter(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, nil)
	if _, err := db.Do(ctx, "CONFIG", "REWRITE"); err == nil || err.Error() != "kevy: ERR The server is running without a config file" {
		t.Fatalf("no rewriter: err = %v", err)
	}
	if _, err := db.Do(ctx, "CONFIG", "SET", "maxmemory", "2mb"); err != nil {
		t.Fatal(err)
	}
	var got []kevy.ConfigParam
	db.SetConfigRewriter(func(ps []kevy.ConfigParam) error { got = ps; return nil })
	if _, err := db.Do(ctx, "CONFIG", "REWRITE"); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range got {
		if p.Name == "maxmemory" {
			found = p.Value == "2097152" && p.Line == "maxmemory 2mb"
		}
	}
	if !found {
		t.Errorf("maxmemory not handed over as 2mb: %+v", got)
	}
	params, err := db.ConfigParams()
	if err != nil || len(params) != len(got) {
		t.Errorf("ConfigParams: %d params, %v; the rewriter got %d", len(params), err, len(got))
	}
	db.SetConfigRewriter(func([]kevy.ConfigParam) error { return errors.New("No space left on device") })
	if _, err := db.Do(ctx, "CONFIG", "REWRITE"); err == nil || err.Error() != "kevy: ERR Rewriting config file: No space left on device" {
		t.Errorf("failing rewriter: err = %v", err)
	}
	db.Close()
	if _, err := db.ConfigParams(); !errors.Is(err, kevy.ErrClosed) {
		t.Errorf("ConfigParams after Close: %v", err)
	}
}
