//! The one integration test binary: each test starts the real server on a random port with a
//! fresh database (SQLite, or PostgreSQL when `ONRAMP_TEST_DATABASE_URL` is set) and speaks
//! real HTTP with a cookie jar.

// Test code panics on purpose: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod admin;
mod admin_api;
mod admin_cli;
mod applications;
mod architecture;
mod authority;
mod bench_outside;
mod browser;
mod console;
mod dcr;
mod dcr_rules;
mod examples;
mod hardening;
mod helpers;
mod isolation;
mod logs;
mod metrics;
mod nodes;
mod oauth;
mod operations;
mod portal_pages;
mod production;
mod production_integrity;
mod sandbox_directory;
mod security;
mod signup;
mod team;
mod webhooks;
mod workflows;
