//! The storage layer: storage miners (collateral, space, exit), the file bank (declarations,
//! placement, deals, repair) and audits (challenges and on-chain proof verification), and the
//! adapters that connect them to each other and to the incentive layer.

use crate::{
	AccountId, Audit, Balance, Balances, BlockNumber, FileBank, Incentive, Runtime, Sminer, CESS,
	DAYS, HOURS,
};
use alloc::vec::Vec;
use cess_primitives::{ChallengeParams, FileLayout};
use frame_support::{
	parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU128, ConstU32},
	weights::Weight,
	PalletId,
};
use pallet_audit::{AuditFault, AuditParams};
use pallet_file_bank::{RepairCause, RepairScheduler, StorageParams};
use pallet_incentive::ContributionSink;
use pallet_sminer::{MinerState, SlashReason, StorageMiners};
use sp_runtime::{traits::AccountIdConversion, DispatchResult, Perbill};

parameter_types! {
	/// The community development fund's account (the same id pallet-treasury uses), where
	/// slashed collateral goes.
	pub TreasuryAccount: AccountId = PalletId(*b"py/trsry").into_account_truncating();
	/// Production layout: 32 MiB segments, 4 data + 8 parity fragments of 8 MiB, 256-byte leaves.
	pub const ProductionLayout: FileLayout = FileLayout::PRODUCTION;
	/// Production price and deadlines: 0.1 CESS per GiB stored (data and parity) per 30 days,
	/// an hour to confirm a fragment, three reassignments before a deal is cancelled.
	pub const FileBankDefaults: StorageParams<Balance, BlockNumber> = StorageParams {
		price_per_gib: CESS / 10,
		period: 30 * DAYS,
		confirm_window: HOURS,
		max_reassignments: 3,
	};
	/// Production audits: a round a day, 50 blocks (5 minutes) to answer, 8 fragments × 4
	/// leaves per miner; three strikes slash 10 % of the collateral.
	pub const AuditDefaults: AuditParams<BlockNumber> = AuditParams {
		round_period: DAYS,
		response_window: 50,
		challenge: ChallengeParams { fragments: 8, leaves: 4 },
		strike_limit: 3,
		passes_to_clear: 3,
		slash: Perbill::from_percent(10),
	};
}

impl pallet_sminer::Config for Runtime {
	type Currency = Balances;
	type Slashed = ResolveTo<TreasuryAccount, Balances>;
	// An exiting miner's fragments are rebuilt on other miners.
	type OnMinerExit = RepairOnExit;
	// A miner with strikes or an open challenge cannot leave; strikes earned while leaving are
	// charged at `withdraw`.
	type Obligations = AuditObligationsOfMiners;
	// Production defaults; the chain spec's genesis may set other values (dev chains do).
	type DefaultCollateralPerTiB = ConstU128<{ 4_000 * CESS }>;
	type DefaultExitCooldown = ConstU32<{ 7 * DAYS }>;
	type MaxMultiaddrs = ConstU32<8>;
	type MaxMultiaddrLen = ConstU32<128>;
	type SamplingAttemptsPerMiner = ConstU32<8>;
	type WeightInfo = pallet_sminer::weights::SubstrateWeight<Runtime>;
}

impl pallet_file_bank::Config for Runtime {
	type Currency = Balances;
	// Storage fees join the storage miners' reward pot.
	type OnStorageFee = Incentive;
	type Miners = SminerPool;
	type OnFragmentStored = NoteBandwidth;
	type Randomness = pallet_babe::RandomnessFromOneEpochAgo<Runtime>;
	type DefaultLayout = ProductionLayout;
	type DefaultParams = FileBankDefaults;
	// The genesis price must keep self-dealing unprofitable under the reward parameters.
	type CheckParams = PriceBoundsRewards;
	// 128 segments: 4 GiB per declaration at the production layout (32 MiB segments), 2 GiB
	// at the development one (16 MiB). Larger files are stored as several declarations.
	type MaxSegments = ConstU32<128>;
	type MaxShards = ConstU32<32>;
	type MaxNameLen = ConstU32<256>;
	type MaxOwners = ConstU32<16>;
	type MaxPeriods = ConstU32<120>;
	type MaxConfirmations = ConstU32<256>;
	type ExpiryGranularity = ConstU32<HOURS>;
	type DeadlineChecksPerBlock = ConstU32<64>;
	type RepairsPerBlock = ConstU32<16>;
	type RemovalsPerBlock = ConstU32<64>;
	type ExpiriesPerBlock = ConstU32<16>;
	type WeightInfo = pallet_file_bank::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark_helpers::BenchHelper;
}

