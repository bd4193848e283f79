package storetest

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

func testPing(t *testing.T, s kurultai.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	n, err := s.CountObjects(t.Context())
	if err != nil || n != 0 {
		t.Fatalf("CountObjects of an empty store = %d, %v; want 0, nil", n, err)
	}
}

func testParticipants(t *testing.T, s kurultai.Store) {
	ctx := t.Context()
	want := []kurultai.Participant{
		{Code: "KZ", Name: "Kazakhstan", Kind: kurultai.KindMember},
		{Code: "HU", Name: "Hungary", Kind: kurultai.KindObserver},
		{Code: "SEC", Name: "Secretariat", Kind: kurultai.KindSecretariat},
	}
	for _, p := range want {
		if err := s.PutParticipant(ctx, p); err != nil {
			t.Fatalf("PutParticipant(%+v): %v", p, err)
		}
	}
	// Upsert: the second put replaces the first.
	want[0].Name = "Republic of Kazakhstan"
	if err := s.PutParticipant(ctx, want[0]); err != nil {
		t.Fatalf("PutParticipant again: %v", err)
	}
	got, err := s.Participant(ctx, "KZ")
	if err != nil || got != want[0] {
		t.Errorf("Participant(KZ) = %+v, %v; want %+v", got, err, want[0])
	}
	list, err := s.Participants(ctx)
	if err != nil {
		t.Fatalf("Participants: %v", err)
	}
	byCode := []kurultai.Participant{want[1], want[0], want[2]} // HU, KZ, SEC
	if !reflect.DeepEqual(list, byCode) {
		t.Errorf("Participants = %+v, want %+v (by code)", list, byCode)
	}
	_, err = s.Participant(ctx, "XX")
	wantCode(t, "Participant(XX)", err, kurultai.CodeNotFound)
	err = s.PutParticipant(ctx, kurultai.Participant{Code: "ZZ", Kind: "emperor"})
	wantCode(t, "PutParticipant(bad kind)", err, kurultai.CodeInvalid)
}

func testUsers(t *testing.T, s kurultai.Store) {
	ctx := t.Context()
	fixture(t, s)
	created := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)
	u, err := s.CreateUser(ctx, kurultai.User{Username: "aigerim", Participant: "KZ", Role: kurultai.RoleLiaison, PasswordHash: "h1", Created: created})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if u.ID <= 0 {
		t.Errorf("CreateUser: ID = %d, want > 0", u.ID)
	}
	u2, err := s.CreateUser(ctx, kurultai.User{Username: "mehmet", Participant: "TR", Role: kurultai.RoleChair, Disabled: true})
	if err != nil {
		t.Fatalf("CreateUser(mehmet): %v", err)
	}
	if u2.ID == u.ID || u2.Created.IsZero() {
		t.Errorf("second user: ID %d (first %d), Created %v; want a new ID and a creation time", u2.ID, u.ID, u2.Created)
	}
	_, err = s.CreateUser(ctx, kurultai.User{Username: "aigerim", Participant: "TR", Role: kurultai.RoleLiaison})
	wantCode(t, "CreateUser(duplicate)", err, kurultai.CodeConflict)
	_, err = s.CreateUser(ctx, kurultai.User{Username: "nobody", Participant: "XX", Role: kurultai.RoleLiaison})
	wantCode(t, "CreateUser(unknown participant)", err, kurultai.CodeInvalid)

	for name, get := range map[string]func() (kurultai.User, error){
		"UserByName": func() (kurultai.User, error) { return s.UserByName(ctx, "aigerim") },
		"UserByID":   func() (kurultai.User, error) { return s.UserByID(ctx, u.ID) },
	} {
		got, err := get()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.ID != u.ID || got.Username != "aigerim" || got.Participant != "KZ" || got.Role != kurultai.RoleLiaison ||
			got.PasswordHash != "h1" || !got.Created.Equal(created) || got.Disabled {
			t.Errorf("%s = %+v, want %+v", name, got, u)
		}
	}
	if err := s.SetPasswordHash(ctx, u.ID, "h2"); err != nil {
		t.Fatalf("SetPasswordHash: %v", err)
	}
	if got, err := s.UserByName(ctx, "aigerim"); err != nil || got.PasswordHash != "h2" {
		t.Errorf("after SetPasswordHash: %+v, %v; want hash h2", got, err)
	}
	users, err := s.Users(ctx)
	if err != nil || len(users) != 2 || users[0].ID != u.ID || users[1].ID != u2.ID || !users[1].Disabled {
		t.Errorf("Users = %+v, %v; want aigerim then mehmet (disabled)", users, err)
	}
	_, err = s.UserByName(ctx, "nobody")
	wantCode(t, "UserByName(missing)", err, kurultai.CodeNotFound)
	_, err = s.UserByID(ctx, 999999)
	wantCode(t, "UserByID(missing)", err, kurultai.CodeNotFound)
	err = s.SetPasswordHash(ctx, 999999, "x")
	wantCode(t, "SetPasswordHash(missing)", err, kurultai.CodeNotFound)
}

