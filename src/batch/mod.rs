//! Batch runs over large inputs: streaming, parallel, in input order, nothing lost.
//!
//! Moderators sweep dumps of millions of comments, so `redflag score` and `redflag parse` run as a
//! pipeline. One reader thread cuts the inputs into batches of records; JSON Lines are only split into
//! lines there, not parsed, so that the one reader does not hold back many workers. Worker threads
//! parse and handle the batches, each with its own [`Handler`] (a scorer and its buffers); the calling
//! thread writes the results in input order. A fixed pool of batches circulates
//! between the three, so memory stays flat whatever the size of the input: the reader waits for a free
//! batch when the writer falls behind. Every record is counted, and read = handled + errors always.

mod reader;
mod score;

pub use score::{csv_header, OutputFormat, Scoring};

use crate::error::{Error, Result};
use crate::thread::{Comment, ReadOptions, RecordError};
use reader::Batch;
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::AtomicU64;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};

/// Records per batch: enough to make handing a batch between threads cheap next to handling it.
pub const BATCH_RECORDS: usize = 1024;
/// Bytes of record text per batch, so that long records do not make batches large.
pub const BATCH_BYTES: usize = 1 << 20;

/// How to run a batch.
#[derive(Debug, Clone)]
pub struct Options {
    /// How to read the inputs.
    pub read: ReadOptions,
    /// Worker threads (at least 1); the reader and the writer run besides them.
    pub threads: usize,
    /// Stop at the first error record (with an error naming it) instead of writing it.
    pub strict: bool,
    /// Most records per batch.
    pub batch_records: usize,
    /// A batch is closed once its records hold this many bytes of text.
    pub batch_bytes: usize,
}

impl Options {
    /// Options for `threads` workers, with the default batch sizes.
    pub fn new(read: ReadOptions, threads: usize, strict: bool) -> Self {
        Options {
            read,
            threads,
            strict,
            batch_records: BATCH_RECORDS,
            batch_bytes: BATCH_BYTES,
        }
    }
}

/// The counts of a run (or of one batch).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Records read: comments plus error records.
    pub read: u64,
    /// Comments handled.
    pub comments: u64,
    /// Records that could not be read as comments.
    pub errors: u64,
    /// Comments held for review.
    pub held: u64,
    /// Comments flagged, per category (in model order).
    pub flagged: Vec<u64>,
}

impl Tally {
    /// Counts one comment flagged in category `k`.
    pub fn flag(&mut self, k: usize) {
        if self.flagged.len() <= k {
            self.flagged.resize(k + 1, 0);
        }
        self.flagged[k] += 1;
    }

    fn add(&mut self, other: &Tally) {
        self.read += other.read;
        self.comments += other.comments;
        self.errors += other.errors;
        self.held += other.held;
        if self.flagged.len() < other.flagged.len() {
            self.flagged.resize(other.flagged.len(), 0);
        }
        for (mine, theirs) in self.flagged.iter_mut().zip(&other.flagged) {
            *mine += theirs;
        }
    }
}

/// What a worker thread does with the records of its batches.
pub trait Handler: Send {
    /// Writes the output for `comment` to `out` and counts what it found (held, flagged) in `tally`.
    fn comment(&mut self, comment: &Comment, out: &mut Vec<u8>, tally: &mut Tally) -> Result<()>;
    /// Writes the output for an error record to `out`.
    fn error(&mut self, error: &RecordError, out: &mut Vec<u8>) -> Result<()>;
}

/// Told about the run as it goes, on the writing thread.
pub trait Observer {
    /// Called after each batch is written, with the counts so far and the input bytes read.
    fn progress(&mut self, tally: &Tally, bytes_read: u64);
    /// A warning about an input that loses no record (e.g. invalid UTF-8 replaced in a page).
    fn warning(&mut self, message: &str);
}

/// Reads `inputs` (paths, `-` for standard input) in order, hands their records to
/// `options.threads` handlers made by `handler`, and writes what they produce to `out` in input
/// order. Returns the counts; stops at the first input that cannot be opened, at a write error, and
/// with `options.strict` at the first error record, after writing everything before it.
pub fn run<H: Handler>(
    inputs: &[String],
    options: &Options,
    handler: impl Fn() -> H + Sync,
    out: &mut dyn Write,
    observer: &mut dyn Observer,
) -> Result<Tally> {
    let bytes_read = Arc::new(AtomicU64::new(0));
    // Enough batches for every worker to hold one and have the next waiting, and for the reader and
    // the writer to hold one each.
    let pool = 2 * options.threads.max(1) + 2;
    std::thread::scope(|scope| {
        let (free_tx, free_rx) = channel::<Batch>();
        let (work_tx, work_rx) = channel::<Batch>();
        let (done_tx, done_rx) = channel::<Batch>();
        for _ in 0..pool {
            // Cannot fail: the receiver is alive until the reader, not yet started, ends.
            let _ = free_tx.send(Batch::default());
        }
        let bytes = Arc::clone(&bytes_read);
        scope.spawn(move || reader::read(inputs, options, bytes, free_rx, work_tx));
        let work_rx = Arc::new(Mutex::new(work_rx));
        for _ in 0..options.threads.max(1) {
            let (work_rx, done_tx, handler) = (Arc::clone(&work_rx), done_tx.clone(), &handler);
            scope.spawn(move || work(options, handler(), &work_rx, &done_tx));
        }
        drop(done_tx);
        write(done_rx, free_tx, out, observer)
    })
}

