package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"

	"github.com/kevydb/kevy"
)

// parseFlagsN parses a subcommand's flags and requires exactly n
// positional arguments, named in usage.
func parseFlagsN(fs *flag.FlagSet, args []string, n int) error {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return flag.ErrHelp
	case err != nil:
		return errUsage
	case fs.NArg() != n:
		fmt.Fprintf(fs.Output(), "kevy %s: want %d argument(s), got %d\n", fs.Name(), n, fs.NArg())
		fs.Usage()
		return errUsage
	}
	return nil
}

func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fset := flag.NewFlagSet(name, flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.Usage = func() {
		fmt.Fprint(fset.Output(), usage)
		fset.PrintDefaults()
	}
	return fset
}

// exportCmd is "kevy export --rdb FILE DIR".
func exportCmd(args []string, stdout, stderr io.Writer) error {
	fset := newFlagSet("export", "Usage: kevy export --rdb FILE DIR\n\nWrite the database stored in DIR as one RDB file that redis-server 7 loads.\nDIR must not be in use by a running server.\n\nFlags:\n", stderr)
	file := fset.String("rdb", "", "the RDB `file` to write (required)")
	databases := fset.Int("databases", 0, "`number` of logical databases; 0 means 16")
	if err := parseFlagsN(fset, args, 1); err != nil {
		return helpOK(err)
	}
	if *file == "" {
		fmt.Fprintln(stderr, "kevy export: --rdb is required")
		fset.Usage()
		return errUsage
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	if err := kevy.ExportRDB(fset.Arg(0), *file, &kevy.Options{Databases: *databases, Logger: logger}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "exported %s to %s\n", fset.Arg(0), *file)
	return nil
}

// importCmd is "kevy import FILE DIR".
func importCmd(args []string, stdout, stderr io.Writer) error {
	fset := newFlagSet("import", "Usage: kevy import [flags] FILE DIR\n\nCreate the database directory DIR from FILE, an RDB file written by\nredis-server (or kevy export). DIR must not hold a database.\n\nFlags:\n", stderr)
	shards := fset.Int("shards", 0, "`number` of shards; 0 means "+strconv.Itoa(kevy.DefaultShards))
	databases := fset.Int("databases", 0, "`number` of logical databases; 0 means 16")
	if err := parseFlagsN(fset, args, 2); err != nil {
		return helpOK(err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	if err := kevy.ImportRDB(fset.Arg(0), fset.Arg(1), &kevy.Options{Shards: *shards, Databases: *databases, Logger: logger}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %s into %s\n", fset.Arg(0), fset.Arg(1))
	return nil
}

// checkCmd is "kevy check DIR".
func checkCmd(args []string, stdout, stderr io.Writer) error {
	fset := newFlagSet("check", "Usage: kevy check [flags] DIR\n\nVerify every file of the database directory DIR and say what opening it\nwould do (truncate a torn log tail, fail on damage, re-shard...).\nNothing is modified.\n\nFlags:\n", stderr)
	shards := fset.Int("shards", 0, "shard `number` the database would be opened with; 0 means the directory's own count")
	databases := fset.Int("databases", 0, "`number` of logical databases; 0 means 16")
	if err := parseFlagsN(fset, args, 1); err != nil {
		return helpOK(err)
	}
	err := kevy.CheckDir(fset.Arg(0), &kevy.Options{Shards: *shards, Databases: *databases}, stdout)
	if errors.Is(err, kevy.ErrCorrupt) {
		return fmt.Errorf("check: %s has damaged or missing files (see the report above)", fset.Arg(0))
	}
	return err
}

// helpOK turns -h into success.
func helpOK(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}
