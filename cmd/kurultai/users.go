package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/kurultai/kurultai/internal/auth"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
)

const userAddUsage = `user add [--data DIR | --database URL] --username NAME --participant CODE --role ROLE [--password-file FILE]

Creates a user of a participant with one role: liaison, chair, secretariat,
admin or auditor. The password is read from the first line of
--password-file; without it a random password is generated and printed once.
Only a hash of the password is stored. Safe to run while the node serves.`

const tokenCreateUsage = `token create [--data DIR | --database URL] --username NAME [--label TEXT] [--expires DURATION]

Creates a bearer API token for a user and prints it once; only its hash is
stored. Clients send it as 'Authorization: Bearer <token>'. --expires is a
Go duration such as 720h; 0 means the token does not expire.`

func runUser(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprintln(stderr, "Usage: kurultai user add --help")
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			return nil
		}
		return errUsage
	}
	fs := newFlagSet("user add", userAddUsage, stderr)
	data := fs.String("data", dataDefault(env), "data `directory` of the node (env KURULTAI_DATA)")
	database := databaseFlag(fs, env)
	username := fs.String("username", "", "user `name` (letters, digits, '.', '-', '_')")
	participant := fs.String("participant", "", "participant `code`, e.g. KZ")
	role := fs.String("role", "", "`role`: liaison, chair, secretariat, admin, auditor")
	pwFile := fs.String("password-file", "", "read the password from this `file`")
	if help, err := parse(fs, args[1:]); help || err != nil {
		return err
	}
	if err := validUsername(*username); err != nil {
		return err
	}
	if !kurultai.Role(*role).Valid() {
		return fmt.Errorf("--role: %q is not one of liaison, chair, secretariat, admin, auditor", *role)
	}
	st, err := openStore(ctx, *data, *database)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Participant(ctx, *participant); err != nil {
		return fmt.Errorf("--participant: %q is not a participant of this node", *participant)
	}
	pw, generated := "", false
	if *pwFile != "" {
		b, err := os.ReadFile(*pwFile)
		if err != nil {
			return fmt.Errorf("--password-file: %w", err)
		}
		pw = strings.TrimRight(strings.SplitN(string(b), "\n", 2)[0], "\r")
		if len(pw) < 12 {
			return fmt.Errorf("--password-file: the password must have at least 12 characters")
		}
	} else {
		if pw, err = seed.NewPassword(); err != nil {
			return err
		}
		generated = true
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	u, err := st.CreateUser(ctx, kurultai.User{Username: *username, Participant: *participant, Role: kurultai.Role(*role), PasswordHash: hash, Created: time.Now()})
	if err != nil {
		if kurultai.ErrorCode(err) == kurultai.CodeConflict {
			return fmt.Errorf("--username: %q already exists", *username)
		}
		return err
	}
	fmt.Fprintf(stdout, "created user %s (id %d): %s of %s\n", u.Username, u.ID, u.Role, u.Participant)
	if generated {
		fmt.Fprintf(stdout, "password: %s\n", pw)
	}
	return nil
}

func runToken(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(stderr, "Usage: kurultai token create --help")
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			return nil
		}
		return errUsage
	}
	fs := newFlagSet("token create", tokenCreateUsage, stderr)
	data := fs.String("data", dataDefault(env), "data `directory` of the node (env KURULTAI_DATA)")
	database := databaseFlag(fs, env)
	username := fs.String("username", "", "the `user` the token acts as")
	label := fs.String("label", "", "a `label` to recognise the token by")
	expires := fs.Duration("expires", 0, "lifetime, e.g. 720h; 0 never expires")
	if help, err := parse(fs, args[1:]); help || err != nil {
		return err
	}
	if *expires < 0 {
		return fmt.Errorf("--expires: must not be negative")
	}
	st, err := openStore(ctx, *data, *database)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.UserByName(ctx, *username)
	if err != nil {
		return fmt.Errorf("--username: no user %q", *username)
	}
	id, secret, full, err := auth.NewToken()
	if err != nil {
		return err
	}
	t := kurultai.Token{ID: id, UserID: u.ID, Label: *label, Hash: auth.TokenHash(secret), Created: time.Now()}
	if *expires > 0 {
		t.Expires = t.Created.Add(*expires)
	}
	if err := st.CreateToken(ctx, t); err != nil {
		return err
	}
	fmt.Fprintln(stdout, full)
	return nil
}

func dataDefault(env func(string) string) string {
	if d := env("KURULTAI_DATA"); d != "" {
		return d
	}
	return "kurultai-data"
}

func validUsername(s string) error {
	if len(s) < 2 || len(s) > 64 {
		return fmt.Errorf("--username: must have 2 to 64 characters")
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_'
		if !ok {
			return fmt.Errorf("--username: %q has a character other than letters, digits, '.', '-', '_'", s)
		}
	}
	return nil
}