/// A worker: takes batches, handles their records, passes them on to the writer.
fn work<H: Handler>(
    options: &Options,
    mut handler: H,
    work_rx: &Mutex<Receiver<Batch>>,
    done_tx: &Sender<Batch>,
) {
    loop {
        // The lock is held only while waiting for a batch, which cannot panic and poison it.
        let Ok(Ok(mut batch)) = work_rx.lock().map(|rx| rx.recv()) else {
            return;
        };
        batch.handle(options, &mut handler);
        if done_tx.send(batch).is_err() {
            return;
        }
    }
}

/// The writer: puts handled batches back in input order, writes them, returns them to the pool.
fn write(
    done_rx: Receiver<Batch>,
    free_tx: Sender<Batch>,
    out: &mut dyn Write,
    observer: &mut dyn Observer,
) -> Result<Tally> {
    let mut tally = Tally::default();
    let mut pending = BTreeMap::new();
    let mut next = 0;
    for batch in done_rx {
        pending.insert(batch.seq, batch);
        while let Some(mut batch) = pending.remove(&next) {
            for w in &batch.warnings {
                observer.warning(w);
            }
            out.write_all(&batch.out)
                .map_err(|e| Error::io("<stdout>", e))?;
            tally.add(&batch.tally);
            observer.progress(&tally, batch.bytes_read);
            if let Some(e) = batch.fatal.take() {
                return Err(e);
            }
            next += 1;
            // The reader is gone once it has read everything: then the batch is simply dropped.
            let _ = free_tx.send(batch);
        }
    }
    out.flush().map_err(|e| Error::io("<stdout>", e))?;
    Ok(tally)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;
    use crate::moderate::Scorer;
    use crate::thread::{read, Item};

    struct Quiet;
    impl Observer for Quiet {
        fn progress(&mut self, _: &Tally, _: u64) {}
        fn warning(&mut self, _: &str) {}
    }

    /// A dump with every kind of record, long enough for many small batches.
    fn dump() -> Vec<u8> {
        let mut input = Vec::new();
        for i in 0..300 {
            let line = match i % 7 {
                0 => format!(
                    "{{\"id\": \"c{i}\", \"body\": \"hang them all, every one of them {i}\"}}\n"
                ),
                1 => "not json\n".to_string(),
                2 => format!("{{\"id\": \"c{i}\", \"score\": {i}}}\n"),
                3 => "\n".to_string(),
                _ => format!("{{\"body\": \"a quiet comment about the weather, number {i}\"}}\n"),
            };
            input.extend_from_slice(line.as_bytes());
            if i % 50 == 5 {
                input.extend_from_slice(b"{\"body\": \"bad \xff byte\"}\n");
            }
        }
        input
    }

    /// What the plain loop over `thread::read` with one scorer writes, and how many error records.
    fn sequential(path: &str, model: &Model, format: OutputFormat) -> (Vec<u8>, u64) {
        let mut scorer = Scorer::new(model);
        let mut out = csv_header(model, format);
        let mut errors = 0;
        for item in read(path, &ReadOptions::default()).unwrap() {
            match item {
                Item::Comment(c) => {
                    let verdict = scorer.verdict(&c.body);
                    score::render_verdict(&mut out, &c.id, &verdict, model, format).unwrap()
                }
                Item::Error(e) => {
                    errors += 1;
                    score::render_error(&mut out, &e, model, format).unwrap()
                }
                Item::Warning(_) => {}
            }
        }
        (out, errors)
    }

    #[test]
    fn parallel_output_equals_the_sequential_result_line_for_line() {
        let model = Model::shipped().unwrap();
        let dir = std::env::temp_dir().join(format!("redflag-batch-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("dump.jsonl");
        std::fs::write(&path, dump()).unwrap();
        let path = path.to_str().unwrap().to_string();
        for format in [OutputFormat::Jsonl, OutputFormat::Csv] {
            let (expected, errors) = sequential(&path, &model, format);
            assert!(errors > 90, "the dump has every kind of bad record");
            for (threads, batch_records) in [(1, 1024), (3, 2), (4, 7)] {
                let mut options = Options::new(ReadOptions::default(), threads, false);
                options.batch_records = batch_records;
                let mut out = csv_header(&model, format);
                let tally = run(
                    std::slice::from_ref(&path),
                    &options,
                    || Scoring::new(&model, format, false),
                    &mut out,
                    &mut Quiet,
                )
                .unwrap();
                assert_eq!(tally.read, tally.comments + tally.errors);
                assert_eq!(tally.errors, errors);
                let (got, want) = (
                    String::from_utf8_lossy(&out),
                    String::from_utf8_lossy(&expected),
                );
                for (n, (g, w)) in got.lines().zip(want.lines()).enumerate() {
                    assert_eq!(
                        g, w,
                        "line {n}, {threads} threads, batches of {batch_records}"
                    );
                }
                assert_eq!(got.lines().count(), want.lines().count());
            }
        }
    }

    #[test]
    fn tallies_add_up_per_category() {
        let mut a = Tally::default();
        a.flag(1);
        let mut b = Tally {
            read: 2,
            comments: 2,
            ..Tally::default()
        };
        b.flag(0);
        b.flag(0);
        a.add(&b);
        assert_eq!(a.flagged, [2, 1]);
        assert_eq!(a.read, 2);
    }
}
