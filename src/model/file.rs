//! The model file: a versioned JSON document, written atomically.
//!
//! It starts with `format` and `version`, and carries what the model was trained on (label files and
//! their SHA-256, example counts), with which parameters and by which redflag version, so that a model
//! can be traced back to its labels. It holds no timestamp: the same labels give the same file, byte
//! for byte. A file whose version this build does not know is refused with a message that says what to
//! do, never half-read.

use super::metrics::Report;
use super::{Classifier, Model};
use crate::error::{Error, Result};
use crate::features::{NgramConfig, Vectorizer, Vocabulary};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// The value of the `format` field.
pub const FORMAT: &str = "redflag-model";
/// The model file version this build reads and writes.
pub const VERSION: u32 = 1;

/// One label file the model was trained on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelFile {
    /// Path as given to `train`, relative to the working directory.
    pub path: String,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
    /// Examples read from it.
    pub examples: usize,
}

/// Per-category training facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryTraining {
    /// Category name.
    pub name: String,
    /// Positive examples.
    pub positives: usize,
    /// The L2 penalty chosen by cross-validation.
    pub alpha: f64,
    /// Cross-validated figures at the stored threshold.
    pub cross_validation: Report,
}

/// How and on what a model was trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// The redflag version that trained it.
    pub redflag_version: String,
    /// The label files, in the order read.
    pub label_files: Vec<LabelFile>,
    /// Examples trained on.
    pub examples: usize,
    /// Folds of the cross-validation.
    pub folds: usize,
    /// Minimum document frequency of a feature.
    pub min_df: u32,
    /// Most features kept.
    pub max_features: usize,
    /// L2 penalties tried by cross-validation.
    pub alphas: Vec<f64>,
    /// The F-beta the thresholds maximise (files written before it was recorded used F1).
    #[serde(default = "f1")]
    pub beta: f64,
    /// Smoothing of the naive-Bayes penalty scaling; 0 when off (and in files written before it).
    #[serde(default)]
    pub nb_smoothing: f64,
    /// Per category: positives, chosen penalty, cross-validated figures.
    pub categories: Vec<CategoryTraining>,
}

fn f1() -> f64 {
    1.0
}

#[derive(Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
}

#[derive(Serialize, Deserialize)]
struct Features {
    ngrams: NgramConfig,
    words: Vec<String>,
    chars: Vec<String>,
    idf: Vec<f32>,
}

#[derive(Serialize, Deserialize)]
struct FileV1 {
    format: String,
    version: u32,
    metadata: Metadata,
    features: Features,
    categories: Vec<Classifier>,
}

/// Whether `format` and `version` are this build's; the message says what to do when they are not.
fn check_header(format: &str, version: u32) -> std::result::Result<(), String> {
    if format != FORMAT {
        return Err(format!("format is {format:?}, expected {FORMAT:?}"));
    }
    if version != VERSION {
        return Err(format!(
            "model format version {version} is not supported by redflag {} (it reads version \
             {VERSION}); retrain with `redflag train` or use the redflag that wrote it",
            env!("CARGO_PKG_VERSION")
        ));
    }
    Ok(())
}

impl Model {
    /// Serialises the model to its file format.
    pub fn to_bytes(&self) -> Vec<u8> {
        let vocabulary = &self.vectorizer.vocabulary;
        let file = FileV1 {
            format: FORMAT.into(),
            version: VERSION,
            metadata: self.metadata.clone(),
            features: Features {
                ngrams: self.vectorizer.config,
                words: vocabulary.words().to_vec(),
                chars: vocabulary.chars().to_vec(),
                idf: self.vectorizer.idf.clone(),
            },
            categories: self.categories.clone(),
        };
        let mut bytes = serde_json::to_vec(&file).expect("a model always serialises");
        bytes.push(b'\n');
        bytes
    }

    /// Reads a model from bytes; `origin` names it in errors.
    pub fn from_bytes(bytes: &[u8], origin: &str) -> Result<Model> {
        let err = |message: String| Error::Model {
            path: origin.to_string(),
            message,
        };
        // One pass over the JSON: the header is checked on the parsed file. Only a file that does not
        // parse is read again for its header alone, to say whether it is another format or version
        // rather than merely corrupt.
        let file: FileV1 = match serde_json::from_slice(bytes) {
            Ok(file) => file,
            Err(e) => {
                let header: Header = serde_json::from_slice(bytes).map_err(|e| {
                    err(format!(
                        "not a redflag model ({e}); train one with `redflag train` or pass the right file"
                    ))
                })?;
                check_header(&header.format, header.version).map_err(err)?;
                return Err(err(format!("corrupt model file: {e}")));
            }
        };
        check_header(&file.format, file.version).map_err(err)?;
        let n = file.features.words.len() + file.features.chars.len();
        if file.features.idf.len() != n {
            return Err(err(format!(
                "corrupt model file: {} IDF values for {n} features",
                file.features.idf.len()
            )));
        }
        for c in &file.categories {
            if c.weights.len() != n {
                return Err(err(format!(
                    "corrupt model file: category {} has {} weights for {n} features",
                    c.name,
                    c.weights.len()
                )));
            }
        }
        if file.categories.is_empty() {
            return Err(err("corrupt model file: no categories".into()));
        }
        let vocabulary = Vocabulary::new(file.features.words, file.features.chars)
            .map_err(|e| err(format!("corrupt model file: {e}")))?;
        if vocabulary.len() != n {
            return Err(err("corrupt model file: repeated features".into()));
        }
        Ok(Model {
            vectorizer: Vectorizer {
                config: file.features.ngrams,
                vocabulary,
                idf: file.features.idf,
            },
            categories: file.categories,
            metadata: file.metadata,
        })
    }

    /// Reads a model file.
    pub fn load(path: &Path) -> Result<Model> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Model::from_bytes(&bytes, &path.display().to_string())
    }

    /// Writes the model atomically: to a temporary file beside `path`, synced, then renamed over it.
    /// A crash leaves either the old model or the new one, never half of one.
    pub fn save(&self, path: &Path) -> Result<()> {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "model".into());
        let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&self.to_bytes())?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io(path, e)
        })
    }
}
