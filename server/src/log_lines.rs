//! Where the daemon's log lines go: a thread of their own writes them, in
//! batches.

use std::{
    io::{self, BufWriter, Write},
    time::Duration,
};

/// How long the log thread rests after writing a batch. Lines logged
/// meanwhile queue without waking it (a wake-up per line, one per request
/// at the default level, cost the daemon more than formatting the lines)
/// and go out together in one write. An idle daemon's thread sleeps until
/// a line comes.
const REST: Duration = Duration::from_millis(2);

/// How many lines may wait for the log thread before a thread that logs
/// waits too: some 80 ms of lines at 50,000 requests a second.
pub const QUEUED_LINES: usize = 4096;

/// Buffers lines and writes them to `W` on `flush`, which tracing-appender's
/// worker calls each time it has taken every line queued (its loop in
/// 0.2.5: block for one line, take the rest, flush).
pub struct Batches<W: Write> {
    out: BufWriter<W>,
}

impl<W: Write> Batches<W> {
    pub fn new(out: W) -> Batches<W> {
        Batches {
            out: BufWriter::with_capacity(64 * 1024, out),
        }
    }
}

impl<W: Write> Write for Batches<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        let flushed = self.out.flush();
        std::thread::sleep(REST);
        flushed
    }
}
