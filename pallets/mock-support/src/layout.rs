//! The file layout of the storage pallets' mocks.

use cess_primitives::FileLayout;

/// 128-byte fragments of four 32-byte leaves, 2 data + 2 parity per segment: files, fragments and
/// proofs of the real codec small enough for a test to build, and a segment that survives the
/// loss of two fragments.
pub const SMALL_LAYOUT: FileLayout =
	FileLayout { segment_size: 256, data_shards: 2, parity_shards: 2, leaf_size: 32 };
