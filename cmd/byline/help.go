package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
)

// flagSets returns each command's flags, for help.
func flagSets() map[string]*flag.FlagSet {
	return map[string]*flag.FlagSet{
		"serve":      serveFlags(&Config{}),
		"import":     importFlags(&importConfig{}),
		"export":     exportFlags(&exportConfig{}),
		"messages":   messagesFlags(&messagesConfig{}),
		"user":       userFlags(&userConfig{}),
		"migrate-db": migrateDBFlags(&migrateDBConfig{}),
	}
}

// runHelp explains the program or one command, with each flag's
// environment variable.
func runHelp(_ context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		fmt.Fprintln(stdout, "\nCommands:")
		cmds := commands()
		names := make([]string, 0, len(cmds))
		for name := range cmds {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			fmt.Fprintf(stdout, "  %-8s %s\n", name, cmds[name].summary)
		}
		fmt.Fprintln(stdout, "\nRun 'byline help COMMAND' for its flags.")
		return nil
	}
	cmd, ok := commands()[args[0]]
	if !ok {
		return usageError{fmt.Sprintf("unknown command %q", args[0])}
	}
	fmt.Fprintf(stdout, "byline %s: %s\n", args[0], cmd.summary)
	fs, ok := flagSets()[args[0]]
	if !ok {
		return nil
	}
	fmt.Fprintln(stdout, "\nFlags (environment variable in brackets):")
	fs.VisitAll(func(f *flag.Flag) {
		env := ""
		if v, ok := envVars[f.Name]; ok {
			env = " [" + v + "]"
		} else if v, ok := contactEnvVars[f.Name]; ok {
			env = " [" + v + "]"
		} else if v, ok := newsletterEnvVars[f.Name]; ok {
			env = " [" + v + "]"
		}
		def := ""
		if f.DefValue != "" {
			def = fmt.Sprintf(" (default %q)", f.DefValue)
		}
		fmt.Fprintf(stdout, "  --%s%s\n      %s%s\n", f.Name, env, f.Usage, def)
	})
	return nil
}
