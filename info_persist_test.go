package kevy_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kevydb/kevy"
)

// TestInfoPersistenceSection checks that INFO persistence reflects a
// database stored in a directory.
func TestInfoPersistenceSection(t *testing.T) {
	db, err := kevy.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Save(); err != nil {
		t.Fatal(err)
	}
	v, err := db.Do(context.Background(), "INFO", "persistence")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"aof_enabled:1\r\n", "rdb_last_bgsave_status:ok\r\n", "aof_last_write_status:ok\r\n"} {
		if !strings.Contains(v.String(), want) {
			t.Errorf("INFO persistence lacks %q:\n%s", want, v)
		}
	}
}
