package seed

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/kurultai/kurultai/internal/auth"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// Account is one demo account as written to demo-accounts.json.
type Account struct {
	Username    string        `json:"username"`
	Password    string        `json:"password"`
	Participant string        `json:"participant"`
	Role        kurultai.Role `json:"role"`
}

// DemoAccounts lists the demo accounts without passwords: a liaison per
// member and observer, a secretariat officer and auditor, one for the
// chair and an administrator.
func DemoAccounts(parts []kurultai.Participant, chair string) []Account {
	var out []Account
	sec := ""
	for _, p := range parts {
		if p.Kind == kurultai.KindSecretariat {
			if sec == "" {
				sec = p.Code
			}
			continue
		}
		out = append(out, Account{Username: strings.ToLower(p.Code) + "-liaison", Participant: p.Code, Role: kurultai.RoleLiaison})
	}
	if sec != "" {
		out = append(out,
			Account{Username: strings.ToLower(sec) + "-officer", Participant: sec, Role: kurultai.RoleSecretariat},
			Account{Username: strings.ToLower(sec) + "-auditor", Participant: sec, Role: kurultai.RoleAuditor},
			Account{Username: "admin", Participant: sec, Role: kurultai.RoleAdmin})
	}
	return append(out, Account{Username: strings.ToLower(chair) + "-chair", Participant: chair, Role: kurultai.RoleChair})
}

// Demo creates the demo accounts, keeping the passwords recorded in path
// when the data directory is reused, writes path (mode 0600) and stores the
// demo objects. It returns the accounts with their passwords.
func Demo(ctx context.Context, st kurultai.Store, parts []kurultai.Participant, chair, path string, signer Signer, clock kurultai.Clock) ([]Account, error) {
	known := map[string]string{}
	if data, err := os.ReadFile(path); err == nil {
		var prev []Account
		if err := json.Unmarshal(data, &prev); err != nil {
			return nil, fmt.Errorf("seed: %s: %w", path, err)
		}
		for _, a := range prev {
			known[a.Username] = a.Password
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("seed: %w", err)
	}
	accounts := DemoAccounts(parts, chair)
	for i := range accounts {
		a := &accounts[i]
		pw, reuse := known[a.Username]
		u, err := st.UserByName(ctx, a.Username)
		exists := err == nil
		if err != nil && kurultai.ErrorCode(err) != kurultai.CodeNotFound {
			return nil, fmt.Errorf("seed: user %s: %w", a.Username, err)
		}
		if exists && reuse {
			a.Password = pw
			continue
		}
		if !reuse {
			if pw, err = NewPassword(); err != nil {
				return nil, err
			}
		}
		a.Password = pw
		hash, err := auth.HashPassword(pw)
		if err != nil {
			return nil, fmt.Errorf("seed: %w", err)
		}
		if exists {
			err = st.SetPasswordHash(ctx, u.ID, hash)
		} else {
			_, err = st.CreateUser(ctx, kurultai.User{Username: a.Username, Participant: a.Participant, Role: a.Role, PasswordHash: hash, Created: clock()})
		}
		if err != nil {
			return nil, fmt.Errorf("seed: user %s: %w", a.Username, err)
		}
	}
	data, err := json.MarshalIndent(accounts, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o600); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	if err := demoObjects(ctx, st, parts, signer, clock); err != nil {
		return nil, err
	}
	return accounts, nil
}

// Signer signs an object's JSON as this node (see internal/trust).
type Signer interface {
	Sign(raw []byte) ([]byte, error)
}

// NewPassword returns a random password: 26 base32 characters, 128 bits.
func NewPassword() (string, error) { return rand.Text(), nil }
