//! Issue 11 (OWASP ASVS level 2): bounded inputs, headers, client addresses, binding,
//! invitations, squatting, enumeration by timing and atomic limits.

mod accounts;
mod at_rest;
mod binding;
mod fuzz;
mod inputs;
mod invitations;
mod mfa;
mod nul;
mod sessions;
mod web;
