//! `/admin/api/v1`: the admin REST API, JSON in and out, authenticated by admin API tokens
//! ([`caller`]). Handlers are thin: they call the same services as the console, so roles and
//! four-eyes hold alike. Every call made with a token is an audit event. [`ROUTES`] is built
//! from the same table as the registration and is what `/openapi.json` must describe.

mod caller;
mod error;
pub mod openapi;
mod reads;
mod status;
mod tasks;

use crate::admin_api::tokens::{self, Call, Caller};
use crate::state::AppState;
use actix_web::dev::Service;
use actix_web::{HttpMessage, web};
pub use error::ApiError;

/// The API's base path.
pub const BASE: &str = "/admin/api/v1";

macro_rules! admin_api_routes {
    ($($method:ident $path:literal => $handler:path),* $(,)?) => {
        /// Every admin API route as (lower-case method, full path), from the table that
        /// registers them.
        pub const ROUTES: &[(&str, &str)] =
            &[$((stringify!($method), concat!("/admin/api/v1", $path))),*];

        fn register(scope: actix_web::Scope) -> actix_web::Scope {
            scope$(.route($path, web::$method().to($handler)))*
        }
    };
}

admin_api_routes! {
    get "/tasks" => tasks::list,
    get "/tasks/{id}" => tasks::show,
    post "/tasks/{id}/actions" => tasks::act,
    get "/organisations" => reads::organisations,
    get "/organisations/{id}" => reads::organisation,
    post "/organisations/{id}/{action}" => status::organisation,
    get "/applications" => reads::applications,
    get "/applications/{id}" => reads::application,
    get "/clients" => reads::clients,
    get "/clients/{id}" => reads::client,
    post "/clients/{id}/{action}" => status::client,
    get "/audit-events" => reads::audit_events,
}

/// Registers the API's scope.
pub fn routes(cfg: &mut web::ServiceConfig) {
    let scope = web::scope(BASE)
        .app_data(
            web::JsonConfig::default()
                .limit(64 * 1024)
                .error_handler(|e, _| ApiError::invalid(e.to_string()).into()),
        )
        .app_data(
            web::QueryConfig::default()
                .error_handler(|e, _| ApiError::invalid(e.to_string()).into()),
        )
        .default_service(web::to(|| async {
            Err::<String, _>(ApiError::not_found())
        }));
    let scope = register(scope).wrap_fn(|req, srv| {
        let call = srv.call(req);
        async move {
            let res = call.await?;
            let caller = res.request().extensions().get::<Caller>().cloned();
            let st = res.request().app_data::<web::Data<AppState>>().cloned();
            if let (Some(caller), Some(st)) = (caller, st) {
                let req = res.request();
                let route = req.match_pattern().unwrap_or_else(|| req.path().into());
                let call = Call {
                    method: req.method().as_str(),
                    route: &route,
                    status: res.status().as_u16(),
                    ip: Some(crate::web::ip::client_ip(req, &st.settings)),
                };
                if let Err(e) = tokens::record_call(&st, &caller, call).await {
                    tracing::error!(error = ?e, "could not record an admin API call");
                }
            }
            Ok(res)
        }
    });
    cfg.service(scope);
}

/// A list answer: the items, the cursor of the next page (absent on the last) and the total.
fn page_of(items: Vec<serde_json::Value>, next: Option<String>, total: u64) -> serde_json::Value {
    serde_json::json!({ "items": items, "next_cursor": next, "total": total })
}

/// Common list parameters. `limit` is read as text: query strings flattened into another
/// struct reach serde as strings.
#[derive(serde::Deserialize)]
struct PageQuery {
    limit: Option<String>,
    cursor: Option<String>,
}

impl PageQuery {
    fn page(&self) -> Result<crate::store::Page, ApiError> {
        let limit = match self
            .limit
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            Some(l) => Some(
                l.parse()
                    .map_err(|_| ApiError::invalid("limit must be a number"))?,
            ),
            None => None,
        };
        crate::admin_api::cursor::page(limit, self.cursor.as_deref()).map_err(ApiError::invalid)
    }
}
