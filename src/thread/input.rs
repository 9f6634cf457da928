//! Opening inputs: files or standard input, decompressed on the fly, peeked at for format detection.

use crate::error::{Error, Result};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// How many bytes format detection looks at.
const HEAD_BYTES: usize = 64 * 1024;

/// An opened input: a name for messages and a buffered, decompressed byte stream.
pub struct Source {
    name: String,
    reader: Box<dyn BufRead + Send>,
    head: Option<Vec<u8>>,
}

/// Opens `path` (`-` for standard input), decompressing gzip and zstd, detected by their magic bytes.
pub fn open(path: &str) -> Result<Source> {
    decompress(path, raw(path)?)
}

/// [`open`], adding every byte read from `path` (before decompression) to `read`, for progress.
pub fn open_counting(path: &str, read: Arc<AtomicU64>) -> Result<Source> {
    decompress(
        path,
        Box::new(Counting {
            inner: raw(path)?,
            read,
        }),
    )
}

fn raw(path: &str) -> Result<Box<dyn Read + Send>> {
    Ok(if path == "-" {
        Box::new(io::stdin())
    } else {
        Box::new(File::open(path).map_err(|e| Error::io(path, e))?)
    })
}

/// A reader that counts the bytes read through it.
struct Counting {
    inner: Box<dyn Read + Send>,
    read: Arc<AtomicU64>,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Wraps `raw` in a decompressor when its first bytes are gzip's or zstd's magic number.
fn decompress(path: &str, raw: Box<dyn Read + Send>) -> Result<Source> {
    let mut buffered = BufReader::with_capacity(256 * 1024, raw);
    let magic = buffered.fill_buf().map_err(|e| Error::io(path, e))?;
    let reader: Box<dyn BufRead + Send> = if magic.starts_with(&[0x1f, 0x8b]) {
        Box::new(BufReader::with_capacity(
            256 * 1024,
            flate2::bufread::MultiGzDecoder::new(buffered),
        ))
    } else if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        let mut decoder =
            zstd::stream::read::Decoder::with_buffer(buffered).map_err(|e| Error::io(path, e))?;
        // Reddit's dumps are compressed with a 2 GiB window.
        decoder.window_log_max(31).map_err(|e| Error::io(path, e))?;
        Box::new(BufReader::with_capacity(256 * 1024, decoder))
    } else {
        Box::new(buffered)
    };
    Ok(Source {
        name: path.to_string(),
        reader,
        head: None,
    })
}

impl Source {
    /// The input's name as the user gave it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The first bytes of the (decompressed) input, without consuming them.
    pub fn head(&mut self) -> Result<&[u8]> {
        if self.head.is_none() {
            let mut head = Vec::with_capacity(HEAD_BYTES);
            (&mut self.reader)
                .take(HEAD_BYTES as u64)
                .read_to_end(&mut head)
                .map_err(|e| Error::io(&self.name, e))?;
            self.head = Some(head);
        }
        Ok(self.head.as_deref().unwrap_or_default())
    }

    /// The whole stream as a reader, with the peeked head put back in front.
    pub fn into_reader(self) -> Box<dyn BufRead + Send> {
        match self.head {
            Some(head) => Box::new(BufReader::with_capacity(
                256 * 1024,
                io::Cursor::new(head).chain(self.reader),
            )),
            None => self.reader,
        }
    }

    /// Reads everything as text. Invalid UTF-8 is replaced with U+FFFD; each replacement gives a warning
    /// naming the file, line and byte offset.
    pub fn read_to_string_lossy(self) -> Result<(String, Vec<String>)> {
        let name = self.name.clone();
        let mut bytes = Vec::new();
        self.into_reader()
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(&name, e))?;
        let mut warnings = Vec::new();
        let mut text = String::with_capacity(bytes.len());
        let mut rest = &bytes[..];
        let mut offset = 0;
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    text.push_str(s);
                    break;
                }
                Err(e) => {
                    let good = e.valid_up_to();
                    text.push_str(std::str::from_utf8(&rest[..good]).unwrap_or_default());
                    text.push('\u{FFFD}');
                    let at = offset + good;
                    let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
                    warnings.push(format!(
                        "{name}:{line}: invalid UTF-8 at byte {at} replaced with U+FFFD"
                    ));
                    let skip = good + e.error_len().unwrap_or(rest.len() - good);
                    offset += skip;
                    rest = &rest[skip..];
                }
            }
        }
        Ok((text, warnings))
    }
}
