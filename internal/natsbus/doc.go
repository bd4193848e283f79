// Package natsbus implements kurultai.Bus on NATS.
//
// By default Start runs a NATS server inside the process, with JetStream
// storing its data under Config.Dir and syncing every write to disk, and
// connects to it without a network socket. Config.Listen additionally opens
// a TCP listener (for tests and federation); Config.URLs instead connects to
// an external NATS cluster, which is how a deployment scales out.
//
// Publish and Subscribe are plain NATS messages: fast, best effort, for
// notifications between the parts of a node. PublishDurable writes to the
// JetStream stream KURULTAI, which captures every subject under "kurultai.",
// deduplicates by message id and acknowledges only once the message is
// stored. Because the stream captures its whole subject space, plain
// notifications should use subjects outside "kurultai." or they are stored
// too.
//
// Against an external cluster the stream is replicated on up to three
// servers (Config.Replicas overrides the choice); JetStream acknowledges a
// write only once a majority of the replicas stored it, so an acknowledged
// write survives losing one server. The connection reconnects by itself,
// to any server of the cluster, for as long as the process runs, and its
// subscriptions come back with it. While it is down, Ready and Ping report
// an error with kurultai.CodeUnavailable, which the HTTP surfaces answer
// with 503 and Retry-After. Package natstest runs such a cluster inside a
// test.
package natsbus
