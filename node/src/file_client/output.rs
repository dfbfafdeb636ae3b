//! How the file commands show their work: progress bars, amounts and rates.

use std::time::Duration;

/// A progress bar over `total` bytes (drawn only on a terminal).
pub fn progress_bar(total: u64, message: &'static str) -> indicatif::ProgressBar {
	let bar = indicatif::ProgressBar::new(total);
	bar.set_style(
		indicatif::ProgressStyle::with_template(
			"{msg:>10} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
		)
		.expect("a valid template")
		.progress_chars("=> "),
	);
	bar.set_message(message);
	bar
}

/// An amount in CESS with three decimals.
pub fn format_cess(amount: u128) -> String {
	use cess_runtime::CESS;
	format!("{}.{:03}", amount / CESS, (amount % CESS) / (CESS / 1000))
}

/// Mebibytes per second of `bytes` moved in `elapsed`.
pub fn mib_per_s(bytes: u64, elapsed: Duration) -> f64 {
	bytes as f64 / (1024.0 * 1024.0) / elapsed.as_secs_f64().max(1e-9)
}
