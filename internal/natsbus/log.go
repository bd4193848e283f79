package natsbus

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
)

// serverLogger adapts slog to the NATS server's logger. The server is chatty
// about routine events, so notices and debug lines go to debug level;
// warnings and errors keep their level. Traces are not enabled.
type serverLogger struct {
	log *slog.Logger

	mu      sync.Mutex // guards lastErr
	lastErr string     // the last error or fatal message, for start-up failures
}

func newServerLogger(log *slog.Logger) *serverLogger {
	return &serverLogger{log: log.With("component", "nats-server")}
}

func (l *serverLogger) emit(level slog.Level, format string, v []any) {
	if !l.log.Enabled(context.Background(), level) {
		return
	}
	l.log.Log(context.Background(), level, fmt.Sprintf(format, v...))
}

func (l *serverLogger) recordErr(format string, v []any) {
	msg := fmt.Sprintf(format, v...)
	l.mu.Lock()
	l.lastErr = msg
	l.mu.Unlock()
}

// lastError returns the last error the server logged, or "".
func (l *serverLogger) lastError() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lastErr
}

func (l *serverLogger) Noticef(format string, v ...any) { l.emit(slog.LevelDebug, format, v) }
func (l *serverLogger) Debugf(format string, v ...any)  { l.emit(slog.LevelDebug, format, v) }
func (l *serverLogger) Tracef(format string, v ...any)  { l.emit(slog.LevelDebug-4, format, v) }
func (l *serverLogger) Warnf(format string, v ...any)   { l.emit(slog.LevelWarn, format, v) }

func (l *serverLogger) Errorf(format string, v ...any) {
	l.recordErr(format, v)
	l.emit(slog.LevelError, format, v)
}

// Fatalf logs at error level and does not exit: the embedding process
// decides what a failed server means.
func (l *serverLogger) Fatalf(format string, v ...any) {
	l.recordErr(format, v)
	l.emit(slog.LevelError, format, v)
}
