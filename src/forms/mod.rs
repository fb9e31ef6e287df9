//! Configurable forms: the field definitions a workflow file declares (CONTRACT.md's field
//! format), the server-side validation of a submission against them, and the view model the
//! templates render. Knows nothing of HTTP or of what the form is for.

mod countries;
mod definition;
mod validate;
mod view;

pub use countries::{COUNTRIES, country_name};
pub use definition::{FieldDef, FieldKind, FieldSpec, FormDefinition, SelectOption};
pub use validate::{FieldErrors, FormValues, Submission};
pub use view::{FieldView, OptionView};
