//! Onramp: the server a bank (ASPSP) runs to onboard Open Banking third-party providers.
//!
//! Layers, top to bottom: [`web`] (actix handlers and templates, thin) → domain services
//! ([`tpp`], [`tasks`], [`accounts`], [`workflow`], [`email`], [`audit`]) → [`store`] (sea-orm).
//! [`domain`] holds the shared vocabulary every layer may use.

pub mod accounts;
pub mod admin_api;
pub mod applications;
pub mod audit;
pub mod authority;
pub mod cli;
pub mod cli_ops;
pub mod clients;
pub mod config;
pub mod dcr;
pub mod domain;
pub mod email;
pub mod forms;
pub mod jose;
pub mod keys;
pub mod oauth;
pub mod observe;
pub mod ops;
pub mod ratelimit;
pub mod sandbox;
pub mod sandbox_directory;
pub mod startup;
pub mod state;
pub mod store;
pub mod tasks;
pub mod team;
pub mod telemetry;
pub mod tpp;
pub mod trust;
pub mod unit_of_work;
pub mod watch;
pub mod web;
pub mod webhooks;
pub mod workflow;
