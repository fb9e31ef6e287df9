//! Approval workflows as data: each `workflows/*.toml` file declares a form, states,
//! transitions (who may take them, whether a comment is required, which run by themselves) and
//! effects on entering a state. [`registry`] loads and validates the files at start-up;
//! [`engine`] decides whether a step is allowed. This module is generic: it knows nothing of
//! TPPs, organisations or email delivery, only the names of effects and emails it may ask for.

mod definition;
pub mod engine;
mod error;
mod parse;
pub mod registry;

pub use definition::{
    CommentRule, Condition, Effect, EmailName, Party, State, StateStatus, Transition, Workflow,
};
pub use engine::{StepError, StepHistory};
pub use error::WorkflowFileError;
pub use registry::Registry;
