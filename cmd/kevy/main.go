// Command kevy runs the kevy server and its tools.
//
// Usage:
//
//	kevy serve [flags]            serve a database over the Redis protocol
//	kevy export --rdb FILE DIR    write a database as one RDB file for redis-server
//	kevy import FILE DIR          create a database from an RDB file of redis-server
//	kevy check DIR                verify a database directory
//	kevy version                  print the version
//	kevy help            print this help
//
// Run "kevy serve -h" for the server's flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `kevy is an in-process, Redis-compatible key-value store.

Usage:

	kevy <command> [flags]

Commands:

	serve     serve a database over the Redis protocol (RESP2/RESP3)
	export    write a database directory as one RDB file (kevy export --rdb FILE DIR)
	import    create a database directory from an RDB file (kevy import FILE DIR)
	check     verify a database directory and say what opening it would do
	version   print the version
	help      print this help

Run "kevy <command> -h" for the flags of a command.
`

// errUsage reports a command line error whose message was already
// printed; the process exits with status 2.
var errUsage = errors.New("usage error")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, stop)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "kevy:", err)
		os.Exit(1)
	}
}

// run executes the command line args. Cancelling ctx (SIGINT, SIGTERM)
// stops a running server gracefully; onSignal is called once that
// happens, so that a second signal kills the process the default way.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, onSignal func()) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr, onSignal)
	case "export":
		return exportCmd(args[1:], stdout, stderr)
	case "import":
		return importCmd(args[1:], stdout, stderr)
	case "check":
		return checkCmd(args[1:], stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, versionString())
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "kevy: unknown command %q\n\n%s", args[0], usage)
	return errUsage
}

// parseFlags parses a subcommand's flags, printing errors and help to
// stderr. It returns errUsage for bad flags and flag.ErrHelp for -h.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return flag.ErrHelp
	case err != nil:
		return errUsage
	case fs.NArg() > 0:
		fmt.Fprintf(fs.Output(), "kevy %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	return nil
}
