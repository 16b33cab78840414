package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// dispatch runs the command named by args.
func dispatch(ctx context.Context, c *client, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError{"no command given"}
	}
	verb := strings.ToLower(args[0])
	switch verb {
	case "create", "show", "describe", "drop", "start", "stop", "restart", "getstatus":
	default:
		return usageError{fmt.Sprintf("unknown command %q", args[0])}
	}
	if len(args) < 2 {
		return usageError{fmt.Sprintf("%s: missing stream or rule", verb)}
	}
	kind, rest := strings.ToLower(args[1]), args[2:]
	switch verb {
	case "create":
		switch kind {
		case "stream":
			return createStream(ctx, c, rest, stdout)
		case "rule":
			return createRule(ctx, c, rest, stdout)
		}
	case "show":
		if len(rest) != 0 {
			return usageError{fmt.Sprintf("show %s takes no argument", kind)}
		}
		switch kind {
		case "streams":
			return showStreams(ctx, c, stdout)
		case "rules":
			return printJSON(ctx, c, stdout, http.MethodGet, "/rules")
		}
	case "describe", "drop", "start", "stop", "restart", "getstatus":
		if len(rest) != 1 {
			return usageError{fmt.Sprintf("%s %s needs exactly one name", verb, kind)}
		}
		return nameCommand(ctx, c, verb, kind, rest[0], stdout)
	}
	return usageError{fmt.Sprintf("unknown command %q", strings.Join(args[:2], " "))}
}

// createStream posts CREATE STREAM followed by the arguments: the shell hands
// `demo '() WITH (...)'` over as two arguments and `demo'() WITH (...)'` as one.
func createStream(ctx context.Context, c *client, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError{"create stream: missing stream name and definition"}
	}
	sql := "CREATE STREAM " + strings.Join(args, " ")
	body, err := json.Marshal(map[string]string{"sql": sql})
	if err != nil {
		return fmt.Errorf("create stream: %w", err)
	}
	return printText(ctx, c, stdout, http.MethodPost, "/streams", body)
}

// createRule posts the rule definition read from -f FILE or given inline,
// with its id set to the name on the command line.
func createRule(ctx context.Context, c *client, args []string, stdout io.Writer) error {
	var id string
	var src []byte
	switch {
	case len(args) == 3 && args[1] == "-f":
		id = args[0]
		data, err := os.ReadFile(args[2])
		if err != nil {
			return fmt.Errorf("create rule %s: %w", id, err)
		}
		src = data
	case len(args) == 2:
		id, src = args[0], []byte(args[1])
	default:
		return usageError{"create rule: want ID -f FILE or ID 'JSON'"}
	}
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	var def map[string]any
	if err := dec.Decode(&def); err != nil || def == nil {
		if err == nil {
			err = errors.New("not a JSON object")
		}
		return fmt.Errorf("create rule %s: invalid rule JSON: %w", id, err)
	}
	def["id"] = id
	body, err := json.Marshal(def)
	if err != nil {
		return fmt.Errorf("create rule %s: %w", id, err)
	}
	return printText(ctx, c, stdout, http.MethodPost, "/rules", body)
}

func showStreams(ctx context.Context, c *client, stdout io.Writer) error {
	data, err := c.do(ctx, http.MethodGet, "/streams", nil)
	if err != nil {
		return err
	}
	var names []string
	if err := json.Unmarshal(data, &names); err != nil {
		return fmt.Errorf("show streams: decode %q: %w", data, err)
	}
	if len(names) == 0 {
		_, err = fmt.Fprintln(stdout, "No stream definitions are found.")
		return err
	}
	for _, n := range names {
		if _, err := fmt.Fprintln(stdout, n); err != nil {
			return err
		}
	}
	return nil
}

// nameCommand runs a command on one named stream or rule.
func nameCommand(ctx context.Context, c *client, verb, kind, name string, stdout io.Writer) error {
	esc := url.PathEscape(name)
	switch {
	case verb == "describe" && kind == "stream":
		return printJSON(ctx, c, stdout, http.MethodGet, "/streams/"+esc)
	case verb == "describe" && kind == "rule":
		return printJSON(ctx, c, stdout, http.MethodGet, "/rules/"+esc)
	case verb == "drop" && kind == "stream":
		return printText(ctx, c, stdout, http.MethodDelete, "/streams/"+esc, nil)
	case verb == "drop" && kind == "rule":
		return printText(ctx, c, stdout, http.MethodDelete, "/rules/"+esc, nil)
	case kind == "rule" && (verb == "start" || verb == "stop" || verb == "restart"):
		return printText(ctx, c, stdout, http.MethodPost, "/rules/"+esc+"/"+verb, nil)
	case verb == "getstatus" && kind == "rule":
		return printJSON(ctx, c, stdout, http.MethodGet, "/rules/"+esc+"/status")
	}
	return usageError{fmt.Sprintf("unknown command %q", verb+" "+kind)}
}

// printText prints the response body as it is.
func printText(ctx context.Context, c *client, stdout io.Writer, method, path string, body []byte) error {
	data, err := c.do(ctx, method, path, body)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, string(data))
	return err
}

// printJSON prints the JSON response body indented.
func printJSON(ctx context.Context, c *client, stdout io.Writer, method, path string) error {
	data, err := c.do(ctx, method, path, nil)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, data, "", "  "); err != nil {
		out.Reset()
		out.Write(data)
	}
	_, err = fmt.Fprintln(stdout, out.String())
	return err
}