func testTokens(t *testing.T, s kurultai.Store) {
	ctx := t.Context()
	fixture(t, s)
	u, err := s.CreateUser(ctx, kurultai.User{Username: "aigerim", Participant: "KZ", Role: kurultai.RoleLiaison})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	created := time.Date(2024, 1, 1, 0, 0, 0, 5, time.UTC)
	expires := created.Add(90 * 24 * time.Hour)
	tokens := []kurultai.Token{
		{ID: "tok1", UserID: u.ID, Label: "cli", Hash: bytes.Repeat([]byte{0xab}, 32), Created: created},
		{ID: "tok2", UserID: u.ID, Label: "feed", Hash: bytes.Repeat([]byte{0x01}, 32), Created: created, Expires: expires},
	}
	for _, tok := range tokens {
		if err := s.CreateToken(ctx, tok); err != nil {
			t.Fatalf("CreateToken(%s): %v", tok.ID, err)
		}
	}
	for _, want := range tokens {
		got, err := s.TokenByID(ctx, want.ID)
		if err != nil {
			t.Fatalf("TokenByID(%s): %v", want.ID, err)
		}
		if got.ID != want.ID || got.UserID != want.UserID || got.Label != want.Label || !bytes.Equal(got.Hash, want.Hash) ||
			!got.Created.Equal(want.Created) || !got.Expires.Equal(want.Expires) || got.Expires.IsZero() != want.Expires.IsZero() {
			t.Errorf("TokenByID(%s) = %+v, want %+v", want.ID, got, want)
		}
	}
	listed, err := s.Tokens(ctx)
	if err != nil || len(listed) != 2 {
		t.Fatalf("Tokens = %d tokens, %v; want 2", len(listed), err)
	}
	for i, got := range listed {
		want := tokens[i]
		if got.ID != want.ID || got.UserID != want.UserID || got.Label != want.Label || got.Hash != nil ||
			!got.Created.Equal(want.Created) || !got.Expires.Equal(want.Expires) {
			t.Errorf("Tokens()[%d] = %+v, want %+v without its hash", i, got, want)
		}
	}
	err = s.CreateToken(ctx, kurultai.Token{ID: "tok1", UserID: u.ID, Hash: []byte{1}})
	wantCode(t, "CreateToken(duplicate)", err, kurultai.CodeConflict)
	err = s.CreateToken(ctx, kurultai.Token{ID: "tok3", UserID: 999999, Hash: []byte{1}})
	wantCode(t, "CreateToken(unknown user)", err, kurultai.CodeInvalid)
	_, err = s.TokenByID(ctx, "nope")
	wantCode(t, "TokenByID(missing)", err, kurultai.CodeNotFound)
}

func testCollections(t *testing.T, s kurultai.Store) {
	ctx := t.Context()
	a := kurultai.Collection{ID: collID, Title: "Intel", Description: "shared", Alias: "intel"}
	b := kurultai.Collection{ID: otherColl, Title: "Other"}
	for _, c := range []kurultai.Collection{a, b} {
		if err := s.PutCollection(ctx, c); err != nil {
			t.Fatalf("PutCollection(%s): %v", c.ID, err)
		}
	}
	a.Title = "Intelligence"
	if err := s.PutCollection(ctx, a); err != nil {
		t.Fatalf("PutCollection again: %v", err)
	}
	got, err := s.Collection(ctx, collID)
	if err != nil || got != a {
		t.Errorf("Collection = %+v, %v; want %+v", got, err, a)
	}
	list, err := s.Collections(ctx)
	if err != nil || !reflect.DeepEqual(list, []kurultai.Collection{a, b}) {
		t.Errorf("Collections = %+v, %v; want %+v", list, err, []kurultai.Collection{a, b})
	}
	_, err = s.Collection(ctx, "00000000-0000-0000-0000-000000000000")
	wantCode(t, "Collection(missing)", err, kurultai.CodeNotFound)
	b.Alias = "intel"
	err = s.PutCollection(ctx, b)
	wantCode(t, "PutCollection(taken alias)", err, kurultai.CodeConflict)
}

func testStandardMarkings(t *testing.T, s kurultai.Store) {
	ms, err := s.Markings(t.Context())
	if err != nil {
		t.Fatalf("Markings: %v", err)
	}
	got := map[string]kurultai.Marking{}
	for _, m := range ms {
		got[m.ID] = m
	}
	for id, level := range kurultai.StandardTLP {
		m, ok := got[id]
		if !ok || m.TLP != level || m.Releasability {
			t.Errorf("Markings()[%s] = %+v, %v; want TLP %s", id, m, ok, level)
		}
	}
}
