//! Placeholder: the browser test is written next.