impl pallet_audit::Config for Runtime {
	type Fragments = FileBank;
	type Randomness = pallet_babe::RandomnessFromOneEpochAgo<Runtime>;
	type Penalty = SlashAndRepair;
	type OnAuditResult = NoteAudit;
	type DefaultParams = AuditDefaults;
	type MaxChallengesPerBlock = ConstU32<16>;
	type WeightInfo = pallet_audit::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark_helpers::BenchHelper;
}

/// The file bank's genesis price checked against pallet-incentive's self-dealing bound (the
/// incentive pallet's genesis, which runs first, checked its parameters against the default
/// price; this checks the pair that genesis keeps).
pub struct PriceBoundsRewards;

impl pallet_file_bank::CheckStorageParams<Balance, BlockNumber> for PriceBoundsRewards {
	fn check(params: &StorageParams<Balance, BlockNumber>) -> Result<(), &'static str> {
		Incentive::check_storage_terms(&super::incentive::FileBankPrice::terms_of(params)).map_err(
			|_| {
				"SelfDealingWouldPay: the incentive caps let an uploader that stores its own files \
			 earn more than it pays at this period (require serviceCap · (period + overhang + \
			 2 · eraLength) + bandwidthCap · period ≤ 95 % · period)"
			},
		)
	}
}

/// The file bank's view of the storage miners: pallet-sminer.
pub struct SminerPool;

impl pallet_file_bank::MinerPool<AccountId> for SminerPool {
	fn can_confirm(who: &AccountId) -> bool {
		// A frozen miner takes no new fragments but may still confirm those it was given.
		matches!(
			<Sminer as StorageMiners<AccountId>>::state(who),
			Some(MinerState::Active | MinerState::Frozen)
		)
	}

	fn peer_id(who: &AccountId) -> Option<Vec<u8>> {
		<Sminer as StorageMiners<AccountId>>::peer_id(who).map(|peer| peer.0.to_vec())
	}

	fn sample(seed: &[u8; 32], count: u32, min_free: u64, exclude: &[AccountId]) -> Vec<AccountId> {
		<Sminer as StorageMiners<AccountId>>::sample_miners(seed, count, min_free, exclude)
	}

	fn lock_space(who: &AccountId, bytes: u64) -> DispatchResult {
		<Sminer as StorageMiners<AccountId>>::lock_space(who, bytes)
	}

	fn unlock_space(who: &AccountId, bytes: u64) -> DispatchResult {
		<Sminer as StorageMiners<AccountId>>::unlock_space(who, bytes)
	}

	fn commit_space(who: &AccountId, bytes: u64) -> DispatchResult {
		<Sminer as StorageMiners<AccountId>>::commit_space(who, bytes)
	}

	fn release_space(who: &AccountId, bytes: u64) -> DispatchResult {
		<Sminer as StorageMiners<AccountId>>::release_space(who, bytes)
	}
}

/// Fragments confirmed on chain count as a miner's bandwidth for rewards.
pub struct NoteBandwidth;

impl pallet_file_bank::OnFragmentStored<AccountId> for NoteBandwidth {
	fn on_fragment_stored(miner: &AccountId, bytes: u64) {
		<Incentive as ContributionSink<AccountId>>::note_bandwidth(miner, bytes)
	}

	fn weight() -> Weight {
		<Incentive as ContributionSink<AccountId>>::note_weight()
	}
}

/// Every judged audit goes to the incentive layer: passes earn the miner's space its reward,
/// a failure forfeits the miner's rewards of the era.
pub struct NoteAudit;

impl pallet_audit::OnAuditResult<AccountId> for NoteAudit {
	fn on_audit_result(miner: &AccountId, _round: pallet_audit::RoundIndex, passed: bool) {
		<Incentive as ContributionSink<AccountId>>::note_audit(miner, passed)
	}

	fn weight() -> Weight {
		<Incentive as ContributionSink<AccountId>>::note_weight()
	}
}

/// A miner that leaves has its fragments rebuilt on others.
pub struct RepairOnExit;

impl pallet_sminer::OnMinerExit<AccountId> for RepairOnExit {
	fn on_miner_exit(who: &AccountId) {
		FileBank::schedule_repair(who, RepairCause::MinerExit);
	}

	fn weight() -> Weight {
		<FileBank as RepairScheduler<AccountId>>::weight()
	}
}

