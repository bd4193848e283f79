package federation

import (
	"context"
	"fmt"
	"log/slog"
)

// natsLog adapts slog to the NATS server's logger: notices and debug lines
// go to debug level, warnings and errors keep theirs.
type natsLog struct{ log *slog.Logger }

func (l *natsLog) emit(level slog.Level, format string, v []any) {
	if l.log.Enabled(context.Background(), level) {
		l.log.Log(context.Background(), level, fmt.Sprintf(format, v...))
	}
}

func (l *natsLog) Noticef(format string, v ...any) { l.emit(slog.LevelDebug, format, v) }
func (l *natsLog) Debugf(format string, v ...any)  { l.emit(slog.LevelDebug, format, v) }
func (l *natsLog) Tracef(format string, v ...any)  { l.emit(slog.LevelDebug-4, format, v) }
func (l *natsLog) Warnf(format string, v ...any)   { l.emit(slog.LevelWarn, format, v) }
func (l *natsLog) Errorf(format string, v ...any)  { l.emit(slog.LevelError, format, v) }
func (l *natsLog) Fatalf(format string, v ...any)  { l.emit(slog.LevelError, format, v) }
