//! Where the model's load time goes, for benches/serve.sh: `redflag check` spends most of its cold
//! start reading the JSON model, and this splits that time into its parts.
//!
//! Each figure is the median of `--runs` (default 30) in-process repetitions:
//! - `load`: `Model::shipped()`, what `redflag check` and `redflag serve` do;
//! - its parts: one pass over the JSON syntax that builds nothing (`IgnoredAny`); parsing the IDF and
//!   weight arrays alone from their JSON text; allocating the n-gram strings; building the vocabulary's
//!   hash index from them (`Vocabulary::new` less the allocation);
//! - the same floats read as little-endian `f32`, and a binary format's estimated load (those floats,
//!   the strings and the index);
//! - one verdict with the loaded model.
//!
//! ```text
//! cargo run --release --example model_load [-- --runs 30]
//! ```

use redflag::features::Vocabulary;
use redflag::model::{Model, SHIPPED};
use redflag::moderate::Scorer;
use serde::de::IgnoredAny;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:7.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runs = match std::env::args().skip_while(|a| a != "--runs").nth(1) {
        Some(n) => n.parse()?,
        None => 30,
    };
    let model = Model::shipped()?;
    let floats: Vec<f32> = model
        .vectorizer
        .idf
        .iter()
        .chain(model.categories.iter().flat_map(|c| &c.weights))
        .copied()
        .collect();
    let floats_json = serde_json::to_vec(&floats)?;
    let floats_bytes: Vec<u8> = floats.iter().flat_map(|f| f.to_le_bytes()).collect();
    let vocabulary = &model.vectorizer.vocabulary;
    let (words, chars) = (vocabulary.words().to_vec(), vocabulary.chars().to_vec());

    let load = median(runs, || {
        black_box(Model::shipped().ok());
    });
    let scan = median(runs, || {
        black_box(serde_json::from_slice::<IgnoredAny>(SHIPPED).ok());
    });
    let from_json = median(runs, || {
        black_box(serde_json::from_slice::<Vec<f32>>(&floats_json).ok());
    });
    let from_bytes = median(runs, || {
        let v: Vec<f32> = floats_bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        black_box(v);
    });
    let clone = median(runs, || {
        black_box((words.clone(), chars.clone()));
    });
    let vocab = median(runs, || {
        black_box(Vocabulary::new(words.clone(), chars.clone()).ok());
    });
    let verdict = median(runs, || {
        black_box(Scorer::new(&model).verdict("I will find you and I will kill you."));
    });

    println!(
        "model: {} bytes of JSON, {} features ({} words, {} chars), {} floats",
        SHIPPED.len(),
        vocabulary.len(),
        words.len(),
        chars.len(),
        floats.len()
    );
    println!("load (Model::shipped)       {}", ms(load));
    println!("  JSON syntax, one pass     {}", ms(scan));
    println!("  floats from JSON text     {}", ms(from_json));
    println!("  n-gram strings allocated  {}", ms(clone));
    println!(
        "  vocabulary hash index     {}",
        ms(vocab.saturating_sub(clone))
    );
    println!(
        "floats from LE bytes        {}  ({:.0}x faster than from JSON)",
        ms(from_bytes),
        from_json.as_secs_f64() / from_bytes.as_secs_f64().max(1e-9)
    );
    println!(
        "binary format estimate      {}  (LE floats + strings + index: {:.1}x faster than load)",
        ms(from_bytes + vocab),
        load.as_secs_f64() / (from_bytes + vocab).as_secs_f64().max(1e-9)
    );
    println!("verdict, one comment        {}", ms(verdict));
    Ok(())
}
