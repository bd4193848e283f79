package postgres

import "testing"

func TestNextChunk(t *testing.T) {
	tests := []struct {
		name                             string
		chunk, need, acc, scanned, round int
		want                             int
	}{
		{"nothing accepted grows fourfold", 1001, 1001, 0, 1001, 1, 4004},
		{"a few withheld fetch a few more", 1001, 34, 967, 1001, 1, 34*1001/967 + 34/4 + 64},
		{"half withheld fetch twice the need", 1001, 501, 500, 1001, 1, 501*1001/500 + 501/4 + 64},
		{"a rate that let a chunk down doubles", 100, 10, 990, 1100, 2, 200},
		{"never more than fourfold", 1001, 1000, 1, 1001, 1, 4004},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nextChunk(tt.chunk, tt.need, tt.acc, tt.scanned, tt.round); got != tt.want {
				t.Errorf("nextChunk(%d, %d, %d, %d, %d) = %d, want %d", tt.chunk, tt.need, tt.acc, tt.scanned, tt.round, got, tt.want)
			}
		})
	}
}