/// What a miner owes the audit, for pallet-sminer's exit rules: pallet-audit's strikes and open
/// challenges, and the pro-rata settlement of strikes at `withdraw`.
pub struct AuditObligationsOfMiners;

impl pallet_sminer::AuditObligations<AccountId> for AuditObligationsOfMiners {
	fn strikes(who: &AccountId) -> u32 {
		Audit::strikes(who)
	}

	fn has_open_challenge(who: &AccountId) -> bool {
		Audit::has_open_challenge(who)
	}

	fn settle_strikes(who: &AccountId) -> Perbill {
		Audit::settle_strikes(who)
	}

	fn weight() -> Weight {
		// `Audit::Records` read by `strikes` and `settle_strikes` (and written by the latter),
		// `Audit::Challenges` and `Audit::Params` read; a few hashes of compute.
		<Runtime as frame_system::Config>::DbWeight::get()
			.reads_writes(4, 1)
			.saturating_add(Weight::from_parts(10_000_000, 4_000))
	}
}

/// A miner that fails audits too often loses part of its collateral (to the treasury, freezing
/// it when below requirement) and its fragments are rebuilt elsewhere: it is presumed to have
/// lost them.
pub struct SlashAndRepair;

impl pallet_audit::AuditPenalty<AccountId> for SlashAndRepair {
	fn punish(miner: &AccountId, fraction: Perbill, fault: AuditFault) {
		let reason = match fault {
			AuditFault::MissedProof => SlashReason::MissedProof,
			AuditFault::InvalidProof => SlashReason::InvalidProof,
		};
		if let Err(error) = <Sminer as StorageMiners<AccountId>>::slash(miner, fraction, reason) {
			log::warn!(target: "runtime::audit", "slashing {miner:?} failed: {error:?}");
		}
		FileBank::schedule_repair(miner, RepairCause::Punished);
	}

	fn weight() -> Weight {
		// Both measured on their worst paths: a slash that freezes the miner, and scheduling.
		<Sminer as StorageMiners<AccountId>>::slash_weight()
			.saturating_add(<FileBank as RepairScheduler<AccountId>>::weight())
	}
}

/// Benchmark set-up that needs more than one pallet.
#[cfg(feature = "runtime-benchmarks")]
pub mod benchmark_helpers {
	use super::*;
	use frame_support::traits::fungible::Mutate;

	/// Registers real miners (with a signed PeerId binding) and stores fragments for audits.
	pub struct BenchHelper;

	/// Registers `miner` (funded, its PeerId bound by a signature of a key derived from `seed`)
	/// with `space` bytes declared.
	fn register(miner: &AccountId, seed: &[u8], space: u64) {
		let _ = Balances::mint_into(miner, 1_000_000_000 * CESS);
		let mut suri = b"//bench-miner-".to_vec();
		suri.extend_from_slice(seed);
		let peer =
			sp_io::crypto::ed25519_generate(sp_core::crypto::KeyTypeId(*b"cess"), Some(suri));
		let message = pallet_sminer::peer_binding_message(miner);
		let signature =
			sp_io::crypto::ed25519_sign(sp_core::crypto::KeyTypeId(*b"cess"), &peer, &message)
				.expect("the key was generated a moment ago; qed");
		Sminer::register(
			crate::RuntimeOrigin::signed(miner.clone()),
			miner.clone().into(),
			peer,
			signature,
			Default::default(),
			space,
		)
		.expect("a funded miner with a valid binding registers; qed");
	}

	impl pallet_file_bank::traits::BenchmarkHelper<AccountId> for BenchHelper {
		fn register_miner(index: u32, space: u64) -> AccountId {
			let miner: AccountId = frame_benchmarking::account("miner", index, 0);
			register(&miner, alloc::format!("{index}").as_bytes(), space);
			miner
		}
	}

	impl pallet_audit::traits::BenchmarkHelper<AccountId> for BenchHelper {
		fn store_fragments(
			miner: &AccountId,
			layout: FileLayout,
			roots: &[cess_primitives::FragmentHash],
		) {
			// A registered miner, so that punishing it slashes real collateral (the dear path).
			if pallet_sminer::Miners::<Runtime>::get(miner).is_none() {
				let account: &[u8] = miner.as_ref();
				let seed = alloc::format!("{}", sp_core::hexdisplay::HexDisplay::from(&account));
				register(miner, seed.as_bytes(), 1 << 40);
			}
			FileBank::benchmark_store_fragments(miner, layout, roots)
		}
	}
}
