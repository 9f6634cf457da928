//! The reader thread and the batches it fills.
//!
//! A batch holds the records of one input: JSON Lines as raw bytes (parsed later, by the worker that
//! handles the batch), other formats as parsed items. Batches are reused: their buffers keep their
//! capacity from one round to the next, so a steady run allocates almost nothing per record.

use super::{Handler, Options, Tally};
use crate::error::{Error, Result};
use crate::thread::{open_counting, parse_line, records, Item, Records};
use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::Arc;

/// One record of a batch, as read.
#[derive(Debug)]
enum Record {
    /// A JSON Lines line: its 1-based number and its bytes in [`Batch::lines`].
    Line(usize, Range<usize>),
    /// A parsed item, or an error found while reading.
    Item(Item),
}

/// A run of consecutive records of one input, and what handling them produced.
#[derive(Debug, Default)]
pub(super) struct Batch {
    /// Position in the run: the writer writes batches in this order.
    pub seq: u64,
    /// The input's name, for ids and error messages.
    source: Arc<str>,
    /// The raw bytes of the JSON Lines records.
    lines: Vec<u8>,
    records: Vec<Record>,
    /// Bytes of text held by `records`, to close the batch before it gets large.
    text_bytes: usize,
    /// Input bytes read when the batch was sent, for progress.
    pub bytes_read: u64,
    /// The handlers' output for the records.
    pub out: Vec<u8>,
    /// Counts for the records.
    pub tally: Tally,
    /// Warnings from reading, for the writer to pass on.
    pub warnings: Vec<String>,
    /// An error that ends the run after this batch's output is written.
    pub fatal: Option<Error>,
}

/// A batch whose buffers grew past this many bytes (one huge record) gives the memory back.
const KEEP_BYTES: usize = 4 * super::BATCH_BYTES;

impl Batch {
    /// Empties the batch for reuse as batch `seq` of `source`.
    fn reset(&mut self, seq: u64, source: &Arc<str>) {
        self.seq = seq;
        self.source = Arc::clone(source);
        self.lines.clear();
        self.records.clear();
        self.text_bytes = 0;
        self.out.clear();
        self.tally = Tally::default();
        self.warnings.clear();
        self.fatal = None;
        for buf in [&mut self.lines, &mut self.out] {
            if buf.capacity() > KEEP_BYTES {
                buf.shrink_to(super::BATCH_BYTES);
            }
        }
    }

    fn is_full(&self, options: &Options) -> bool {
        self.records.len() >= options.batch_records || self.text_bytes >= options.batch_bytes
    }

    /// Handles every record with `handler`: parses the raw lines, counts, writes the output. An error,
    /// or a panic (a bug), ends the run once the writer reaches this batch, instead of leaving the
    /// writer waiting for it.
    pub fn handle(&mut self, options: &Options, handler: &mut dyn Handler) {
        match catch_unwind(AssertUnwindSafe(|| self.try_handle(options, handler))) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => self.fatal = Some(e),
            Err(_) => {
                self.fatal = Some(Error::Input {
                    path: self.source.to_string(),
                    line: 0,
                    message: "internal error: handling a record of this input panicked (the \
                              message is above); please report it"
                        .into(),
                })
            }
        }
    }

    fn try_handle(&mut self, options: &Options, handler: &mut dyn Handler) -> Result<()> {
        let mut parsed;
        for record in &self.records {
            let item = match record {
                Record::Line(number, range) => {
                    parsed = parse_line(
                        &self.source,
                        *number,
                        &self.lines[range.clone()],
                        &options.read.fields,
                    );
                    &parsed
                }
                Record::Item(item) => item,
            };
            match item {
                Item::Comment(c) => {
                    self.tally.read += 1;
                    self.tally.comments += 1;
                    handler.comment(c, &mut self.out, &mut self.tally)?;
                }
                Item::Error(e) => {
                    self.tally.read += 1;
                    self.tally.errors += 1;
                    if options.strict {
                        return Err(Error::Input {
                            path: self.source.to_string(),
                            line: e.line,
                            message: format!(
                                "{} (--strict stops at the first bad record)",
                                e.error
                            ),
                        });
                    }
                    handler.error(e, &mut self.out)?;
                }
                Item::Warning(w) => self.warnings.push(w.clone()),
            }
        }
        Ok(())
    }
}

/// Where the reader stands: the batch it is filling and the channels it trades batches on.
struct Filler<'a> {
    options: &'a Options,
    bytes_read: Arc<AtomicU64>,
    free: Receiver<Batch>,
    work: Sender<Batch>,
    batch: Batch,
    seq: u64,
}

impl Filler<'_> {
    /// Sends the current batch (when it has anything) and takes a free one for `source`. `None` when
    /// the run is over (the writer stopped).
    fn next(&mut self, source: &Arc<str>) -> Option<()> {
        if !self.batch.records.is_empty() || self.batch.fatal.is_some() {
            self.batch.bytes_read = self.bytes_read.load(Ordering::Relaxed);
            self.work.send(std::mem::take(&mut self.batch)).ok()?;
            // Waits while every batch is in use: this is what bounds memory.
            self.batch = self.free.recv().ok()?;
            self.seq += 1;
        }
        self.batch.reset(self.seq, source);
        Some(())
    }

    fn push(&mut self, record: Record, text_bytes: usize, source: &Arc<str>) -> Option<()> {
        self.batch.records.push(record);
        self.batch.text_bytes += text_bytes;
        if self.batch.is_full(self.options) {
            self.next(source)?;
        }
        Some(())
    }

    /// Reads every record of `path` into batches; `None` when the run is over.
    fn input(&mut self, path: &str) -> Option<()> {
        let source: Arc<str> = Arc::from(path);
        self.next(&source)?;
        let opened = open_counting(path, Arc::clone(&self.bytes_read))
            .and_then(|s| records(s, &self.options.read));
        match opened {
            Err(e) => {
                self.batch.fatal = Some(e);
                self.next(&source)?;
                None
            }
            Ok(Records::Lines(mut lines)) => {
                loop {
                    let start = self.batch.lines.len();
                    let record = match lines.next_into(&mut self.batch.lines) {
                        None => break,
                        Some(Ok(number)) => Record::Line(number, start..self.batch.lines.len()),
                        Some(Err(error)) => Record::Item(error),
                    };
                    let text_bytes = self.batch.lines.len() - start;
                    self.push(record, text_bytes, &source)?;
                }
                Some(())
            }
            Ok(Records::Items(items)) => {
                for item in items {
                    let text_bytes = match &item {
                        Item::Comment(c) => c.body.len(),
                        _ => 0,
                    };
                    self.push(Record::Item(item), text_bytes, &source)?;
                }
                Some(())
            }
        }
    }
}

/// The reader thread: fills batches from `inputs` in order and sends them to the workers.
pub(super) fn read(
    inputs: &[String],
    options: &Options,
    bytes_read: Arc<AtomicU64>,
    free: Receiver<Batch>,
    work: Sender<Batch>,
) {
    let Ok(batch) = free.recv() else {
        return;
    };
    let mut filler = Filler {
        options,
        bytes_read,
        free,
        work,
        batch,
        seq: 0,
    };
    for path in inputs {
        if filler.input(path).is_none() {
            return;
        }
    }
    let end: Arc<str> = Arc::from("");
    let _ = filler.next(&end);
}
