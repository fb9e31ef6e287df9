//! Shared vocabulary of Onramp: typed ids, secrets, email addresses, roles and the clock.
//! No I/O and no framework types live here.

pub mod client;
pub mod clock;
pub mod email;
pub mod evidence;
pub mod ids;
pub mod organisation;
pub mod paths;
pub mod psd2;
pub mod role;
pub mod sealed;
pub mod secret;

pub use clock::Clock;
pub use email::EmailAddress;
pub use ids::{
    AdminId, ApiTokenId, ApplicationId, ClientId, EvidenceId, InstanceId, OrganisationId, UserId,
};
pub use organisation::OrganisationStatus;
pub use psd2::Psd2Role;
pub use role::{Actor, AdminRole};
pub use secret::{PlainToken, TokenHash};
