//! Routing of fees: a share to one handler (the treasury), the rest to another.

use core::marker::PhantomData;
use frame_support::traits::{
	fungible::{Balanced, Credit},
	Get, Imbalance, OnUnbalanced,
};
use sp_runtime::Perbill;

/// An [`OnUnbalanced`] handler of fungible credits that gives `Share` of every credit (rounded
/// down) to `First` and the rest to `Rest`. Nothing is lost: the two parts add up to the credit.
///
/// Uses in the runtime: transaction fees (`Share` to the treasury, the rest to the block author
/// or burnt), or storage fees (`Share` to the treasury, the rest to the miners' pot of
/// [`crate::Pallet`]).
pub struct SplitCredit<AccountId, Currency, Share, First, Rest>(
	PhantomData<(AccountId, Currency, Share, First, Rest)>,
);

impl<AccountId, Currency, Share, First, Rest> OnUnbalanced<Credit<AccountId, Currency>>
	for SplitCredit<AccountId, Currency, Share, First, Rest>
where
	Currency: Balanced<AccountId>,
	Share: Get<Perbill>,
	First: OnUnbalanced<Credit<AccountId, Currency>>,
	Rest: OnUnbalanced<Credit<AccountId, Currency>>,
{
	fn on_nonzero_unbalanced(credit: Credit<AccountId, Currency>) {
		let first = Share::get().mul_floor(credit.peek());
		let (to_first, to_rest) = credit.split(first);
		First::on_unbalanced(to_first);
		Rest::on_unbalanced(to_rest);
	}
}
