//! Authority checks: certificates, registers, evidence, and where decisions use them.

mod certificates;
mod dcr_roles;
mod evidence;
mod production_keys;
mod registers;
