//! Referendum tracks: who decides what, with which quorum and approval.
//!
//! | track | may | deposit | deciding at once | prepare / decide / confirm / enact | approval | support (quorum) |
//! |---|---|---|---|---|---|---|
//! | root | anything | 100 000 CESS | 1 | 2 h / 28 d / 1 d / 1 d | 100 % → 50 % | 50 % → 10 % |
//! | small_spender | spend ≤ 100 000 CESS | 1 000 CESS | 50 | 1 h / 7 d / 12 h / 1 d | 100 % → 50 % | 20 % → 2 % |
//! | big_spender | spend ≤ 5 000 000 CESS | 10 000 CESS | 20 | 4 h / 14 d / 2 d / 1 d | 100 % → 60 % | 30 % → 5 % |
//!
//! Curves fall linearly over the decision period. Periods run on the governance clock.

use super::pallet_custom_origins::Origin as CustomOrigin;
use crate::{
	chain_params::scaled, Balance, BlockNumber, Runtime, RuntimeOrigin, CESS, DAYS, HOURS,
};
use alloc::borrow::Cow;
use frame_support::traits::OriginTrait;
use pallet_referenda::{Curve, Track, TrackInfo};
use sp_runtime::{str_array as name, Perbill};

/// Cap of one spend approved on the small-spender track.
pub const SMALL_SPEND: Balance = 100_000 * CESS;
/// Cap of one spend approved on the big-spender track.
pub const BIG_SPEND: Balance = 5_000_000 * CESS;

const fn linear(floor: u32, ceil: u32) -> Curve {
	Curve::LinearDecreasing {
		length: Perbill::from_percent(100),
		floor: Perbill::from_percent(floor),
		ceil: Perbill::from_percent(ceil),
	}
}

const TRACKS: [Track<u16, Balance, BlockNumber>; 3] = [
	Track {
		id: 0,
		info: TrackInfo {
			name: name("root"),
			max_deciding: 1,
			decision_deposit: 100_000 * CESS,
			prepare_period: 2 * HOURS,
			decision_period: 28 * DAYS,
			confirm_period: DAYS,
			min_enactment_period: DAYS,
			min_approval: linear(50, 100),
			min_support: linear(10, 50),
		},
	},
	Track {
		id: 1,
		info: TrackInfo {
			name: name("small_spender"),
			max_deciding: 50,
			decision_deposit: 1_000 * CESS,
			prepare_period: HOURS,
			decision_period: 7 * DAYS,
			confirm_period: 12 * HOURS,
			min_enactment_period: DAYS,
			min_approval: linear(50, 100),
			min_support: linear(2, 20),
		},
	},
	Track {
		id: 2,
		info: TrackInfo {
			name: name("big_spender"),
			max_deciding: 20,
			decision_deposit: 10_000 * CESS,
			prepare_period: 4 * HOURS,
			decision_period: 14 * DAYS,
			confirm_period: 2 * DAYS,
			min_enactment_period: DAYS,
			min_approval: linear(60, 100),
			min_support: linear(5, 30),
		},
	},
];

/// The tracks of [`pallet_referenda`], with periods on the chain's governance clock.
pub struct TracksInfo;

impl pallet_referenda::TracksInfo<Balance, BlockNumber> for TracksInfo {
	type Id = u16;
	type RuntimeOrigin = <RuntimeOrigin as OriginTrait>::PalletsOrigin;

	fn tracks() -> impl Iterator<Item = Cow<'static, Track<u16, Balance, BlockNumber>>> {
		TRACKS.iter().map(|track| {
			let mut track = track.clone();
			let info = &mut track.info;
			info.prepare_period = scaled::<Runtime>(info.prepare_period);
			info.decision_period = scaled::<Runtime>(info.decision_period);
			info.confirm_period = scaled::<Runtime>(info.confirm_period);
			info.min_enactment_period = scaled::<Runtime>(info.min_enactment_period);
			Cow::Owned(track)
		})
	}

	fn track_for(origin: &Self::RuntimeOrigin) -> Result<u16, ()> {
		if let Ok(system) = frame_system::RawOrigin::<crate::AccountId>::try_from(origin.clone()) {
			return match system {
				frame_system::RawOrigin::Root => Ok(0),
				_ => Err(()),
			};
		}
		match CustomOrigin::try_from(origin.clone()) {
			Ok(CustomOrigin::SmallSpender) => Ok(1),
			Ok(CustomOrigin::BigSpender) => Ok(2),
			Err(_) => Err(()),
		}
	}
}
